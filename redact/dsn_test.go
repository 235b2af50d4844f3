package redact_test

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/provobs/provobs/redact"
)

// The differential reference for DSNs, one regexp per rule, written from
// the rules in the Detector documentation:
//   - URL userinfo: after "://", up to the last '@' before a space, '/',
//     '?', '#', a quote or '>'; the password is what follows the first ':';
//   - go-sql-driver/mysql: in a word (spaces and quotes end it) without
//     "://", from the first ':' to an '@' followed by proto( or '/';
//   - a query parameter after '?' or '&' whose name is a sensitive key,
//     up to a space, a quote, '&' or '#'.
var (
	refUserinfo   = regexp.MustCompile(`://([^\s/?#"'>]*)@`)
	refMySQLAfter = regexp.MustCompile(`^(?:[a-z0-9]+\(|/)`)
	refQuery      = regexp.MustCompile(`^[?&]([A-Za-z0-9_.\-]+)=([^\s"'&#]*)`)
)

// refDSNMask masks what the reference finds in s; sensitive says whether
// a query parameter name is a sensitive key.
func refDSNMask(s string, sensitive func(string) bool) string {
	var spans [][2]int
	for _, m := range refUserinfo.FindAllStringSubmatchIndex(s, -1) {
		ui := s[m[2]:m[3]]
		if c := strings.IndexByte(ui, ':'); c >= 0 && m[2]+c+1 < m[3] {
			spans = append(spans, [2]int{m[2] + c + 1, m[3]})
		}
	}
	nUserinfo := len(spans)
	// mysql: every '@' followed by proto( or '/', from the first ':' of
	// its word.
	for p := strings.IndexByte(s, '@'); p >= 0; {
		if refMySQLAfter.MatchString(s[p+1:]) {
			b := strings.LastIndexAny(s[:p], " \t\n\r\"'`") + 1
			word := s[b:p]
			if c := strings.IndexByte(word, ':'); c >= 0 && c < len(word)-1 && !strings.Contains(word, "://") {
				spans = append(spans, [2]int{b + c + 1, p})
			}
		}
		next := strings.IndexByte(s[p+1:], '@')
		if next < 0 {
			break
		}
		p += 1 + next
	}
	// Query parameters: at every '?' and '&', as a value may hold either,
	// except inside a URL password (found at its "://", before them: the
	// pass resumes after a match, as the Detector documentation says).
	userinfo := slices.Clone(spans[:nUserinfo])
	inside := func(i int) bool {
		for _, sp := range userinfo {
			if sp[0] <= i && i < sp[1] {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '?' && s[i] != '&' || inside(i) {
			continue
		}
		if m := refQuery.FindStringSubmatchIndex(s[i:]); m != nil && sensitive(s[i+m[2]:i+m[3]]) && m[5] > m[4] {
			spans = append(spans, [2]int{i + m[4], i + m[5]})
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	last := 0
	for k := 0; k < len(spans); {
		start, end := spans[k][0], spans[k][1]
		for k++; k < len(spans) && spans[k][0] <= end; k++ {
			end = max(end, spans[k][1])
		}
		start = max(start, last)
		b.WriteString(s[last:start])
		b.WriteString(redact.Redacted)
		last = max(last, end)
	}
	b.WriteString(s[last:])
	return b.String()
}

// TestDSNsAgreeWithReference compares the DSNs detector with refDSNMask
// on random and adversarial connection strings: URLs of several schemes
// with and without userinfo, '@' and ':' in passwords, mysql DSNs with and
// without protocols, query strings, e-mail addresses and times.
func TestDSNsAgreeWithReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 3))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	word := func() string {
		const alpha = "abcxyz019_-.%:@"
		n := rng.IntN(8)
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	piece := func() string {
		switch rng.IntN(8) {
		case 0:
			return pick("postgres", "amqp", "mongodb+srv", "redis", "") + "://" + word() + pick(":", "") + word() + pick("@", "@@", "") + pick("db", "h:5432", "") + pick("/x", "?a=1", "", "#f")
		case 1:
			return word() + ":" + word() + "@" + pick("tcp(db:3306)", "unix(/s)", "", "x") + pick("/app", "", "?p=1")
		case 2:
			return pick("?", "&") + pick("token", "password", "page", "tokens_used", "client_secret", "q") + "=" + word()
		case 3:
			return pick("bob@example.com", "12:30:00", "a:b@c", "@tcp(", ":@/", "://")
		case 4:
			return word()
		default:
			return pick(" ", "\"", "'", "/", "?", "&", "#", "=", ">", "`")
		}
	}
	sensitive := func(k string) bool {
		return slices.Contains([]string{"token", "password", "client_secret"}, k)
	}
	differential(t, only(redact.DSNs), func() string {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString(piece())
		}
		return b.String()
	}, func(in string) string { return refDSNMask(in, sensitive) }, "a password")
}
