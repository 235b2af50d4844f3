package provobs

// OpInterface names the interface of op's method for the tests: "Provider",
// "Admin", or "" for an op of other storage interfaces.
func OpInterface(op Op) string {
	if !op.Valid() {
		return ""
	}
	return [...]string{ifaceNone: "", ifaceProvider: "Provider", ifaceAdmin: "Admin"}[ops[op].iface]
}

// OpLock names op's lock column for the tests: "-", "issues", "presents"
// or "ends".
func OpLock(op Op) string {
	if !op.Valid() {
		return ""
	}
	return [...]string{lockNone: "-", lockIssues: "issues", lockPresents: "presents", lockEnds: "ends"}[ops[op].lock]
}
