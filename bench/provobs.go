package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

// Workload is the peer-comparison workload: Instances orchestrations that
// each run one activity with no delay, MaxConcurrent in flight.
type Workload struct {
	Instances     int // (Default: 1000)
	MaxConcurrent int // (Default: 20)
	// InstanceTimeout bounds how long the go-workflows side waits for one
	// instance, from just before its create to its completion, before
	// counting it failed with ErrInstanceTimeout. (Default: 30s)
	InstanceTimeout time.Duration
}

func (w Workload) withDefaults() Workload {
	if w.Instances <= 0 {
		w.Instances = 1000
	}
	if w.MaxConcurrent <= 0 {
		w.MaxConcurrent = 20
	}
	if w.InstanceTimeout <= 0 {
		w.InstanceTimeout = 30 * time.Second
	}
	return w
}

// StressConfig is w as a stress.Config: one activity per orchestration, no
// activity delay, the harness's default 2 orchestration and 2 worker
// dispatchers.
func (w Workload) StressConfig() stress.Config {
	w = w.withDefaults()
	return stress.Config{
		Instances:        w.Instances,
		MaxConcurrent:    w.MaxConcurrent,
		TasksPerInstance: 1,
		NoActivityDelay:  true,
	}
}

// OpenProvobs opens the provobs SQLite provider at path (sqlite.MemoryPath
// for memory) at synchronous=FULL.
func OpenProvobs(ctx context.Context, path string) (*sqlite.Provider, error) {
	return sqlite.Open(ctx, path, sqlite.WithSynchronous(sqlite.SynchronousFull))
}

// RunStress runs cfg on p and returns it as a Sample.
func RunStress(ctx context.Context, p provobs.Provider, cfg stress.Config) (Sample, stress.Result, error) {
	res, err := stress.Run(ctx, p, cfg)
	if err != nil {
		return Sample{}, res, err
	}
	s := Sample{
		Completed: res.Completed,
		Failed:    res.Failed,
		Elapsed:   res.Elapsed,
		PerSec:    res.OrchestrationsPerSec,
		P50:       res.Latency.P50,
		P99:       res.Latency.P99,
	}
	if res.Failed > 0 {
		return s, res, fmt.Errorf("%d orchestrations failed: %v", res.Failed, res.FailedByCause)
	}
	return s, res, nil
}

// RunProvobs runs w once on a provobs SQLite provider freshly opened at path.
func RunProvobs(ctx context.Context, path string, w Workload) (Sample, error) {
	p, err := OpenProvobs(ctx, path)
	if err != nil {
		return Sample{}, err
	}
	defer func() { _ = p.Close() }()
	s, _, err := RunStress(ctx, p, w.StressConfig())
	return s, err
}
