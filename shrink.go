package fanout

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// shortOf reports whether err says a job or a worker could not start for
// lack of descriptors (EMFILE, ENFILE) or processes (EAGAIN from fork):
// with fewer jobs running it may well start.
func shortOf(err error) bool {
	return err != nil && (errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.EAGAIN))
}

// attempt runs t's job into r once there is a place for it under the limit,
// telling the observer it started the first time (*started records that).
// A job that could not start for lack of resources runs again, in the same
// slot, once the pool has lowered its limit and a place is free; its failed
// start is neither delivered nor shown to the observer as finished.
func (p *Pool) attempt(run Runner, t *task, r *Result, started *bool) {
	slot := r.Slot
	var backoff time.Duration
	for {
		if err := p.enter(t.ctx); err != nil {
			r.ExitCode, r.Err = -1, err
			return
		}
		if !*started {
			*started = true
			p.observe(Started, r)
		}
		run.Run(t.ctx, t.job, r)
		others := p.leave()
		if !shortOf(r.Err) {
			return
		}
		if !p.shrink(others, r.Err) {
			// Alone at limit 1, fewer jobs cannot help; but processes and
			// open files of the whole system are freed by others too.
			if backoff = nextBackoff(backoff, r.Err); backoff == 0 || !sleepCtx(t.ctx, backoff) {
				return
			}
		}
		r.reset()
		r.Seq, r.Slot, r.Job = t.seq, slot, t.job
	}
}

// nextBackoff is how long a job that could not start even alone waits
// before it tries again: for a shortage that other processes cause (EAGAIN
// from fork, ENFILE), doubling from 10ms up to about 2.5s in all; 0 when it
// should give up.
func nextBackoff(last time.Duration, err error) time.Duration {
	if errors.Is(err, syscall.EMFILE) {
		return 0 // this process's own descriptors: waiting frees none
	}
	switch {
	case last == 0:
		return 10 * time.Millisecond
	case last >= 1280*time.Millisecond:
		return 0
	}
	return 2 * last
}

// sleepCtx waits for d, and reports false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// enter takes a place among the running jobs, waiting while the limit is
// reached. Workers never outnumber the limit until it is lowered, so the
// wait happens only after a shrink.
func (p *Pool) enter(ctx context.Context) error {
	if p.running.Add(1) <= p.limit.Load() {
		return nil
	}
	p.leave()
	return p.await(ctx)
}

// leave gives a place back, wakes a worker waiting for one, and returns how
// many jobs still run.
func (p *Pool) leave() int32 {
	n := p.running.Add(-1)
	if p.nwait.Load() > 0 {
		p.mu.Lock()
		p.cond.Signal()
		p.mu.Unlock()
	}
	return n
}

// await waits for a place under the limit, or for ctx to end.
func (p *Pool) await(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Counted before the first try, so that a job ending between the try
	// and the wait still finds a waiter to wake.
	p.nwait.Add(1)
	defer p.nwait.Add(-1)
	var stop func() bool
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	for p.running.Add(1) > p.limit.Load() {
		p.running.Add(-1)
		if err := ctx.Err(); err != nil {
			p.cond.Signal() // a wake-up this worker took is another's now
			return err
		}
		if stop == nil && ctx.Done() != nil {
			stop = context.AfterFunc(ctx, p.wakeAll)
		}
		p.cond.Wait()
	}
	return nil
}

func (p *Pool) wakeAll() {
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
}

// shrink lowers the limit after a job failed to start, for err, while
// others ran, and reports whether to try it again: not if it failed alone
// at limit 1, where fewer jobs cannot help.
func (p *Pool) shrink(others int32, err error) bool {
	for {
		l := p.limit.Load()
		if l <= 1 && others <= 0 {
			return false
		}
		n := max(1, min(l-1, others))
		if n == l {
			return true
		}
		if p.limit.CompareAndSwap(l, n) {
			p.shrunk(n, err)
			return true
		}
	}
}

// dropWorker ends a worker that could not get its Runner, for err, lowering
// the limit to the workers that remain; the last worker cannot go. Workers
// then never fall below the limit, so none starts again and slots stay
// unique.
func (p *Pool) dropWorker(err error) bool {
	for {
		n := p.nworker.Load()
		if n <= 1 {
			return false
		}
		l := p.limit.Load()
		if l > n-1 && !p.limit.CompareAndSwap(l, n-1) {
			continue
		}
		if p.nworker.CompareAndSwap(n, n-1) {
			if l > n-1 {
				p.shrunk(n-1, err)
			}
			return true
		}
	}
}

// retire reports whether a worker that just finished a job should end,
// there being more workers than a lowered limit.
func (p *Pool) retire() bool {
	for {
		n := p.nworker.Load()
		if n <= p.limit.Load() {
			return false
		}
		if p.nworker.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

func (p *Pool) shrunk(limit int32, err error) {
	if p.OnShrink != nil {
		p.OnShrink(int(limit), err)
	}
}
