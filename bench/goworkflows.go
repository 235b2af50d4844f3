package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/backend/monoprocess"
	gwsqlite "github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
)

// GoWorkflowsDSN is the DSN of the go-workflows file database at path: the
// one go-workflows' NewSqliteBackend opens ("file:"+path+"?_txlock=immediate",
// v1.4.2) with synchronous pinned to FULL, provobs's default: modernc's
// driver runs each _pragma on every connection it opens. go-workflows sets
// only journal_mode=WAL and busy_timeout=5000 itself (backend/sqlite/
// sqlite.go, v1.2.0 to v1.4.2) and leaves synchronous at the driver's
// default. Since v1.4.2 appends its own query string to the path, the
// database is opened here and given to NewSqliteBackendWithDB with the
// settings NewSqliteBackend applies.
func GoWorkflowsDSN(path string) string {
	return "file:" + path + "?_txlock=immediate&_pragma=synchronous(FULL)"
}

// openGoWorkflowsFile opens the file database as go-workflows'
// NewSqliteBackend does (WAL, busy_timeout 5000, one connection,
// migrations), at synchronous=FULL.
func openGoWorkflowsFile(path string, opts ...backend.BackendOption) (backend.Backend, *sql.DB, error) {
	db, err := sql.Open("sqlite", GoWorkflowsDSN(path))
	if err != nil {
		return nil, nil, err
	}
	for _, pragma := range []string{"PRAGMA journal_mode=WAL;", "PRAGMA busy_timeout = 5000;"} {
		if _, err := db.Exec(pragma); err != nil {
			_ = db.Close()
			return nil, nil, err
		}
	}
	db.SetMaxOpenConns(1)
	return gwsqlite.NewSqliteBackendWithDB(db, gwsqlite.WithApplyMigrations(true), gwsqlite.WithBackendOptions(opts...)), db, nil
}

// OneActivity is the peer's workflow: it runs one activity and completes.
func OneActivity(ctx workflow.Context) error {
	_, err := workflow.ExecuteActivity[int](ctx, workflow.DefaultActivityOptions, Noop).Get(ctx)
	return err
}

// Noop is the activity: no work, no delay.
func Noop(context.Context) (int, error) { return 0, nil }

// GoWorkflows is a go-workflows SQLite backend with its engine (a worker
// with 2 workflow and 2 activity pollers, as stress's 2+2 dispatchers) and
// a completion hook.
type GoWorkflows struct {
	Backend backend.Backend
	raw     backend.Backend
	db      *sql.DB // the file database, closed after raw; nil in memory
	hook    *completionHook
	worker  *worker.Worker
	client  *client.Client
	cancel  context.CancelFunc
}

// OpenGoWorkflows creates the go-workflows SQLite backend at path (in memory
// when path is "") and starts its worker. The backend is wrapped, innermost
// first, by a completion hook and by go-workflows' own monoprocess backend,
// which wakes the pollers on new work in the same process (what its bench
// uses for SQLite, and the counterpart of provobs's in-process long poll).
func OpenGoWorkflows(ctx context.Context, path string) (*GoWorkflows, error) {
	return OpenGoWorkflowsWrapped(ctx, path, nil)
}

// OpenGoWorkflowsWrapped is OpenGoWorkflows with wrap (if not nil) applied
// to the backend between the completion hook and the monoprocess backend,
// where a decorator of storage calls goes (goworkflows.Wrap): it sees every
// call the engine makes, and monoprocess's wait for work is not one.
func OpenGoWorkflowsWrapped(ctx context.Context, path string, wrap func(backend.Backend) backend.Backend) (*GoWorkflows, error) {
	quietLog := backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	quiet := gwsqlite.WithBackendOptions(quietLog)
	var raw backend.Backend
	var db *sql.DB // the file database, which the backend does not own
	if path == "" {
		raw = gwsqlite.NewInMemoryBackend(quiet)
	} else {
		var err error
		if raw, db, err = openGoWorkflowsFile(path, quietLog); err != nil {
			return nil, err
		}
	}
	return startGoWorkflows(ctx, raw, db, wrap)
}

// startGoWorkflows wraps raw (innermost first) in the completion hook and
// the monoprocess backend and starts a worker on it.
func startGoWorkflows(ctx context.Context, raw backend.Backend, db *sql.DB, wrap func(backend.Backend) backend.Backend) (*GoWorkflows, error) {
	hook := &completionHook{Backend: raw, waiters: map[string]chan struct{}{}}
	var inner backend.Backend = hook
	if wrap != nil {
		inner = wrap(hook)
	}
	b := monoprocess.NewMonoprocessBackend(inner)

	opts := worker.DefaultOptions // 2 workflow pollers, 2 activity pollers
	w := worker.New(b, &opts)
	if err := w.RegisterWorkflow(OneActivity); err != nil {
		return nil, err
	}
	if err := w.RegisterActivity(Noop); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	if err := w.Start(wctx); err != nil {
		cancel()
		_ = raw.Close()
		if db != nil {
			_ = db.Close()
		}
		return nil, err
	}
	return &GoWorkflows{Backend: b, raw: raw, db: db, hook: hook, worker: w, client: client.New(b), cancel: cancel}, nil
}

// Close stops the worker and closes the backend.
func (g *GoWorkflows) Close() error {
	g.cancel()
	err := g.worker.WaitForCompletion()
	err = errors.Join(err, g.raw.Close())
	if g.db != nil {
		err = errors.Join(err, g.db.Close())
	}
	return err
}

// Pragmas returns synchronous and journal_mode as the backend's own
// connection sees them (it has one connection for a file database).
func (g *GoWorkflows) Pragmas(ctx context.Context) (synchronous int, journal string, err error) {
	db := backendDB(g.raw)
	if db == nil {
		return 0, "", errors.New("no *sql.DB in the go-workflows backend")
	}
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&synchronous); err != nil {
		return 0, "", err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		return 0, "", err
	}
	return synchronous, journal, nil
}

// backendDB reads the unexported db field of go-workflows' sqliteBackend,
// only to check the pragmas its connection runs with.
func backendDB(b backend.Backend) *sql.DB {
	v := reflect.ValueOf(b)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("db")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*sql.DB]() {
		return nil
	}
	return *(**sql.DB)(unsafe.Pointer(f.UnsafeAddr()))
}

// Run runs w: it keeps MaxConcurrent instances in flight until Instances
// have been created, and measures each from just before
// CreateWorkflowInstance to the return of the CompleteWorkflowTask that
// finished it (the commit of its last workflow task), as stress measures
// from the enqueue of the start to the commit of the completing ack.
// Elapsed runs from the first create to the last completion.
func (g *GoWorkflows) Run(ctx context.Context, w Workload, prefix string) (Sample, error) {
	w = w.withDefaults()
	lat := make([]time.Duration, 0, w.Instances)
	var mu sync.Mutex
	var failed int64
	var firstErr error
	slots := make(chan struct{}, w.MaxConcurrent)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range w.Instances {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return Sample{}, ctx.Err()
		}
		id := prefix + strconv.Itoa(i)
		done := g.hook.await(id)
		wg.Go(func() {
			defer func() { <-slots }()
			t0 := time.Now()
			err := g.runOne(ctx, id, done, w.InstanceTimeout)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			lat = append(lat, d)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	s := Sample{
		Completed: int64(len(lat)),
		Failed:    failed,
		Elapsed:   elapsed,
		PerSec:    float64(len(lat)) / elapsed.Seconds(),
		P50:       Percentile(lat, 0.50),
		P99:       Percentile(lat, 0.99),
	}
	return s, firstErr
}

// ErrInstanceTimeout is the error (wrapped with the instance id and the
// limit) of an instance that did not finish within Workload.InstanceTimeout.
var ErrInstanceTimeout = errors.New("instance not finished within Workload.InstanceTimeout")

// runOne creates instance id and waits until done is closed (its finishing
// workflow task committed), for at most timeout from the start of the
// create: the create itself runs under that deadline. It returns
// ErrInstanceTimeout (wrapped) when the limit passes first, and ctx's error
// when ctx ends first.
func (g *GoWorkflows) runOne(ctx context.Context, id string, done <-chan struct{}, timeout time.Duration) error {
	ictx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := g.client.CreateWorkflowInstance(ictx, client.WorkflowInstanceOptions{InstanceID: id}, OneActivity)
	if err == nil {
		select {
		case <-done:
			return nil
		case <-ictx.Done():
		}
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case ictx.Err() != nil:
		return fmt.Errorf("instance %s: %w (%v)", id, ErrInstanceTimeout, timeout)
	}
	return err
}

// RunGoWorkflows runs w once on a go-workflows backend freshly created at
// path ("" for memory).
func RunGoWorkflows(ctx context.Context, path string, w Workload) (Sample, error) {
	return RunGoWorkflowsWrapped(ctx, path, w, nil)
}

// RunGoWorkflowsWrapped is RunGoWorkflows on OpenGoWorkflowsWrapped's
// backend.
func RunGoWorkflowsWrapped(ctx context.Context, path string, w Workload, wrap func(backend.Backend) backend.Backend) (Sample, error) {
	g, err := OpenGoWorkflowsWrapped(ctx, path, wrap)
	if err != nil {
		return Sample{}, err
	}
	s, err := g.Run(ctx, w, "gw-")
	return s, errors.Join(err, g.Close())
}

// completionHook tells a waiter when the workflow task that finished its
// instance has been committed. It forwards every other method to the
// embedded backend (a test adapter of the peer's interface, which has no
// completion callback of its own).
type completionHook struct {
	backend.Backend
	mu      sync.Mutex
	waiters map[string]chan struct{}
}

func (h *completionHook) await(id string) <-chan struct{} {
	ch := make(chan struct{})
	h.mu.Lock()
	h.waiters[id] = ch
	h.mu.Unlock()
	return ch
}

func (h *completionHook) CompleteWorkflowTask(ctx context.Context, task *backend.WorkflowTask, state core.WorkflowInstanceState,
	executed, activities, timers []*history.Event, events []*history.WorkflowEvent) error {
	err := h.Backend.CompleteWorkflowTask(ctx, task, state, executed, activities, timers, events)
	if err == nil && state == core.WorkflowInstanceStateFinished {
		h.mu.Lock()
		ch, ok := h.waiters[task.WorkflowInstance.InstanceID]
		delete(h.waiters, task.WorkflowInstance.InstanceID)
		h.mu.Unlock()
		if ok {
			close(ch)
		}
	}
	return err
}
