package reliability_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/clock"
	"github.com/provobs/provobs/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// long reports whether the long variants run (PROVOBS_LONG=1).
func long() bool { return os.Getenv("PROVOBS_LONG") == "1" }

// openFile opens a SQLite file store closed at the end of the test.
func openFile(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Provider {
	t.Helper()
	p, err := sqlite.Open(context.Background(), path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// rawDB opens a read-only database/sql connection to a store file, as an
// operator's tool would, to read what the provider API does not show.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	q := url.Values{}
	q.Add("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String())
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// count runs a count(*) query.
func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(query, args...).Scan(&n), query)
	return n
}

// column returns the first column of every row of query.
func column(t testing.TB, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	require.NoError(t, err, query)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// dump renders every row of every table, sorted, with NULL told apart from
// empty and blobs in hex: two equal dumps are two equal stores.
func dump(t testing.TB, db *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range column(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		lines := []string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			var b strings.Builder
			for i, v := range vals {
				switch v := v.(type) {
				case nil:
					fmt.Fprintf(&b, "%s=NULL ", cols[i])
				case []byte:
					fmt.Fprintf(&b, "%s=x'%x' ", cols[i], v)
				default:
					fmt.Fprintf(&b, "%s=%q ", cols[i], fmt.Sprint(v))
				}
			}
			lines = append(lines, b.String())
		}
		require.NoError(t, rows.Err())
		rows.Close()
		slices.Sort(lines)
		out[table] = lines
	}
	return out
}

// snapshot is what a bad call must not change: the provider's view (queue
// depths, instances, histories) and every stored row.
type snapshot struct {
	Depths    provobs.QueueDepths
	Instances []provobs.InstanceInfo
	Histories map[string][]provobs.Event
	Rows      map[string][]string
}

func takeSnapshot(t testing.TB, p *sqlite.Provider, db *sql.DB) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	var err error
	s.Depths, err = p.QueueDepths(ctx)
	require.NoError(t, err)
	s.Instances, err = p.ListInstances(ctx, provobs.ListOptions{Limit: 1000})
	require.NoError(t, err)
	s.Histories = map[string][]provobs.Event{}
	for _, info := range s.Instances {
		for exec := uint64(1); exec <= info.ExecutionID; exec++ {
			h, err := p.ReadHistory(ctx, info.InstanceID, exec)
			require.NoError(t, err)
			s.Histories[fmt.Sprintf("%s/%d", info.InstanceID, exec)] = h
		}
	}
	s.Rows = dump(t, db)
	return s
}

// fileHash hashes a store's files (database, WAL, shared memory) and lists
// the directory, so a refused Open can be shown to have written nothing.
func fileHash(t testing.TB, path string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	for _, e := range entries {
		fmt.Fprintf(&b, "%s ", e.Name())
		if e.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
			require.NoError(t, err)
			fmt.Fprintf(&b, "%x\n", sha256.Sum256(data))
		}
	}
	return b.String()
}

// newFakeClock returns a manual clock for WithClock, at a fixed instant.
func newFakeClock() *clock.Manual {
	return clock.NewManual(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC))
}

func start(id string) provobs.WorkItem {
	return provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id, Payload: []byte("in:" + id)}
}

func activity(id string, corr uint64) provobs.WorkItem {
	return provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: corr, Payload: []byte("act")}
}

func completion(id string, corr uint64) *provobs.WorkItem {
	return &provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: id, ExecutionID: 1, CorrelationID: corr, Payload: []byte("done")}
}

func requireType(t testing.TB, want provobs.ErrorType, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	require.Equal(t, want, provobs.TypeOf(err), "%s: %v", what, err)
}
