package slogprov_test

import (
	"context"
	"errors"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// fakeProvider answers every call at once with canned, successful results,
// and fails calls by an unknown lock token with lock_lost. It is used only
// where the test is about the middleware's own cost (the benchmarks and the
// allocation test, which must not measure a database); every behaviour test
// runs against the SQLite provider.
type fakeProvider struct{}

const fakeToken = "fake-token"

var (
	fakeOrch = &provobs.OrchestrationItem{
		InstanceID: obstest.ExerciseInstance, LockToken: fakeToken, AttemptCount: 1,
		Messages: []provobs.WorkItem{{Kind: provobs.KindStartOrchestration, InstanceID: obstest.ExerciseInstance}},
	}
	fakeWorker = &provobs.WorkerItem{
		Item:      provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: obstest.ExerciseInstance, ExecutionID: 1, CorrelationID: 2},
		LockToken: fakeToken, AttemptCount: 1,
	}
	fakeEvents = []provobs.Event{{ID: 1}, {ID: 2}, {ID: 3}}
	fakeInfo   = &provobs.InstanceInfo{InstanceID: obstest.ExerciseInstance, Status: provobs.StatusRunning, ExecutionID: 1}
	errBadTok  = errors.New("unknown lock token")
)

func checkToken(op provobs.Op, token string) error {
	if token != fakeToken {
		return provobs.NewError(op, provobs.TypeLockLost, errBadTok)
	}
	return nil
}

func (fakeProvider) FetchOrchestrationItem(context.Context, provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	return fakeOrch, nil
}
func (fakeProvider) AckOrchestrationItem(_ context.Context, t string, _ provobs.OrchestrationAck) error {
	return checkToken(provobs.OpAckOrch, t)
}
func (fakeProvider) AbandonOrchestrationItem(_ context.Context, t string, _ provobs.AbandonOptions) error {
	return checkToken(provobs.OpAbandonOrch, t)
}
func (fakeProvider) RenewOrchestrationItemLock(_ context.Context, t string, _ time.Duration) error {
	return checkToken(provobs.OpRenewOrch, t)
}
func (fakeProvider) EnqueueOrchestrator(context.Context, provobs.WorkItem, time.Duration) error {
	return nil
}
func (fakeProvider) EnqueueWorker(context.Context, provobs.WorkItem) error { return nil }
func (fakeProvider) DequeueWorker(context.Context, provobs.FetchOptions, *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	return fakeWorker, nil
}
func (fakeProvider) AckWorker(_ context.Context, t string, _ *provobs.WorkItem) error {
	return checkToken(provobs.OpAckWorker, t)
}
func (fakeProvider) AbandonWorker(_ context.Context, t string, _ provobs.AbandonOptions) error {
	return checkToken(provobs.OpAbandonWorker, t)
}
func (fakeProvider) RenewWorkerLock(_ context.Context, t string, _ time.Duration) error {
	return checkToken(provobs.OpRenewWorker, t)
}
func (fakeProvider) RenewSessionLock(context.Context, []string, time.Duration, time.Duration) (int, error) {
	return 1, nil
}
func (fakeProvider) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	return 0, nil
}
func (fakeProvider) ReadHistory(context.Context, string, uint64) ([]provobs.Event, error) {
	return fakeEvents, nil
}
func (fakeProvider) QueueDepths(context.Context) (provobs.QueueDepths, error) {
	return provobs.QueueDepths{Orchestrator: 1, Worker: 2}, nil
}
func (fakeProvider) ListInstances(context.Context, provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	return []provobs.InstanceInfo{*fakeInfo}, nil
}
func (fakeProvider) InstanceInfo(context.Context, string) (*provobs.InstanceInfo, error) {
	return fakeInfo, nil
}
