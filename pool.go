package fanout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// Sink receives results, one at a time and never concurrently, in
// completion order or, for an Ordered pool, in submission order. An error
// stops the pool from starting new jobs; results of jobs already running
// are still delivered.
type Sink interface {
	Receive(r *Result) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(r *Result) error

// Receive calls f(r).
func (f SinkFunc) Receive(r *Result) error { return f(r) }

// Sinks delivers each result to every sink in turn; errors are joined.
type Sinks []Sink

// Receive delivers r to every sink, even after one fails, so that one
// broken sink (a full disk under the job log) does not hide the result
// from the others.
func (s Sinks) Receive(r *Result) error {
	var errs []error
	for _, k := range s {
		if err := k.Receive(r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ErrStopped is returned by Go once the pool has stopped taking jobs
// because a sink failed or Wait was called.
var ErrStopped = errors.New("pool stopped")

// Pool runs jobs, at most Limit at once, and hands each result to Sink as
// the job finishes. The zero value is ready to use: one job per CPU, local
// processes, results discarded. Set the fields before the first Go; do not
// copy a Pool after first use.
//
// A pool adapts to a machine short of descriptors or processes. A job whose
// Result.Err from the executor is EMFILE, ENFILE or EAGAIN (errors.Is) did
// not start for lack of them, so it is not delivered: the pool lowers its
// limit by one, to no more than the jobs still running and never below 1,
// and runs the job again, in the same slot, once a running job has finished.
// A worker that cannot get its Runner for the same reasons ends likewise,
// unless it is the last one. A job that fails so while it runs alone at
// limit 1 tries again for about 2.5 seconds, with growing pauses, where other
// processes may free what it lacks (EAGAIN, ENFILE), and is then delivered
// with that error; EMFILE, this process's own limit, is delivered at once.
// The limit does not grow back. An
// Executor must report these errors only for a job of which nothing ran or
// was consumed.
type Pool struct {
	// Limit is the number of jobs that may run at once; zero or less means
	// runtime.NumCPU(). Workers start only as jobs need them, so a large
	// Limit costs nothing by itself; beyond 1<<22 (more processes than
	// Linux allows at all) it counts as 1<<22.
	Limit int

	// Ordered delivers results in submission order instead of completion
	// order. Jobs keep running while an earlier one is slow; at most Window
	// results wait to be delivered.
	Ordered bool

	// Window bounds, for an Ordered pool, how many jobs may run or wait
	// ahead of the oldest undelivered one; zero means 64 times Limit,
	// at least 1024. Their output waits in memory up to CaptureLimit each,
	// beyond that on disk.
	Window int

	// Sink receives the results; nil discards them.
	Sink Sink

	// Stream, if set, lets an Ordered pool print the standard output of
	// the job it delivers next while that job runs, instead of keeping it
	// on disk: every later job's output waits for that job anyway, so the
	// bytes and their order stay the same, only sooner. Once such a job's
	// output outgrows CaptureLimit, with every earlier result delivered,
	// Stream is called for it, once, on the worker running it; the writer
	// it returns gets the bytes captured so far, then the rest as they
	// come, and the Result's Stdout holds only their count (Streamed). Nil
	// from Stream keeps the output captured. Where the writer has the
	// methods File() *os.File, Lock and Unlock, the bytes go to that file
	// in the kernel (splice, sendfile), under the lock. A write error is
	// the writer's: the rest of the output is dropped and
	// Result.Stdout.StreamErr reports it. Output that streamed is out even
	// if the job is then cancelled. Stream is not used by unordered pools,
	// whose next result is any running job's, nor with Attempts above 1,
	// since a failed attempt's output is not delivered, nor for a job
	// whose Stdout is set.
	Stream func(r *Result) io.Writer

	// Executor runs the jobs; nil means local processes (Local{}).
	Executor Executor

	// CaptureLimit is how many bytes of one captured stream stay in memory
	// before the rest spills to a temporary file; zero means 256 KiB.
	CaptureLimit int

	// TempDir is where output spills; empty means os.TempDir().
	TempDir string

	// Codec, if set, compresses the output that spills (GNU parallel's
	// --compress); nil stores it as it is.
	Codec Codec

	// Observe, if set, is told what happens to jobs as it happens: Started
	// just before a job's process starts (after Job.Prepare), Finished as
	// soon as the job is over, after its last attempt and before its result
	// waits for the Sink, so in completion order even for an Ordered pool.
	// It is called on the worker goroutine that runs the job, so calls for
	// different jobs come at the same time: it must be safe for that, and
	// quick, as the worker waits for it. Calling Stop from it stops the pool
	// before that worker takes another job, which is how a run halts on the
	// first failure (GNU parallel's --halt) without racing the next start.
	// A Result it is shown is the one the Sink will get: it may read it but
	// not keep it.
	Observe func(Event)

	// Attempts is how many times in all a failing job runs, in the same
	// slot, until it succeeds (GNU parallel's --retries); zero or one means
	// once. Only the last attempt's result is delivered. A Job's own
	// Attempts wins over it.
	Attempts int

	// OnShrink, if set, is called each time the pool lowers its limit
	// because a job or a worker could not start for lack of descriptors or
	// processes, with the new limit and the error met. It is called from
	// several goroutines at once.
	OnShrink func(limit int, err error)

	once    sync.Once
	limit   atomic.Int32 // lowered, never raised, when resources run short
	running atomic.Int32 // jobs started and not yet over, within limit
	nwait   atomic.Int32 // workers waiting in await for a place
	mu      sync.Mutex   // with cond, for workers waiting for a place
	cond    sync.Cond
	jobs    chan *task
	results chan *Result
	window  chan struct{}
	stop    chan struct{} // closed when a sink fails
	stopped atomic.Bool
	workers sync.WaitGroup
	nworker atomic.Int32
	collect sync.WaitGroup
	submit  sync.Mutex // serialises sequence numbers with hand-off
	seq     int64
	errMu   sync.Mutex
	err     error
	waited  bool
	exec    Executor
	turn    *turn // whose output may stream; nil unless Stream applies
}

type task struct {
	ctx context.Context
	job *Job
	seq int64
}

// maxLimit bounds Limit: Linux allows no more processes than this at all
// (PID_MAX_LIMIT), so more slots could never be used.
const maxLimit = 1 << 22

// resultsBuffer is how many finished results may wait for the collector
// before workers block; it is not sized by the limit, which may be huge.
const resultsBuffer = 256

func (p *Pool) init() {
	p.once.Do(func() {
		limit := min(p.Limit, maxLimit)
		if limit <= 0 {
			limit = runtime.NumCPU()
		}
		p.limit.Store(int32(limit))
		p.cond.L = &p.mu
		p.exec = p.Executor
		if p.exec == nil {
			p.exec = &Local{}
		}
		p.jobs = make(chan *task)
		p.results = make(chan *Result, min(limit, resultsBuffer))
		p.stop = make(chan struct{})
		if p.Ordered {
			w := p.Window
			if w <= 0 {
				w = max(64*limit, 1024)
			}
			p.window = make(chan struct{}, w)
			if p.Stream != nil && p.Attempts <= 1 {
				p.turn = &turn{open: p.Stream}
				p.turn.next.Store(1)
			}
		}
		p.collect.Add(1)
		go p.collector()
	})
}

// Go submits job, waiting while Limit jobs run. It returns the job's
// sequence number. It fails, without running the job, if ctx ends while it
// waits or if the pool has stopped. ctx also governs the job while it runs:
// when ctx ends the job is terminated, as with exec.CommandContext.
func (p *Pool) Go(ctx context.Context, job *Job) (int64, error) {
	p.init()
	p.submit.Lock()
	defer p.submit.Unlock()
	if p.waited {
		return 0, ErrStopped
	}
	if err := p.stopErr(); err != nil {
		return 0, err
	}
	if p.window != nil {
		select {
		case p.window <- struct{}{}:
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-p.stop:
			return 0, p.stopErr()
		}
	}
	t := &task{ctx: ctx, job: job, seq: p.seq + 1}
	select {
	case p.jobs <- t:
	default:
		p.grow()
		select {
		case p.jobs <- t:
		case <-ctx.Done():
			p.unwindow()
			return 0, ctx.Err()
		case <-p.stop:
			p.unwindow()
			return 0, p.stopErr()
		}
	}
	p.seq++
	return t.seq, nil
}

// TryGo submits job only if a worker is free now, and reports whether it
// did.
func (p *Pool) TryGo(ctx context.Context, job *Job) (int64, bool) {
	p.init()
	if !p.submit.TryLock() {
		return 0, false
	}
	defer p.submit.Unlock()
	if p.waited || p.stopErr() != nil || ctx.Err() != nil {
		return 0, false
	}
	if p.window != nil {
		select {
		case p.window <- struct{}{}:
		default:
			return 0, false
		}
	}
	t := &task{ctx: ctx, job: job, seq: p.seq + 1}
	if p.grow() {
		p.jobs <- t // the new worker is idle and takes it
	} else {
		select {
		case p.jobs <- t:
		default:
			p.unwindow()
			return 0, false
		}
	}
	p.seq++
	return t.seq, true
}

func (p *Pool) unwindow() {
	if p.window != nil {
		<-p.window
	}
}

// grow starts one more worker if fewer than Limit exist, and reports
// whether it did. Workers start on
// demand so that an idle pool costs nothing.
func (p *Pool) grow() bool {
	n := p.nworker.Load()
	if n >= p.limit.Load() || !p.nworker.CompareAndSwap(n, n+1) {
		return false
	}
	p.workers.Add(1)
	go p.worker(int(n) + 1)
	return true
}

func (p *Pool) worker(slot int) {
	defer p.workers.Done()
	run, err := p.exec.Runner()
	if err != nil {
		if shortOf(err) && p.dropWorker(err) {
			return // the job that called for this worker goes to another
		}
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		p.fail(err)
	} else {
		defer run.Close()
	}
	for t := range p.jobs {
		r := p.newResult(t, slot)
		switch {
		case run == nil:
			r.ExitCode, r.Err = -1, err
		case t.ctx.Err() != nil:
			r.ExitCode, r.Err = -1, t.ctx.Err()
		default:
			p.runJob(run, t, r)
		}
		if err := r.seal(); err != nil && r.OutputErr == nil {
			r.OutputErr = err
		}
		p.results <- r
		if p.retire() {
			return
		}
	}
}

// newResult is the result of t's job, before it runs: a new one for every
// job, so that a result a caller keeps never changes under it.
func (p *Pool) newResult(t *task, slot int) *Result {
	r := new(Result)
	limit := p.CaptureLimit
	if limit <= 0 {
		limit = defaultCaptureLimit
	}
	r.Stdout.limit, r.Stdout.dir, r.Stdout.codec = limit, p.TempDir, p.Codec
	r.Stderr.limit, r.Stderr.dir, r.Stderr.codec = limit, p.TempDir, p.Codec
	r.Seq, r.Slot, r.Job = t.seq, slot, t.job
	if p.turn != nil {
		r.Stdout.turn, r.Stdout.res = p.turn, r
	}
	return r
}

// runJob prepares t's job, runs it as many times as it may take, and tells
// the observer.
func (p *Pool) runJob(run Runner, t *task, r *Result) {
	if t.job.Prepare != nil {
		if err := t.job.Prepare(t.job, t.seq, r.Slot); err != nil {
			r.ExitCode, r.Err = -1, err
			p.observe(Finished, r)
			return
		}
	}
	started := false
	p.attempt(run, t, r, &started)
	attempts := p.Attempts
	if t.job.Attempts > 0 {
		attempts = t.job.Attempts
	}
	for n := 2; n <= attempts && !r.Success() && r.Err == nil && t.ctx.Err() == nil; n++ {
		slot := r.Slot
		r.reset()
		r.Seq, r.Slot, r.Job = t.seq, slot, t.job
		p.attempt(run, t, r, &started)
	}
	p.observe(Finished, r)
}

// observe tells the observer, if there is one, that r's job reached kind.
func (p *Pool) observe(kind EventKind, r *Result) {
	if p.Observe != nil {
		p.Observe(Event{Kind: kind, Seq: r.Seq, Slot: r.Slot, Job: r.Job, Result: r})
	}
}

// collector hands results to the sink, serially, reordering them for an
// Ordered pool.
func (p *Pool) collector() {
	defer p.collect.Done()
	var pending map[int64]*Result
	var held int64 // bytes of output held in memory by pending results
	next := int64(1)
	for r := range p.results {
		if !p.Ordered {
			p.deliver(r)
			continue
		}
		if r.Seq != next {
			if pending == nil {
				pending = make(map[int64]*Result)
			}
			// Behind a slow job, finished output waits on disk once the
			// memory budget is spent, so a run of any length stays flat.
			if held+r.memory() > pendingBudget {
				if err := r.spill(); err != nil && r.OutputErr == nil {
					r.OutputErr = err
				}
			}
			held += r.memory()
			pending[r.Seq] = r
			continue
		}
		for r != nil {
			p.deliver(r)
			<-p.window
			next++
			if p.turn != nil {
				p.turn.next.Store(next) // the next job's output may stream now
			}
			r = pending[next]
			if r != nil {
				held -= r.memory()
				delete(pending, next)
			}
		}
	}
}

// pendingBudget bounds the output an Ordered pool keeps in memory for
// results waiting behind an earlier job.
const pendingBudget = 16 << 20

// deliver hands r to the sink. Spilled output is released afterwards, as
// its file would otherwise stay open until the result is collected, unless
// the sink kept it (Result.Keep).
func (p *Pool) deliver(r *Result) {
	if p.Sink != nil {
		if err := p.Sink.Receive(r); err != nil {
			p.fail(err)
		}
	}
	if !r.kept {
		r.Release()
	}
}

// fail records the first error, if err is not nil, and stops new jobs from
// starting.
func (p *Pool) fail(err error) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil && err != nil {
		p.err = err
	}
	if p.stopped.CompareAndSwap(false, true) {
		close(p.stop)
	}
}

func (p *Pool) stopErr() error {
	if !p.stopped.Load() {
		return nil
	}
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		return ErrStopped
	}
	return p.err
}

// Stopped returns a channel that is closed once the pool takes no more
// jobs: after Stop, or a sink's or the executor's error. A goroutine that
// produces jobs can select on it to stop waiting for input no job will be
// made of.
func (p *Pool) Stopped() <-chan struct{} {
	p.init()
	return p.stop
}

// Stop makes the pool take no more jobs: Go and TryGo fail with ErrStopped,
// including a Go already waiting for a worker. Jobs already running finish
// and their results are delivered. Stop is safe to call from any goroutine,
// a signal handler's for instance.
func (p *Pool) Stop() {
	p.init()
	p.fail(nil)
}

// Wait waits for every submitted job to finish and its result to be
// delivered, then returns the first error a sink or the executor returned.
// Call it once, after the last Go.
//
// Wait reports the pool's own failures only. A job its context cancelled
// is delivered with Result.Canceled (terminated while it ran) or with
// Result.Err wrapping the context's error (never started); a job the pool
// refused is told by Go's error (ErrStopped, the context's, or a sink's).
// So a nil error from Wait with a cancelled context still leaves those
// results to look at.
func (p *Pool) Wait() error {
	p.init()
	p.submit.Lock()
	if p.waited {
		p.submit.Unlock()
		return p.Err()
	}
	p.waited = true
	close(p.jobs)
	p.submit.Unlock()
	p.workers.Wait()
	close(p.results)
	p.collect.Wait()
	return p.Err()
}

// Err returns the first error a sink or the executor returned, if any.
func (p *Pool) Err() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}
