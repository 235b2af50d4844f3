package redact_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/provobs/provobs/redact"
)

// The fuzz test builds records, With/WithGroup chains, LogValuers, errors,
// maps and slices from the fuzz input. Every secret it plants carries the
// marker below (or is one of the card numbers, or matches the caller
// pattern) and is placed where the handler must remove it; plain text is
// drawn from an alphabet that cannot form a marker, a digit or "eyJ".
const marker = "S3CR3T"

var fuzzCards = []string{"4111111111111111", "5555-5555-5555-4444", "3782 822463 10005"}

var fuzzPattern = regexp.MustCompile(`PAT[0-9]+`)

// fuzzGen draws decisions from the fuzz input; past its end it returns 0.
type fuzzGen struct {
	data   []byte
	i      int
	n      int // secrets planted
	mask   bool
	card   bool
	bearer bool
	jwt    bool
	pat    bool
	msg    bool
	url    bool
	pem    bool
	kv     bool
	whole  bool // never set: keys always match by trailing words
	vendor bool
	noStr  bool // struct fields off: no struct secrets planted
}

// fuzzStruct is a struct value with sensitive fields, by name and by tag.
type fuzzStruct struct {
	Name     string
	Password string
	Key      string `json:"api_key"`
	Inner    map[string]any
}

func (g *fuzzGen) byte() byte {
	if g.i >= len(g.data) {
		return 0
	}
	b := g.data[g.i]
	g.i++
	return b
}

func (g *fuzzGen) intn(n int) int { return int(g.byte()) % n }

// plain returns up to 8 characters that can never form a secret.
func (g *fuzzGen) plain() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz_-. "
	n := g.intn(9)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.intn(len(alphabet))]
	}
	return string(b)
}

// secret returns a new marked secret value.
func (g *fuzzGen) secret() string {
	g.n++
	return fmt.Sprintf("%s%d", marker, g.n)
}

// sensitiveKey returns a default key in a random case and separator style.
func (g *fuzzGen) sensitiveKey() string {
	keys := redact.DefaultKeys()
	k := []byte(keys[g.intn(len(keys))])
	for i := range k {
		switch g.intn(4) {
		case 1:
			k[i] = bytes.ToUpper(k[i : i+1])[0]
		case 2:
			if k[i] == '_' {
				k[i] = "-. "[g.intn(3)]
			}
		}
	}
	return string(k)
}

// plainKey returns a key that is usually not sensitive.
func (g *fuzzGen) plainKey() string {
	if g.intn(4) == 0 {
		return []string{"operation", "instance_id", "error", "events", "user", "tokens_used"}[g.intn(6)]
	}
	return g.plain()
}

// scanKey returns a key whose value detectors scan: never the allowed key.
func (g *fuzzGen) scanKey() string {
	if k := g.plainKey(); k != "user" {
		return k
	}
	return "u"
}

// leaf returns an attribute that hides a secret (or a plain attribute).
func (g *fuzzGen) leaf(depth int) slog.Attr {
	switch g.intn(37) {
	case 0:
		return slog.String(g.sensitiveKey(), g.secret())
	case 1:
		return slog.Any(g.plainKey(), redact.NewSecret(g.secret()))
	case 2:
		s := redact.NewSecret(g.secret())
		return slog.Any(g.plainKey(), &s)
	case 3:
		return slog.Any(g.plainKey(), fuzzValuer{slog.GroupValue(g.leaf(depth+1), slog.String(g.sensitiveKey(), g.secret()))})
	case 4:
		return slog.Any(g.sensitiveKey(), fuzzValuer{slog.StringValue(g.secret())})
	case 5:
		return slog.Group(g.sensitiveKey(), slog.String(g.plainKey(), g.secret()))
	case 6:
		return slog.Any(g.plainKey(), map[string]any{
			g.sensitiveKey(): g.secret(), g.plainKey(): g.plain(),
			"nested": map[string]string{g.sensitiveKey(): g.secret(), "ok": g.plain()},
			"s":      redact.NewSecret(g.secret()),
			"lv":     fuzzValuer{slog.GroupValue(slog.String(g.sensitiveKey(), g.secret()))},
		})
	case 7:
		return slog.Any(g.plainKey(), http.Header{g.sensitiveKey(): {g.secret()}, "Accept": {g.plain()}})
	case 8:
		return slog.Any(g.plainKey(), []any{
			redact.NewSecret(g.secret()), map[string]any{g.sensitiveKey(): g.secret()},
			slog.String(g.sensitiveKey(), g.secret()), g.plain(), []slog.Attr{slog.String(g.sensitiveKey(), g.secret())},
		})
	case 9:
		return slog.Any(g.sensitiveKey(), errors.New(g.secret()))
	case 10:
		return slog.Any(g.plainKey(), []map[string]any{{g.sensitiveKey(): g.secret()}})
	case 11:
		return slog.Any(g.plainKey(), fuzzValuer{slog.AnyValue(redact.NewSecret(g.secret()))})
	case 12:
		if g.bearer {
			return slog.String(g.scanKey(), g.plain()+" Bearer "+g.secret()+" "+g.plain())
		}
	case 13:
		if g.bearer {
			return slog.Any(g.scanKey(), fmt.Errorf("%s: %w", g.plain(), errors.New("Authorization: bearer "+g.secret())))
		}
	case 14:
		if g.jwt {
			return slog.String(g.scanKey(), g.plain()+"|eyJ"+g.secret()+".e30.x|")
		}
	case 15:
		if g.card {
			return slog.String(g.scanKey(), g.plain()+" "+fuzzCards[g.intn(len(fuzzCards))]+" "+g.plain())
		}
	case 16:
		if g.pat {
			return slog.Any(g.scanKey(), []string{g.plain(), fmt.Sprintf("x PAT%d y", g.intn(100))})
		}
	case 17:
		if depth < 6 {
			return slog.GroupAttrs(g.plainKey(), g.attrs(depth+1)...)
		}
	case 18:
		if depth < 6 {
			return slog.GroupAttrs("", g.attrs(depth+1)...)
		}
	case 19:
		if !g.whole { // a compound key ending in a sensitive key: after a separator or a case change
			k := g.sensitiveKey()
			if g.intn(2) == 0 {
				return slog.String("user"+strings.ToUpper(k[:1])+k[1:], g.secret())
			}
			return slog.String([]string{"db_", "aws-", "x.", "a b "}[g.intn(4)]+k, g.secret())
		}
	case 20:
		if !g.noStr {
			return slog.Any(g.plainKey(), fuzzStruct{Name: g.plain(), Password: g.secret(), Key: g.secret(),
				Inner: map[string]any{g.sensitiveKey(): g.secret()}})
		}
	case 21:
		if !g.noStr {
			return slog.Any(g.plainKey(), &fuzzStruct{Name: g.plain(), Key: g.secret()})
		}
	case 22:
		m := map[string]string{g.sensitiveKey(): g.secret(), "ok": g.plain()}
		return slog.Any(g.plainKey(), &m)
	case 23:
		l := []any{redact.NewSecret(g.secret()), g.plain()}
		return slog.Any(g.plainKey(), &l)
	case 24:
		if g.url {
			return slog.String(g.scanKey(), g.plain()+" postgres://bob:"+g.secret()+"@db/x "+g.plain())
		}
	case 25:
		if g.url || g.kv {
			return slog.Any(g.scanKey(), errors.New("get https://h/p?a=1&token="+g.secret()+"&b=2"))
		}
	case 26:
		if g.pem {
			return slog.String(g.scanKey(), "-----BEGIN EC PRIVATE KEY-----\n"+g.secret()+"\n-----END EC PRIVATE KEY-----")
		}
	case 27:
		if g.kv {
			k := strings.ReplaceAll(g.sensitiveKey(), " ", "_") // a bare key in text has no spaces
			return slog.String(g.scanKey(), g.plain()+" "+k+"="+g.secret()+" "+g.plain())
		}
	case 28:
		if g.kv {
			k := "db_password"
			if g.whole {
				k = g.sensitiveKey()
			}
			return slog.Any(g.scanKey(), fmt.Errorf("%s: %w", g.plain(), errors.New(`{"`+k+`": "`+g.secret()+`"}`)))
		}
	case 29:
		if g.vendor { // vendor tokens that carry the marker in their body
			sec := g.secret()
			pad := func(n int) string {
				return (sec + "QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7QZ7")[:n]
			}
			tok := []string{
				"AKIA" + pad(16), ghMake("ghp_", pad(30)), ghMake("ghs_", pad(30)), "glpat-" + pad(20),
				"xoxb-123456789012-" + pad(24), "sk_live_" + pad(24), "AIza" + pad(35), "npm_" + pad(36),
				"sk-proj-" + pad(40), "github_pat_" + pad(82),
			}[g.intn(10)]
			return slog.String(g.scanKey(), g.plain()+" "+tok+" "+g.plain())
		}
	case 30:
		if g.url { // go-sql-driver/mysql and other schemes
			dsn := []string{"bob:" + g.secret() + "@tcp(db:3306)/x?parseTime=true", "bob:" + g.secret() + "@/x",
				"amqp://guest:" + g.secret() + "@mq:5672/", "mongodb+srv://u:" + g.secret() + "@c.example/db"}[g.intn(4)]
			return slog.Any(g.scanKey(), errors.New("open "+dsn+": refused"))
		}
	case 31:
		if g.kv { // JDBC, ADO.NET and libpq lists
			dsn := []string{"jdbc:sqlserver://db;user=bob;password=" + g.secret() + ";databaseName=x",
				"Server=db;User Id=bob;Password=" + g.secret() + ";Database=x", "host=db user=bob password='" + g.secret() + " x' dbname=x"}[g.intn(3)]
			return slog.String(g.scanKey(), dsn)
		}
	case 32:
		if g.kv { // a JSON body in a string, []byte or json.RawMessage
			body := `{"a":1,"` + g.sensitiveKey() + `":{"x":"` + g.secret() + `","n":[1,2]},"b":"` + g.plain() + `"}`
			return []slog.Attr{slog.String(g.scanKey(), body), slog.Any(g.scanKey(), []byte(body)),
				slog.Any(g.scanKey(), json.RawMessage(body))}[g.intn(3)]
		}
	case 33:
		if g.kv { // a form body
			return slog.String(g.scanKey(), "a=1&"+strings.ReplaceAll(g.sensitiveKey(), " ", "_")+"="+g.secret()+"&b=2")
		}
	case 34:
		if !g.noStr { // a sensitive Go name behind an innocuous tag, embedded and by pointer
			return slog.Any(g.plainKey(), fuzzTagged{fuzzEmbedded: fuzzEmbedded{Secret: g.secret()}, Password: g.secret(), Inner: &fuzzInner{Token: g.secret()}})
		}
	case 35:
		if g.url {
			return slog.String(g.scanKey(), "redis://:"+g.secret()+"@cache:6379/0")
		}
	}
	return slog.String(g.plainKey(), g.plain())
}

// fuzzTagged hides sensitive Go field names behind innocuous json names.
type fuzzTagged struct {
	fuzzEmbedded
	Password string     `json:"pw"`
	Inner    *fuzzInner `json:"in"`
}

type fuzzEmbedded struct {
	Secret string `json:"s"`
}

type fuzzInner struct {
	Token string `json:"t"`
}

func (g *fuzzGen) attrs(depth int) []slog.Attr {
	n := g.intn(5)
	as := make([]slog.Attr, 0, n)
	for range n {
		as = append(as, g.leaf(depth))
	}
	return as
}

// fuzzValuer resolves to a fixed value.
type fuzzValuer struct{ v slog.Value }

func (f fuzzValuer) LogValue() slog.Value { return f.v }

func FuzzRedact(f *testing.F) {
	f.Add([]byte{0xff, 0x07, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
	f.Add([]byte("\x00\x00\x02\x11\x06\x07\x08\x09\x0a\x12\x03"))
	// One seed for each path of issues 15 and 16: compound keys, struct
	// values by value and by pointer, pointers to a map and a slice, URL
	// credentials, query parameters, PEM blocks and key=value pairs in
	// strings and errors.
	for _, leaf := range []byte{19, 20, 21, 22, 23, 24, 25, 26, 27, 28} {
		f.Add([]byte{0xff, 0x07, 0, 0, 4, leaf, leaf, leaf, leaf})
	}
	f.Add([]byte{0x00, 0x18, 0, 0, 4, 19, 20, 21, 22}) // struct fields off
	// Issue 21: vendor tokens, mysql and other DSNs, ; lists, JSON and form
	// bodies, sensitive Go names behind innocuous tags.
	for _, leaf := range []byte{29, 30, 31, 32, 33, 34, 35} {
		f.Add([]byte{0xff, 0x0f, 0, 0, 4, leaf, leaf, leaf, leaf})
	}
	f.Fuzz(fuzzOne)
}

// fuzzOne logs one generated record through JSON and text sinks and fails
// if a planted secret reaches either, or an audit path.
func fuzzOne(t *testing.T, data []byte) {
	g := &fuzzGen{data: data}
	flags := g.byte()
	g.mask, g.card, g.bearer = flags&1 != 0, flags&2 != 0, flags&4 != 0
	g.jwt, g.pat, g.msg = flags&8 != 0, flags&16 != 0, flags&32 != 0
	flags2 := g.byte()
	g.url, g.pem, g.kv = flags2&1 != 0, flags2&2 != 0, flags2&4 != 0
	g.vendor, g.noStr = flags2&8 != 0, flags2&16 != 0
	opts := &redact.Options{AllowKeys: []string{"user"}, NoStructFields: g.noStr, ScanMessage: g.msg}
	for _, d := range []struct {
		on bool
		d  redact.Detector
	}{
		{g.url, redact.DSNs}, {g.pem, redact.PrivateKeys}, {g.kv, redact.KeyValuePairs}, {g.card, redact.CardNumbers},
		{g.bearer, redact.BearerTokens}, {g.jwt, redact.JWTs}, {g.vendor, redact.VendorTokens},
	} {
		if d.on {
			opts.Detectors |= d.d
		}
	}
	if opts.Detectors == 0 {
		opts.Detectors = redact.NoDetectors
	}
	if g.mask {
		opts.Mode = redact.Mask
	}
	if g.pat {
		opts.Patterns = []*regexp.Regexp{fuzzPattern}
	}
	var (
		mu    sync.Mutex
		paths []string
	)
	opts.Audit = func(path string, _ redact.Reason) {
		mu.Lock()
		paths = append(paths, path)
		mu.Unlock()
	}

	var jsonOut, textOut bytes.Buffer
	hs := []slog.Handler{
		redact.NewHandler(slog.NewJSONHandler(&jsonOut, nil), opts),
		redact.NewHandler(slog.NewTextHandler(&textOut, nil), opts),
	}
	// Draw the chain and the record once; apply them to both handlers.
	type step struct {
		group string
		attrs []slog.Attr
	}
	var steps []step
	for range g.intn(4) {
		if g.intn(2) == 0 {
			steps = append(steps, step{group: g.plain()})
		} else {
			steps = append(steps, step{attrs: g.attrs(0)})
		}
	}
	msg := g.plain()
	if g.msg && g.bearer {
		msg += " Bearer " + g.secret()
	}
	// A canary that must survive shows the handler does not drop too much.
	recAttrs := append(g.attrs(0), slog.String("canary", "alive"))
	for _, h := range hs {
		for _, s := range steps {
			if s.attrs != nil {
				h = h.WithAttrs(s.attrs)
			} else {
				h = h.WithGroup(s.group)
			}
		}
		slog.New(h).LogAttrs(t.Context(), slog.LevelInfo, msg, recAttrs...)
	}

	for name, out := range map[string]string{"json": jsonOut.String(), "text": textOut.String()} {
		checkNoLeak(t, name, out)
		if !strings.Contains(out, "alive") {
			t.Fatalf("%s output lost the canary:\n%s", name, out)
		}
	}
	for _, p := range paths {
		checkNoLeak(t, "audit path", p)
	}
	var m map[string]any
	if err := json.Unmarshal(jsonOut.Bytes(), &m); err != nil {
		t.Fatalf("JSON output does not parse: %v\n%s", err, jsonOut.String())
	}
}

func checkNoLeak(t *testing.T, name, out string) {
	t.Helper()
	if strings.Contains(out, marker) {
		t.Fatalf("%s output leaks a secret:\n%s", name, out)
	}
	for _, c := range fuzzCards {
		if strings.Contains(out, c) {
			t.Fatalf("%s output leaks card %s:\n%s", name, c, out)
		}
	}
	if fuzzPattern.MatchString(out) {
		t.Fatalf("%s output leaks a pattern match:\n%s", name, out)
	}
}
