package redact_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs/redact"
)

// scanned logs s under a plain key with the given detectors and returns
// the value that reached the JSON handler.
func scanned(t *testing.T, s string, opts *redact.Options) string {
	t.Helper()
	var buf bytes.Buffer
	newLogger(&buf, opts).Info("m", "v", s)
	return decodeLine(t, buf.Bytes())["v"].(string)
}

// only runs the detectors d.
func only(d redact.Detector) *redact.Options { return &redact.Options{Detectors: d} }

func TestCardDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"4111111111111111", "[REDACTED]"},
		{"4111 1111 1111 1111", "[REDACTED]"},
		{"4111-1111-1111-1111", "[REDACTED]"},
		{"amex 3782-822463-10005 ok", "amex [REDACTED] ok"},    // 15 digits, 4-6-5
		{"4222222222222", "[REDACTED]"},                        // 13 digits
		{"6011000990139424", "[REDACTED]"},                     // discover
		{"3530111333300000", "[REDACTED]"},                     // JCB
		{"6759649826438453", "[REDACTED]"},                     // maestro
		{"4111111111111111110", "[REDACTED]"},                  // 19 digits, Luhn-valid
		{"4111111111111112", "4111111111111112"},               // Luhn fails
		{"411111111111", "411111111111"},                       // 12 digits: too short
		{"41111111111111111111111", "41111111111111111111111"}, // 23 digits, no groups
		{"4111 1111 1111 1111 2030", "[REDACTED] 2030"},        // card followed by a group
		{"id 12-4111-1111-1111-1111", "id 12-[REDACTED]"},      // group before the card
		{"a 4111111111111111, b 5555555555554444.", "a [REDACTED], b [REDACTED]."},
		{"4111  1111 1111 1111", "4111  1111 1111 1111"},     // double space breaks the run
		{"ts 1732600000000000000", "ts 1732600000000000000"}, // Luhn fails
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.CardNumbers)))
		})
	}
}

func TestBearerDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Bearer abc", "Bearer [REDACTED]"},
		{"authorization: BEARER a-b.c_d~e+f/g==", "authorization: BEARER [REDACTED]"},
		{"bearer\tx y", "bearer\t[REDACTED] y"},
		{"Bearer", "Bearer"},
		{"Bearer ", "Bearer "},
		{"Bearerabc", "Bearerabc"},
		{"xbearer abc", "xbearer abc"},
		{"two: Bearer a, Bearer b", "two: Bearer [REDACTED], Bearer [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.BearerTokens)))
		})
	}
}

func TestJWTDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{jwt, "[REDACTED]"},
		{"t=" + jwt + ";", "t=[REDACTED];"},
		{"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "[REDACTED]"}, // unsecured: empty signature
		{"eyJhbGciOiJub25lIn0.", "eyJhbGciOiJub25lIn0."},
		{"eyJa..b", "eyJa..b"},
		{"xeyJa.b.c", "xeyJa.b.c"},
		{"eyJ", "eyJ"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.JWTs)))
		})
	}
}

func TestDetectorsCombined(t *testing.T) {
	t.Parallel()
	all := &redact.Options{Detectors: redact.CardNumbers | redact.BearerTokens | redact.JWTs, Patterns: []*regexp.Regexp{regexp.MustCompile(`AKIA[0-9A-Z]{16}`), nil, regexp.MustCompile(`x*`)}}
	tests := []struct{ in, want string }{
		{"Bearer " + jwt, "Bearer [REDACTED]"},                                 // overlapping matches are masked once
		{"AKIAABCDEFGHIJKLMNOP4111111111111111", "[REDACTED]4111111111111111"}, // digits glued to a word are no card
		{"id c0b88d4111111111111111fc9", "id c0b88d4111111111111111fc9"},
		{"aws AKIAABCDEFGHIJKLMNOP card 4111111111111111 end", "aws [REDACTED] card [REDACTED] end"},
		{"only empty matches", "only empty matches"}, // x* matches empty strings: nothing masked
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, all))
		})
	}
}

func TestDSNDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://bob:hunter2@db/x", "postgres://bob:[REDACTED]@db/x"},
		{"dial postgres://bob:p@ss@db:5432/x?sslmode=disable: refused", "dial postgres://bob:[REDACTED]@db:5432/x?sslmode=disable: refused"},
		{"postgres://bob@db/x", "postgres://bob@db/x"}, // no password
		{"postgres://db/x", "postgres://db/x"},         // no credentials: a routing value
		{"https://h/p?token=abc123&page=2", "https://h/p?token=[REDACTED]&page=2"},
		{"https://h/p?page=2&Access-Token=abc#frag", "https://h/p?page=2&Access-Token=[REDACTED]#frag"},
		{"https://h/p?session_id=s1&tokens_used=3", "https://h/p?session_id=s1&tokens_used=3"},
		{"redis://:pw@cache:6379", "redis://:[REDACTED]@cache:6379"},
		{"not a url: a:b@c", "not a url: a:b@c"},
		{"amqp://guest:guest-pw@mq:5672/vhost", "amqp://guest:[REDACTED]@mq:5672/vhost"},
		{"mongodb+srv://app:m0ng0@cluster0.example.net/db?retryWrites=true", "mongodb+srv://app:[REDACTED]@cluster0.example.net/db?retryWrites=true"},
		{"rediss://default:r3d1s@cache:6380/0", "rediss://default:[REDACTED]@cache:6380/0"},
		{"postgres://bob:p%40ss%2Fw0rd@db/x", "postgres://bob:[REDACTED]@db/x"}, // percent-encoded
		{"open bob:hunter2@tcp(db:3306)/app?parseTime=true: refused", "open bob:[REDACTED]@tcp(db:3306)/app?parseTime=true: refused"},
		{"bob:p@ss:w0rd@unix(/tmp/mysql.sock)/app", "bob:[REDACTED]@unix(/tmp/mysql.sock)/app"},
		{"dsn=bob:pw@/app", "dsn=bob:[REDACTED]@/app"},   // no protocol: the default
		{"bob@tcp(db:3306)/app", "bob@tcp(db:3306)/app"}, // no password
		{"mail bob@example.com at 12:30", "mail bob@example.com at 12:30"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.DSNs)))
		})
	}
}

const pemKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nq2xB\n-----END RSA PRIVATE KEY-----"

func TestPrivateKeyDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{pemKey, "[REDACTED]"},
		{"key: " + pemKey + "\ntrailer", "key: [REDACTED]\ntrailer"},
		{"-----BEGIN PRIVATE KEY-----\nMIIE (truncated", "[REDACTED]"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----", "[REDACTED]"},
		{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{"----- not pem", "----- not pem"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.PrivateKeys)))
		})
	}
}

func TestKeyValuePairsDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"password=hunter2", "password=[REDACTED]"},
		{"connect failed: host=db password=hunter2 user=bob", "connect failed: host=db password=[REDACTED] user=bob"},
		{"db_password = 'hunter 2' next", "db_password = '[REDACTED]' next"},
		{`{"api_key":"k-123","id":7}`, `{"api_key":"[REDACTED]","id":7}`},
		{"auth failed: token: abc123", "auth failed: token: [REDACTED]"},
		{"Authorization: Basic dXNlcjpwdw== sent", "Authorization: [REDACTED] sent"},
		{"aws_secret_access_key=AKIA/x+y", "aws_secret_access_key=[REDACTED]"},
		{"session_id=s1 tokens_used=3 password_hint=pet", "session_id=s1 tokens_used=3 password_hint=pet"},
		{"at 12:30:00 retry=3", "at 12:30:00 retry=3"},
		{"pin=1", "pin=[REDACTED]"}, // the shortest default key: minLen must not skip it
		{"password=", "password="},
		{"password: ", "password: "},
		// libpq keyword/value, JDBC and ADO.NET lists: the user and host stay.
		{"host=db port=5432 user=bob password='pw with space' dbname=app", "host=db port=5432 user=bob password='[REDACTED]' dbname=app"},
		{"jdbc:sqlserver://db:1433;user=bob;password=jdbcpw;databaseName=app", "jdbc:sqlserver://db:1433;user=bob;password=[REDACTED];databaseName=app"},
		{"jdbc:mysql://db:3306/app?user=bob&password=pw&useSSL=true", "jdbc:mysql://db:3306/app?user=bob&password=[REDACTED]&useSSL=true"},
		{"Server=db;Database=app;User Id=bob;Password=ado.pw;Encrypt=true", "Server=db;Database=app;User Id=bob;Password=[REDACTED];Encrypt=true"},
		{"Password=first;Server=db", "Password=[REDACTED];Server=db"},
		{"Driver={ODBC};Server=db;UID=bob;PWD={p;w};", "Driver={ODBC};Server=db;UID=bob;PWD={[REDACTED]};"},
		{"password=a;b host=db", "password=[REDACTED] host=db"}, // a ';' not followed by key= is the value's
		// Form bodies.
		{"grant_type=client_credentials&client_secret=cs1&scope=read", "grant_type=client_credentials&client_secret=[REDACTED]&scope=read"},
		{"password=pw1&user=bob", "password=[REDACTED]&user=bob"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.KeyValuePairs)))
		})
	}
	// Allowed and whole-key settings apply inside strings too.
	assert.Equal(t, "session=s1 db_password=[REDACTED]", scanned(t, "session=s1 db_password=x",
		&redact.Options{Detectors: redact.KeyValuePairs, AllowKeys: []string{"session"}}))
	assert.Equal(t, "x=[REDACTED]", scanned(t, "x=y", &redact.Options{Detectors: redact.KeyValuePairs, Keys: append(redact.DefaultKeys(), "x")}))
}

func TestDetectorsOff(t *testing.T) {
	t.Parallel()
	in := "4111111111111111 Bearer x " + jwt + " postgres://u:p@h " + pemKey + " password=y"
	want := "[REDACTED] Bearer [REDACTED] [REDACTED] postgres://u:[REDACTED]@h [REDACTED] password=[REDACTED] [REDACTED]"
	in += " " + ghToken
	assert.Equal(t, want, scanned(t, in, nil), "the defaults run every detector")
	assert.Equal(t, want, scanned(t, in, only(redact.AllDetectors)))
	for _, d := range []redact.Detector{redact.CardNumbers, redact.BearerTokens, redact.JWTs, redact.DSNs, redact.PrivateKeys, redact.KeyValuePairs, redact.VendorTokens} {
		out := scanned(t, in, only(redact.AllDetectors&^d))
		assert.NotEqual(t, want, out, "detector %b off", d)
	}
	assert.Equal(t, in, scanned(t, in, only(redact.NoDetectors)))
}

// TestPatternsBesideBuiltins: with a pattern, every byte is a possible
// start; the built-in detectors still start only from their own bytes.
func TestPatternsBesideBuiltins(t *testing.T) {
	t.Parallel()
	opts := &redact.Options{Detectors: redact.AllDetectors, Patterns: []*regexp.Regexp{regexp.MustCompile(`sk_[a-z]+`)}}
	assert.Equal(t, "passwordx tokens_used key [REDACTED] password=[REDACTED]", scanned(t, "passwordx tokens_used key sk_live password=p", opts))
}
