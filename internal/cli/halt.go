package cli

import (
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
// workers (fanout.Pool.StopWhen), as each job ends.
type halter struct {
	rule haltRule
	kill func() // terminate running jobs
	// total is the number of jobs: all of them for a percent rule, which
	// therefore reads the whole input first, as GNU parallel does; else
	// those submitted so far.
	total *atomic.Int64
	c     *console
	line  func(*fanout.Job) string

	mu                      sync.Mutex
	done, failed, succeeded int
	halted                  bool
	exit                    int // the exit status fixed when the run halted
}

// check counts r and reports whether the pool must stop.
func (h *halter) check(r *fanout.Result) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.halted {
		if !h.killedByHalt(r) {
			h.count(r)
		}
		return true
	}
	h.count(r)
	var n int
	switch h.rule.why {
	case 'f':
		if r.Success() {
			return false
		}
		n = h.failed
	case 's':
		if !r.Success() {
			return false
		}
		n = h.succeeded
	default:
		n = h.done
	}
	if h.rule.percent > 0 {
		if float64(n)*100 < h.rule.percent*float64(h.total.Load()) {
			return false
		}
	} else if n < h.rule.count {
		return false
	}
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
	what := map[byte]string{'f': "failed", 's': "succeeded", 'd': "finished"}[h.rule.why]
	h.c.warnf("halting (--halt): this job %s: %s", what, h.line(r.Job))
	if h.rule.now {
		h.kill()
	}
	return true
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
