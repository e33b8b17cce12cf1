package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/perl"
	"github.com/fanoutdev/fanout/internal/replace"
	"github.com/fanoutdev/fanout/internal/tmpfile"
)

// run carries out the options: it turns them into the parts that run,
// then submits every job and waits for the last result. Each step is a
// function of its own, named for what it builds.
func run(o *Options, c *console, env func(string) string, sigs <-chan os.Signal) outcome {
	p, err := assemble(o, c, env)
	if err != nil {
		return outcome{err: err}
	}
	defer p.close()
	if o.DryRun {
		var verbose func([]byte)
		if o.StderrVerbose {
			verbose = c.errLine
		}
		skipped, err := dryRun(p.plan, p.jobs, c.Out, p.limit, verbose)
		return outcome{failed: skipped, err: err}
	}
	return p.execute(sigs)
}

// parts are the options turned into what runs.
type parts struct {
	o        *Options
	c        *console
	limit    int        // job slots
	maxLen   int        // a line must be shorter (-s, or GNU parallel's limit)
	blocks   *blockMode // nil unless --pipe or --pipepart
	plan     *plan
	jobs     jobSource
	exe      fanout.Executor
	resuming bool // --resume, --resume-failed or --retry-failed
	fit      slotFit
	warning  *warnOnce
	closers  []func()
	adm      *admission // --load, --memfree, --memsuspend, --noswap; nil: none
	delay    *jobDelay
	stdin    *os.File               // the jobs' standard input (--semaphore); nil: none
	observe  func(r *fanout.Result) // told of each job that ran (--semaphore's status)
	getenv   func(string) string    // the run's environment
	codec    fanout.Codec           // --compress; nil: none
	inputs   *sources               // opened ahead of the rest (--header); nil: not yet
	columns  []string               // --header's name of each column; "": none
	env      *jobEnv                // the jobs' environment
}

func (p *parts) close() {
	for _, f := range p.closers {
		f()
	}
}

// assemble checks what can be checked before any job starts, and builds
// the parts.
func assemble(o *Options, c *console, env func(string) string) (*parts, error) {
	p := &parts{o: o, c: c, getenv: env, resuming: o.Resume || o.ResumeFailed || o.RetryFailed, warning: &warnOnce{c: c}}
	var err error
	if p.limit, err = ResolveJobs(o.Jobs, runtime.NumCPU()); err != nil {
		return nil, usageError{err}
	}
	if p.blocks, err = resolvePipe(o, env); err != nil {
		return nil, err
	}
	if p.codec, err = codecFor(o, env); err != nil {
		return nil, err
	}
	if err := p.readHeaders(); err != nil {
		p.close()
		return nil, err
	}
	if p.plan, err = makePlan(o, env); err != nil {
		p.close()
		return nil, err
	}
	p.plan.slots, p.plan.columns = p.limit, p.columns
	if err := p.startPerl(env); err != nil {
		p.close()
		return nil, err
	}
	real := realMaxLength(env)
	p.maxLen = usableLength(o, real, c)
	if o.ShowLimits {
		showLimits(c.stdout(), real, p.maxLen)
	}
	// Output spills there only once a job prints a lot: found unusable
	// then, it would cost that output midway through the run.
	if err := tmpfile.Check(o.TmpDir); err != nil && !o.DryRun {
		return nil, fmt.Errorf("%w; point --tmpdir or $TMPDIR at a writable directory", err)
	}
	if p.jobs, err = p.openJobs(); err != nil {
		p.close()
		return nil, err
	}
	if p.plan.needTotal {
		// {##} is the number of jobs: GNU parallel reads them all first.
		all, err := readAll(p.jobs)
		if err != nil {
			p.close()
			return nil, err
		}
		p.jobs, p.plan.total = &all, int64(len(all))
	}
	p.env = newJobEnv(os.Environ(), o.ProcessSlotVar, o.TmpDir, p.limit)
	if p.exe, err = executorFor(o, env, p.blocks != nil); err != nil {
		p.close()
		return nil, err
	}
	if err := p.running(env); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// startPerl starts the perl process that evaluates the templates' perl
// expressions, if they have any: one for the whole run.
func (p *parts) startPerl(env func(string) string) error {
	exprs := p.plan.exprs.List()
	if len(exprs) == 0 {
		return nil
	}
	cfg := perl.Config{Path: env("PATH"), Stdout: p.c.stdout(), Stderr: p.c.stderr()}
	// Files go to perl as they are, so that what it prints is there at
	// once, before the job it rendered prints.
	if f, ok := p.c.Out.(*os.File); ok {
		cfg.Stdout = f
	}
	if f, ok := p.c.Err.(*os.File); ok {
		cfg.Stderr = f
	}
	in, err := perl.Start(exprs, cfg)
	if err != nil {
		return err
	}
	p.closers = append(p.closers, func() { in.Close() })
	p.plan.perl = in
	return nil
}

// executorFor is where the jobs run. A new executor is one more case here.
// In block mode (blocks) each job's stdin is fed its block.
func executorFor(o *Options, env func(string) string, blocks bool) (fanout.Executor, error) {
	sh, err := shellFor(env)
	if err != nil {
		return nil, err
	}
	var exe fanout.Executor = &fanout.Local{Shell: sh, TermSeq: o.TermSeq}
	if blocks {
		exe = &blockExecutor{inner: exe}
	}
	return exe, nil
}

// signaller is an executor that can pass a signal on to its running jobs.
type signaller interface {
	Signal(sig syscall.Signal) int
}

// execute runs the jobs and waits for the last result.
func (p *parts) execute(sigs <-chan os.Signal) outcome {
	// The progress line goes on the console first: the printer writes
	// around it.
	live := progressFor(p.o, p.c, p.limit)
	if live != nil {
		defer showProgress(live, p.c)()
	}
	dl, closeSinks, err := sinksFor(p.o, p.c, p.plan, p.resuming)
	if err != nil {
		return outcome{err: err}
	}
	defer closeSinks()
	if err := fanout.ReaperErr(); err != nil {
		p.c.warnf("warning: %v: if fanout is killed, processes its jobs started may outlive it", oneLine(err))
	}
	attempts := p.o.Retries
	if p.plan.retries != nil {
		attempts = 2 // each job sets its own; above one, failed attempts' output is not streamed
	}
	pool := &fanout.Pool{Limit: p.limit, Ordered: p.o.KeepOrder, TempDir: p.o.TmpDir, Codec: p.codec,
		Attempts: attempts, Executor: p.exe, Sink: dl, Stream: dl.stream}
	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	var submitted atomic.Int64
	hs, err := p.halter(kill, &submitted)
	if err != nil {
		return outcome{err: err}
	}
	pool.OnShrink = func(limit int, err error) { p.warning.warn(shrinkWarning(p.c.name(), limit, err)) }
	var exhausted resourceStop
	var fatal fatalStop
	// Everything that follows the jobs as they run; another observer is
	// one more entry.
	observers := []func(fanout.Event){func(ev fanout.Event) {
		if ev.Kind != fanout.Finished {
			if hs != nil {
				hs.observe(ev)
			}
			return
		}
		dl.finish(ev.Job)
		releaseBlock(dataOf(ev.Job))
		p.env.removeTmp(ev.Slot, dataOf(ev.Job).seq)
		removeWorkDir(dataOf(ev.Job))
		if errors.Is(ev.Result.Err, context.Canceled) {
			return // it never started: the run ended while it waited (--load, --memfree)
		}
		p.delay.finished(ev.Result)
		if p.observe != nil {
			p.observe(ev.Result)
		}
		stop := exhausted.check(ev.Result) || fatal.check(ev.Result)
		if hs != nil && hs.observe(ev) {
			stop = true
		}
		if stop {
			pool.Stop()
		}
	}}
	if live != nil {
		observers = append(observers, live.Observe)
	}
	rep, err := reportFor(p.o, time.Now())
	if err != nil {
		return outcome{err: err}
	}
	if rep != nil {
		observers = append(observers, rep.Collector.Observe)
	}
	pool.Observe = observeAll(observers)
	// The context is cancelled only by --halt now and by signals: a job it
	// terminated, or kept from starting, did not finish.
	dl.forget = func(r *fanout.Result) bool {
		return r.Canceled || errors.Is(r.Err, context.Canceled)
	}
	dl.broken = func() { pool.Stop(); kill() }

	intr := &interrupts{stop: pool.Stop, kill: kill, c: p.c, signalJobs: func(syscall.Signal) {}}
	if s, ok := p.exe.(signaller); ok {
		intr.signalJobs = func(sg syscall.Signal) { s.Signal(sg) }
	}
	// The run ends only once the watcher has: a signal that stopped the
	// pool is still being told of on stderr when the pool's Wait returns.
	done, watched := make(chan struct{}), make(chan struct{})
	defer func() { close(done); <-watched }()
	go func() { defer close(watched); intr.watch(sigs, done) }()

	// Like GNU parallel, say that fewer slots fit only once more jobs come
	// than do.
	counted := p.jobs
	if p.fit.short != "" {
		counted = &onNth{src: p.jobs, n: p.limit + 1, do: func() { p.warning.warn(p.fit.warning(p.c.name())) }}
	}
	if live != nil {
		if p.o.TotalJobs == 0 {
			counted = &counting{src: counted, done: live.SetTotal}
			p.countAhead(ctx, live)
		}
		live.Start()
	}
	submitErr := submitAll(ctx, kill, pool, counted, p.prepare(dl, pool.Stopped()), p.delay, &submitted)
	err = pool.Wait()
	// A resource that ran out is the one error to report, whether a job
	// or the pool itself (a worker's descriptors) met it first.
	if first := exhausted.err(); first != nil {
		err = first
	} else if first := fatal.err(); first != nil {
		err = first
	} else if err != nil {
		err = explain(err)
	}
	if submitErr != nil {
		err = submitErr
	}
	if rep != nil {
		if rerr := rep.Finish(intr.stoppedBy(), hs.stopped()); rerr != nil {
			p.c.warnf("%v", oneLine(rerr))
		}
	}
	return outcome{failed: dl.status.failed, halt: hs, sig: intr.stoppedBy(), err: err}
}

// observeAll is one observer that tells each of observers, in turn.
func observeAll(observers []func(fanout.Event)) func(fanout.Event) {
	if len(observers) == 1 {
		return observers[0]
	}
	return func(ev fanout.Event) {
		for _, f := range observers {
			f(ev)
		}
	}
}

// prepare returns what a worker does with a job about to run: render it
// (only there is its slot, {%}, known, and the work spreads over the
// workers) and give it the streams the outputs want.
func (p *parts) prepare(dl *delivery, stopped <-chan struct{}) func(j *fanout.Job, _ int64, slot int) error {
	return func(j *fanout.Job, _ int64, slot int) error {
		if err := p.adm.wait(stopped); err != nil {
			return err
		}
		if p.stdin != nil {
			j.Stdin = p.stdin
		}
		d := dataOf(j)
		if err := p.plan.render(j, d, replace.Args{Values: d.values, Seq: d.seq, Slot: slot}); err != nil {
			return err
		}
		dl.attach(j)
		j.Env = p.env.forJob(slot, d.seq)
		if p.o.StderrVerbose {
			p.c.errLine(d.line)
		}
		return nil
	}
}

// halter builds --halt's rule, or nil without --halt. A rule on a share of
// all the jobs needs their number: it reads them all first, as GNU
// parallel does; any other counts those submitted so far.
func (p *parts) halter(kill func(), submitted *atomic.Int64) (*halter, error) {
	h := p.o.Halt
	if h.When == HaltNever {
		return nil, nil
	}
	total := submitted
	if h.Percent > 0 {
		all, err := readAll(p.jobs)
		if err != nil {
			return nil, err
		}
		p.jobs = &all
		total = new(atomic.Int64)
		total.Store(int64(len(all)))
	}
	return &halter{rule: haltRule{now: h.When == HaltNow, why: h.Why[0], count: h.Count, percent: h.Percent},
		kill: kill, total: total,
		line:   func(j *fanout.Job) string { return string(dataOf(j).line) },
		notify: func(j *fanout.Job, n *haltNotice) { dataOf(j).notice = n }}, nil
}

// submitAll hands every job to the pool, waiting delay between one start
// and the next, and returns the input's error if it has one. The loop runs
// on a goroutine of its own, so that a signal or a halt ends the run even
// while the input blocks (tail -f log | fanout ...): the loop is then left
// behind, and the pool refuses whatever it submits later.
func submitAll(ctx context.Context, kill func(), pool *fanout.Pool, jobs jobSource, prepare func(*fanout.Job, int64, int) error, delay *jobDelay, submitted *atomic.Int64) error {
	errc := make(chan error, 1)
	go func() {
		errc <- submitLoop(ctx, kill, pool, jobs, prepare, delay, submitted)
	}()
	select {
	case err := <-errc:
		return err
	case <-pool.Stopped():
		return nil
	}
}

func submitLoop(ctx context.Context, kill func(), pool *fanout.Pool, jobs jobSource, prepare func(*fanout.Job, int64, int) error, jd *jobDelay, submitted *atomic.Int64) error {
	var timer *time.Timer
	for first := true; ; first = false {
		d, err := jobs.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.As(err, new(*input.LineTooLongError)) {
			tooLong(ctx, kill, pool)
		}
		if err != nil {
			return err
		}
		if delay := jd.current(); delay > 0 && !first {
			// A delay is spent between starts only: none after the last.
			if timer == nil {
				timer = time.NewTimer(delay)
			} else {
				timer.Reset(delay)
			}
			select {
			case <-timer.C:
			case <-pool.Stopped():
				return nil
			}
		}
		submitted.Add(1)
		if _, err := pool.Go(ctx, &fanout.Job{Data: d, Prepare: prepare}); err != nil {
			return nil
		}
	}
}

// fatalStop keeps the first job error that ends the run.
type fatalStop struct {
	mu    sync.Mutex
	first error
}

func (f *fatalStop) check(r *fanout.Result) bool {
	if !errors.As(r.Err, new(fatalError)) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.first == nil {
		f.first = r.Err
	}
	return true
}

func (f *fatalStop) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

// tooLong stops the run for a line too long, when GNU parallel would: as
// a job slot frees for that line, it kills the running jobs and prints
// none of them (like --halt now, they did not finish). A job that takes
// the next slot does it, and runs nothing.
func tooLong(ctx context.Context, kill func(), pool *fanout.Pool) {
	// The pool is not stopped here: the submitter, which this job holds
	// up, returns the error once it is in.
	pool.Go(ctx, &fanout.Job{Data: &jobData{}, Prepare: func(*fanout.Job, int64, int) error {
		kill()
		return context.Canceled
	}})
}

// onNth calls do when its source yields the nth job.
type onNth struct {
	src jobSource
	n   int
	do  func()
}

func (o *onNth) next() (*jobData, error) {
	d, err := o.src.next()
	if o.n--; o.n == 0 && err == nil {
		o.do()
	}
	return d, err
}
