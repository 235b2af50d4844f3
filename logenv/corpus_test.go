package logenv_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/redact"
)

// luhnValid reports whether the digits of s pass the Luhn check.
func luhnValid(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// operatorValues are values operators need in their logs, none of them a
// secret: each must pass every format unchanged.
func operatorValues(t *testing.T) []string {
	vals := []string{
		"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", // trace and span ids
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",                      // traceparent
		"f47ac10b-58cc-4372-a567-0e02b2c3d479", "F47AC10B-58CC-4372-A567-0E02B2C3D479", // UUIDs
		"e83c5163316f89bfbde7d9ab23ca2e25604af290", "e83c516", // git SHAs
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",                     // image digest
		"n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg", // base64 hashes
		"1s", "150ms", "2h45m0.5s", "1.234567ms", // durations
		"orders.high-priority", "default", "sqs://queue.example/billing-dlq", "kafka:payments.v2", // queues
		"ORD-2025-000123", "order-42", "1000234567", "INV/2025/01/0042", // order numbers
		"1733600000000000000", "2025-01-02T03:04:05.123Z", // epoch ns, RFC 3339
		"10.0.3.7:5432", "[2001:db8::1]:443", "db.internal.example.com",
		"https://api.example.com/v2/items?page=3&limit=50&sort=-created_at",
		"postgres://db.example:5432/app?sslmode=require", "bob@tcp(db:3306)/app", // DSNs without passwords
		"GET /api/v1/orders/42 HTTP/1.1", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
		"ada@example.com", "v1.26.0", "worker-7f9c8d-xk2lp", "us-east-1", "arn:aws:s3:::my-bucket/logs/2025",
		"session_id=s-91 tokens_used=1200 password_hint=pet", "task-1234567890123456789012345678901234567890",
		"pk_live_4eC39HqLyjWDarjtT1zdp7dc", "AKIA", "ghp_", "sk-learn", "xoxb", // public keys, bare prefixes
	}
	// 13-digit epoch milliseconds around now: one in ten passes Luhn.
	luhn := 0
	for ms := int64(1733600000000); ms < 1733600000200; ms++ {
		s := strconv.FormatInt(ms, 10)
		if luhnValid(s) {
			luhn++
		}
		vals = append(vals, s)
	}
	require.Greater(t, luhn, 10, "the corpus holds Luhn-valid epoch milliseconds")
	return vals
}

func openFormat(t *testing.T, f logenv.Format) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	h, _, err := logenv.New(logenv.Config{Format: f, Writer: &buf})
	require.NoError(t, err)
	return slog.New(h), &buf
}

// TestNoOverRedaction logs the values operators need through logenv.New
// with its defaults, as attributes, inside errors and in the message,
// in the json, text and tint formats: nothing is redacted.
func TestNoOverRedaction(t *testing.T) {
	t.Parallel()
	vals := operatorValues(t)
	for _, f := range []logenv.Format{logenv.FormatJSON, logenv.FormatText, logenv.FormatTint} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			logger, buf := openFormat(t, f)
			for _, v := range vals {
				buf.Reset()
				logger.Info("value "+v, "v", v, "err", fmt.Errorf("op failed on %s", v), "list", []string{v})
				assert.NotContains(t, buf.String(), redact.Redacted, "%q was redacted", v)
			}
		})
	}
}

// corpusLine generates one realistic log line of a service: a message
// and its attributes, none a secret.
func corpusLine(rng *rand.Rand) (string, []any) {
	hexN := func(n int) string {
		b := make([]byte, n/2)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return hex.EncodeToString(b)
	}
	b64 := func(url bool) string {
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		sum := sha256.Sum256(b)
		if url {
			return base64.RawURLEncoding.EncodeToString(sum[:])
		}
		return base64.StdEncoding.EncodeToString(sum[:])
	}
	uuid := func() string {
		h := hexN(32)
		return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	ms := 1733600000000 + rng.Int64N(1e10)
	dur := time.Duration(rng.Int64N(int64(5 * time.Second)))
	trace := []any{"trace_id", hexN(32), "span_id", hexN(16)}
	switch rng.IntN(12) {
	case 0:
		path := pick("/api/v1/orders/", "/api/v2/items/", "/healthz", "/metrics", "/api/v1/users/") + strconv.Itoa(rng.IntN(100000))
		return fmt.Sprintf("%s %s %d in %s", pick("GET", "POST", "PUT", "DELETE"), path, pick3(rng, 200, 201, 404, 500), dur),
			append(trace, "request_id", uuid(), "remote_addr", fmt.Sprintf("10.%d.%d.%d:%d", rng.IntN(256), rng.IntN(256), rng.IntN(256), 1024+rng.IntN(60000)),
				"user_agent", pick("Go-http-client/1.1", "curl/8.5.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15"), "bytes", rng.IntN(1<<20))
	case 1:
		return "enqueued job", append(trace, "queue", pick("orders.high-priority", "default", "billing-dlq", "emails"), "job_id", uuid(),
			"attempt", 1+rng.IntN(5), "scheduled_at_ms", ms, "instance_id", "order-"+strconv.Itoa(rng.IntN(1e6)))
	case 2:
		return "deployed " + pick("api", "worker", "billing") + " " + hexN(40)[:7], []any{"commit", hexN(40), "image",
			"registry.example.com/app@sha256:" + hexN(64), "version", fmt.Sprintf("v1.%d.%d", rng.IntN(40), rng.IntN(20))}
	case 3:
		return "payment captured", append(trace, "order_number", fmt.Sprintf("ORD-%d-%06d", 2024+rng.IntN(2), rng.IntN(1e6)),
			"amount_cents", rng.IntN(1e6), "currency", pick("EUR", "USD", "GBP"), "card_last4", fmt.Sprintf("%04d", rng.IntN(1e4)), "epoch_ms", ms)
	case 4:
		return "cache " + pick("miss", "hit", "evict"), []any{"key", fmt.Sprintf("user:%d:profile", rng.IntN(1e7)), "ttl", dur.String(), "size", rng.IntN(1 << 16)}
	case 5:
		return "query done", append(trace, "query", pick("SELECT id, name FROM users WHERE id = $1", "UPDATE orders SET status = $1 WHERE id = $2",
			"INSERT INTO events (id, kind, at) VALUES ($1, $2, $3)"), "rows", rng.IntN(1000), "duration_ms", dur.Milliseconds())
	case 6:
		return "object stored", []any{"bucket", pick("logs", "exports", "media"), "key", fmt.Sprintf("2025/%02d/%02d/%s.json.gz", 1+rng.IntN(12), 1+rng.IntN(28), uuid()),
			"etag", hexN(32), "content_md5", b64(false), "sha256", b64(rng.IntN(2) == 0)}
	case 7:
		return "consumed", []any{"topic", pick("payments.v2", "orders", "audit-log"), "partition", rng.IntN(64), "offset", rng.Int64N(1 << 40), "lag", rng.IntN(5000),
			"ts_ns", 1733600000000000000 + rng.Int64N(1e15)}
	case 8:
		return "request failed", append(trace, "error", fmt.Errorf("%s", pick(
			fmt.Sprintf("dial tcp 10.0.%d.%d:5432: connect: connection refused", rng.IntN(256), rng.IntN(256)),
			"context deadline exceeded", "rpc error: code = Unavailable desc = transport is closing",
			fmt.Sprintf("GET https://api.example.com/v2/items?page=%d&limit=50: 503 Service Unavailable", rng.IntN(100)),
			fmt.Sprintf("pq: duplicate key value violates unique constraint \"orders_pkey\" (order %d)", rng.IntN(1e9)))), "retryable", rng.IntN(2) == 0)
	case 9:
		return "worker heartbeat", []any{"worker", fmt.Sprintf("worker-%s-%s", hexN(6), hexN(4)), "session_id", "s-" + strconv.Itoa(rng.IntN(1e4)),
			"tokens_used", rng.IntN(1e5), "lease_expires_ms", ms, "wait", dur}
	case 10:
		return "user signed in", append(trace, "user_id", rng.IntN(1e8), "email", fmt.Sprintf("user%d@example.com", rng.IntN(1e6)),
			"password_hint_set", rng.IntN(2) == 0, "mfa", pick("totp", "webauthn", "none"), "ip", fmt.Sprintf("192.0.2.%d", rng.IntN(256)))
	default:
		return fmt.Sprintf("batch of %d done in %s", rng.IntN(5000), dur), []any{"job", "nightly-" + pick("export", "reindex", "cleanup"),
			"started", time.UnixMilli(ms).UTC().Format(time.RFC3339Nano), "ratio", rng.Float64(), "dsn", "postgres://db.internal:5432/app?sslmode=require"}
	}
}

func pick3(rng *rand.Rand, xs ...int) int { return xs[rng.IntN(len(xs))] }

// corpusLines is the size of the generated corpus.
const corpusLines = 12000

// TestGeneratedCorpus logs corpusLines generated lines (seed 21) through
// logenv.New with its defaults, in the json, text and tint formats, and
// counts the lines where something was redacted: each is a false
// positive. BENCHMARKS.md publishes the count:
//
//	go test ./logenv/ -run TestGeneratedCorpus -v
func TestGeneratedCorpus(t *testing.T) {
	t.Parallel()
	for _, f := range []logenv.Format{logenv.FormatJSON, logenv.FormatText, logenv.FormatTint} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(21, 1))
			logger, buf := openFormat(t, f)
			falsePositives := 0
			for i := range corpusLines {
				buf.Reset()
				msg, args := corpusLine(rng)
				logger.Info(msg, args...)
				if out := buf.String(); strings.Contains(out, redact.Redacted) {
					falsePositives++
					if falsePositives <= 5 {
						t.Errorf("line %d redacted: %s", i, out)
					}
				}
			}
			t.Logf("format %s: %d lines, %d false positives", f, corpusLines, falsePositives)
			assert.Zero(t, falsePositives)
		})
	}
	// redact's own defaults, without logenv's allowed trace and span ids:
	// a false positive is then an id of decimal digits only that passes
	// the Luhn check, a few in ten thousand lines.
	t.Run("redact-defaults", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(21, 1))
		var buf bytes.Buffer
		logger := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, nil), &redact.Options{ScanMessage: true}))
		falsePositives := 0
		for range corpusLines {
			buf.Reset()
			msg, args := corpusLine(rng)
			logger.Info(msg, args...)
			if out := buf.String(); strings.Contains(out, redact.Redacted) {
				falsePositives++
				assert.Regexp(t, `"(span|trace)_id":"\[REDACTED\]"`, out, "only an all-digit id is taken for a card")
			}
		}
		t.Logf("redact defaults: %d lines, %d false positives", corpusLines, falsePositives)
	})
}
