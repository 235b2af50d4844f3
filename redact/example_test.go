package redact_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/provobs/provobs/redact"
)

// stdout returns a JSON handler on standard output without the time, so
// that the examples' output is stable.
func stdout() slog.Handler {
	return slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})
}

func ExampleNewHandler() {
	logger := slog.New(redact.NewHandler(stdout(), nil))
	logger.Info("login", "user", "ada", "password", "hunter2", "Session", "c2Vzcw")
	logger.With("api_key", "k-123").WithGroup("req").Info("call", "path", "/v1", "Authorization", "Basic eDp5")
	// Output:
	// {"level":"INFO","msg":"login","user":"ada"}
	// {"level":"INFO","msg":"call","req":{"path":"/v1"}}
}

func ExampleOptions_mask() {
	logger := slog.New(redact.NewHandler(stdout(), &redact.Options{Mode: redact.Mask}))
	logger.Info("login", "user", "ada", "creditCard", "4111 1111 1111 1111",
		slog.Group("db", slog.String("host", "h"), slog.String("PASSWORD", "pw")))
	// Output:
	// {"level":"INFO","msg":"login","user":"ada","creditCard":"[REDACTED]","db":{"host":"h","PASSWORD":"[REDACTED]"}}
}

func ExampleOptions_scanMessage() {
	logger := slog.New(redact.NewHandler(stdout(), &redact.Options{Detectors: redact.CardNumbers | redact.BearerTokens | redact.JWTs, ScanMessage: true}))
	logger.Info("charged 4111-1111-1111-1111",
		"note", "card 5555 5555 5555 4444 and order 1234 5678 9012 3456",
		"error", errors.New("upstream said 401 to Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"))
	// Output:
	// {"level":"INFO","msg":"charged [REDACTED]","note":"card [REDACTED] and order 1234 5678 9012 3456","error":"upstream said 401 to Bearer [REDACTED]"}
}

func ExampleOptions_audit() {
	var redactions atomic.Int64
	logger := slog.New(redact.NewHandler(stdout(), &redact.Options{Audit: func(path string, reason redact.Reason) {
		redactions.Add(1)
		fmt.Printf("redacted %s (%s)\n", path, reason)
	}}))
	logger.WithGroup("req").Info("m", slog.Group("user", "name", "ada", "password", "pw"),
		"headers", map[string]string{"Cookie": "c=1"}, "dsn", redact.NewSecret("postgres://u:pw@db"))
	fmt.Println(redactions.Load(), "redactions")
	// Output:
	// redacted req.user.password (key)
	// redacted req.headers.Cookie (key)
	// redacted req.dsn (secret)
	// {"level":"INFO","msg":"m","req":{"user":{"name":"ada"},"headers":{}}}
	// 3 redactions
}

func ExampleSecret() {
	dsn := redact.NewSecret("postgres://app:pw@db/app")
	fmt.Println(dsn)
	fmt.Printf("%q %#v %x\n", dsn, dsn, dsn)
	slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})).Info("open", "dsn", dsn)
	fmt.Println(len(dsn.Reveal()))
	// Output:
	// [REDACTED]
	// "[REDACTED]" redact.Secret("[REDACTED]") [REDACTED]
	// level=INFO msg=open dsn=[REDACTED]
	// 24
}

func ExampleOptions_allowKeys() {
	logger := slog.New(redact.NewHandler(stdout(), &redact.Options{AllowKeys: []string{"session"}, Keys: append(redact.DefaultKeys(), "tenant_id")}))
	logger.Info("renewed", "session", "s-1", "TenantID", "t-9", "sessions_renewed", 3)
	// Output:
	// {"level":"INFO","msg":"renewed","session":"s-1","sessions_renewed":3}
}

// The default detectors mask credentials inside values and keep the rest:
// a vendor token, the password of a mysql DSN, a sensitive member of a
// JSON body (which still parses).
func ExampleNewHandler_detectors() {
	logger := slog.New(redact.NewHandler(stdout(), nil))
	logger.Info("connect",
		"dsn", "app:s3cr3t@tcp(db:3306)/orders?parseTime=true",
		"note", "deploy key AKIAIOSFODNN7EXAMPLE rotated",
		"body", json.RawMessage(`{"user":"ada","password":"pw","items":[1,2]}`),
		"trace", "4bf92f3577b34da6a3ce929d0e0e4736")
	// Output:
	// {"level":"INFO","msg":"connect","dsn":"app:[REDACTED]@tcp(db:3306)/orders?parseTime=true","note":"deploy key [REDACTED] rotated","body":{"user":"ada","password":"[REDACTED]","items":[1,2]},"trace":"4bf92f3577b34da6a3ce929d0e0e4736"}
}
