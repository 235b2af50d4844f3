package redact_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs/redact"
)

// Sensitive Go names behind innocuous json names, and the reverse.
type (
	goNameOnly struct {
		User     string `json:"user"`
		Password string `json:"pw"`
	}
	tagOnly struct {
		User string `json:"user"`
		Pw   string `json:"password"`
	}
	pinOnly struct { // no string field: nothing but the name makes it walked
		PIN  int `json:"code"`
		Seen int `json:"seen"`
	}
	withEmbedded struct {
		goNameOnly
		Region string `json:"region"`
	}
	withEmbeddedPtr struct {
		*tagOnly
		Region string `json:"region"`
	}
	withPtrField struct {
		Name  string      `json:"name"`
		Inner *goNameOnly `json:"inner"`
		Codes *pinOnly    `json:"codes"`
	}
)

// TestStructFieldNames: a struct field is sensitive when its Go name or
// its json name is a sensitive key, at the top, embedded (by value and by
// pointer) and behind a pointer field; a handler that read only one of
// the two names fails here.
func TestStructFieldNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want string // under Mask, detectors off
	}{
		{"Go name Password, json pw", goNameOnly{User: "bob", Password: "s1"}, `{"pw":"[REDACTED]","user":"bob"}`},
		{"json password, Go name Pw", tagOnly{User: "bob", Pw: "s2"}, `{"password":"[REDACTED]","user":"bob"}`},
		{"Go name PIN, int, json code", pinOnly{PIN: 4321, Seen: 1}, `{"code":"[REDACTED]","seen":1}`},
		{"pointer to the struct", &goNameOnly{User: "bob", Password: "s3"}, `{"pw":"[REDACTED]","user":"bob"}`},
		{"embedded by value", withEmbedded{goNameOnly: goNameOnly{User: "bob", Password: "s4"}, Region: "eu"}, `{"pw":"[REDACTED]","region":"eu","user":"bob"}`},
		{"embedded by pointer", withEmbeddedPtr{tagOnly: &tagOnly{User: "bob", Pw: "s5"}, Region: "eu"}, `{"password":"[REDACTED]","region":"eu","user":"bob"}`},
		{"pointer fields", withPtrField{Name: "n", Inner: &goNameOnly{User: "bob", Password: "s6"}, Codes: &pinOnly{PIN: 8765}},
			`{"codes":{"code":"[REDACTED]","seen":0},"inner":{"pw":"[REDACTED]","user":"bob"},"name":"n"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []redact.Mode{redact.Mask, redact.Drop} {
				var buf bytes.Buffer
				newLogger(&buf, &redact.Options{Mode: mode, Detectors: redact.NoDetectors}).Info("m", "v", tt.v)
				for _, secret := range []string{"s1", "s2", "s3", "s4", "s5", "s6", "4321", "8765"} {
					assert.NotContains(t, buf.String(), `"`+secret+`"`, mode)
					assert.NotContains(t, buf.String(), ":"+secret, mode)
				}
				if mode == redact.Mask {
					assert.Equal(t, `{"level":"INFO","msg":"m","v":`+tt.want+"}\n", buf.String())
				}
			}
		})
	}
	// Through the text sink too, where fmt would print Go names.
	var buf bytes.Buffer
	slog.New(redact.NewHandler(slog.NewTextHandler(&buf, nil), nil)).Info("m", "v", withPtrField{Inner: &goNameOnly{Password: "s7"}, Codes: &pinOnly{PIN: 9999}})
	assert.NotContains(t, buf.String(), "s7")
	assert.NotContains(t, buf.String(), "9999")
}
