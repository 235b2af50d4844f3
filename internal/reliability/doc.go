// Package reliability holds the tests that prove nothing is lost when the
// SQLite provider and the stress harness meet crashes, injected faults,
// workers that die, bad input and Close: see RELIABILITY.md at the module
// root for what each test proves and how to run it. The package has no API;
// everything is in its _test.go files.
package reliability
