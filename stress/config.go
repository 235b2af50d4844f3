package stress

import (
	"log/slog"
	"time"
)

// Config is the workload. Zero values take the defaults, which match the
// reference stress test of the field.
type Config struct {
	// MaxConcurrent is how many orchestrations the pump keeps in flight.
	// (Default: 20)
	MaxConcurrent int
	// Duration is how long the pump launches new orchestrations before the
	// run drains. Ignored when Instances > 0. (Default: 10s)
	Duration time.Duration
	// Instances, when > 0, launches exactly this many orchestrations instead
	// of running for Duration. (Default: 0)
	Instances int
	// TasksPerInstance is the fan-out: activities scheduled by each
	// orchestration, which completes when all have completed. (Default: 5)
	TasksPerInstance int
	// ActivityDelay is how long each activity works before its ack; 0 means
	// no delay. Negative values are treated as 0. (Default: 10ms when the
	// whole Config is zero-valued; set NoActivityDelay for 0.)
	ActivityDelay time.Duration
	// NoActivityDelay forces an ActivityDelay of 0. (Default: false)
	NoActivityDelay bool
	// OrchestrationDispatchers is the size of the fetch/ack pool. (Default: 2)
	OrchestrationDispatchers int
	// WorkerDispatchers is the size of the dequeue/ack pool. (Default: 2)
	WorkerDispatchers int
	// LockTimeout is the peek-lock duration of fetches and dequeues; workers
	// renew it while an activity runs longer than half of it. (Default: 30s)
	LockTimeout time.Duration
	// PollTimeout is the long-poll wait of an idle dispatcher. (Default: 100ms)
	PollTimeout time.Duration
	// MaxAttempts poisons a batch or activity delivered more often: the
	// orchestration fails with cause "poison". (Default: 10)
	MaxAttempts int
	// AbandonDelay keeps abandoned work invisible this long. (Default: 20ms)
	AbandonDelay time.Duration
	// DrainTimeout bounds the drain after the launch phase; orchestrations
	// still running then are counted as failed with cause "timeout".
	// (Default: 30s)
	DrainTimeout time.Duration
	// ActivityInput is the payload of every activity work item. (Default: nil)
	ActivityInput []byte
	// InstancePrefix starts every instance id. (Default: "stress-")
	InstancePrefix string
	// Progress, when set, is called every ProgressInterval with a snapshot,
	// from a goroutine of its own. (Default: nil)
	Progress func(Progress)
	// ProgressInterval is the period of Progress. (Default: 1s)
	ProgressInterval time.Duration
	// Logger receives the harness's own records (abandons, poison, lost
	// locks), never payloads. (Default: none)
	Logger *slog.Logger
	// Resume launches nothing: the run drives the work already in the store
	// (left, say, by a process that crashed) until every instance is
	// terminal and every queue is empty, bounded by DrainTimeout. It needs
	// a provider that implements provobs.Admin, and never ends before
	// LockTimeout has passed, so that locks held by a dead process have
	// expired; LockTimeout must be at least the one that process used.
	// (Default: false)
	Resume bool
}

// Defaults of Config.
const (
	DefaultMaxConcurrent            = 20
	DefaultDuration                 = 10 * time.Second
	DefaultTasksPerInstance         = 5
	DefaultActivityDelay            = 10 * time.Millisecond
	DefaultOrchestrationDispatchers = 2
	DefaultWorkerDispatchers        = 2
	DefaultLockTimeout              = 30 * time.Second
	DefaultPollTimeout              = 100 * time.Millisecond
	DefaultMaxAttempts              = 10
	DefaultAbandonDelay             = 20 * time.Millisecond
	DefaultDrainTimeout             = 30 * time.Second
	DefaultProgressInterval         = time.Second
	DefaultInstancePrefix           = "stress-"
)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxConcurrent, DefaultMaxConcurrent)
	def(&c.TasksPerInstance, DefaultTasksPerInstance)
	def(&c.OrchestrationDispatchers, DefaultOrchestrationDispatchers)
	def(&c.WorkerDispatchers, DefaultWorkerDispatchers)
	def(&c.MaxAttempts, DefaultMaxAttempts)
	defD(&c.Duration, DefaultDuration)
	defD(&c.LockTimeout, DefaultLockTimeout)
	defD(&c.PollTimeout, DefaultPollTimeout)
	defD(&c.AbandonDelay, DefaultAbandonDelay)
	defD(&c.DrainTimeout, DefaultDrainTimeout)
	defD(&c.ProgressInterval, DefaultProgressInterval)
	if c.NoActivityDelay || c.ActivityDelay < 0 {
		c.ActivityDelay = 0
	} else if c.ActivityDelay == 0 {
		c.ActivityDelay = DefaultActivityDelay
	}
	if c.InstancePrefix == "" {
		c.InstancePrefix = DefaultInstancePrefix
	}
	return c
}
