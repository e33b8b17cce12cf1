package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/fanoutdev/fanout"
)

// haltRule is --halt in the form the sink needs.
type haltRule struct {
	now     bool    // kill running jobs (now) or let them finish (soon)
	why     byte    // 'f' fail, 's' success, 'd' done
	count   int     // halt at this many jobs, when percent is 0
	percent float64 // halt at this share of all the jobs, in percent
}

// halter stops the run when the --halt condition is met, and decides the
// exit status GNU parallel would give. Its check runs in the pool's
// workers, as each job ends (the pool's Finished event); the notices it
// has for a job are handed to notify, to be printed after that job's
// output, where GNU parallel prints them.
type halter struct {
	rule haltRule
	kill func() // terminate running jobs
	// total is the number of jobs: all of them for a percent rule, which
	// therefore reads the whole input first, as GNU parallel does; else
	// those submitted so far.
	total *atomic.Int64
	line  func(*fanout.Job) string
	// notify, if set, is given what to print on stderr once the job's
	// output is out: GNU parallel's "NAME: This job failed:" and the
	// job's command, and for soon, how many jobs it still waits for.
	notify func(j *fanout.Job, n *haltNotice)

	started atomic.Int64 // jobs that started, for "Waiting for N jobs"

	mu                      sync.Mutex
	done, failed, succeeded int
	ended                   int64 // jobs that started and ended
	halted                  bool
	exit                    int // the exit status fixed when the run halted
}

// observe follows the pool's events: it counts the jobs that start, and
// checks each one that ends. It reports whether the pool must stop.
func (h *halter) observe(ev fanout.Event) bool {
	if ev.Kind == fanout.Started {
		h.started.Add(1)
		return false
	}
	return h.check(ev.Result)
}

// check counts r and reports whether the pool must stop. Like GNU
// parallel, it has a notice for every job the rule counts (each failed
// job for fail=N), and for soon, once the rule holds, says how many jobs
// are still running.
func (h *halter) check(r *fanout.Result) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !errors.Is(r.Err, context.Canceled) {
		h.ended++ // a job that never started ended with the context's error
	}
	if h.halted && h.rule.now {
		// GNU parallel kills the others and says no more.
		if !h.killedByHalt(r) {
			h.count(r)
		}
		return true
	}
	h.count(r)
	var n int
	var what string
	switch {
	case h.rule.why == 'f' && !r.Success():
		n, what = h.failed, "This job failed:"
	case h.rule.why == 's' && r.Success():
		n, what = h.succeeded, "This job succeeded:"
	case h.rule.why == 'd':
		n, what = h.done, "This job finished:"
	default:
		return h.halted
	}
	notice := &haltNotice{what: what, command: h.line(r.Job)}
	if h.reached(n) {
		if !h.halted {
			h.halt(r)
		}
		if !h.rule.now {
			notice.waiting = h.started.Load() - h.ended
		}
	}
	if h.notify != nil {
		h.notify(r.Job, notice)
	}
	return h.halted
}

// haltNotice is what --halt says of a job it counted.
type haltNotice struct {
	what    string // "This job failed:", ...
	command string
	waiting int64 // for soon, once the rule holds: the jobs still running
}

// print puts the notice on stderr in GNU parallel's words.
func (n *haltNotice) print(c *console) {
	c.status(n.what, n.command)
	if n.waiting > 0 {
		c.status(fmt.Sprintf("Starting no more jobs. Waiting for %d jobs to finish.", n.waiting))
	}
}

// reached reports whether n counted jobs meet the rule. h.mu is held.
func (h *halter) reached(n int) bool {
	if h.rule.percent > 0 {
		return float64(n)*100 >= h.rule.percent*float64(h.total.Load())
	}
	return n >= h.rule.count
}

// halt fixes the exit status as the run halts, r being the job that
// halted it, and kills the running jobs for now. h.mu is held.
func (h *halter) halt(r *fanout.Result) {
	h.halted = true
	switch {
	case h.rule.why == 's':
		h.exit = 0
	case h.rule.percent > 0:
		h.exit = h.percentFailed()
	case h.rule.count == 1:
		h.exit = min(r.ExitStatus(), 255)
	default:
		h.exit = failedStatus(h.failed)
	}
	if h.rule.now {
		h.kill()
	}
}

func (h *halter) count(r *fanout.Result) {
	h.done++
	if r.Success() {
		h.succeeded++
	} else {
		h.failed++
	}
}

// percentFailed is the share of all jobs that failed, rounded up.
func (h *halter) percentFailed() int {
	total := max(h.total.Load(), 1)
	return int(math.Ceil(float64(h.failed) * 100 / float64(total)))
}

// killedByHalt reports whether r was terminated by --halt now. h.mu is held.
func (h *halter) killedByHalt(r *fanout.Result) bool {
	return h.halted && h.rule.now && r.Canceled
}

// status returns the exit status once the run is over, given the number
// of jobs that failed, following GNU parallel's rules for --halt: the
// status is fixed when the run halts (a run halted by its first failure
// exits as that job did, 128+N for a signal); with a percent rule it is
// the share of the jobs that failed, halted or not.
func (h *halter) status(failed int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.halted:
		return h.exit
	case h.rule.percent > 0:
		return h.percentFailed()
	}
	return failedStatus(failed)
}

// stopped reports whether the run halted; h may be nil (no --halt).
func (h *halter) stopped() bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.halted
}
