package cli

import (
	"fmt"
	"io"
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
	percent float64 // halt at this share of the jobs, in percent
}

// halter stops the run when the --halt condition is met, and decides the
// exit status GNU parallel would give. Its check runs in the pool's
// workers (fanout.Pool.StopWhen), as each job ends.
type halter struct {
	rule  haltRule
	kill  func() // terminate running jobs
	total *atomic.Int64
	err   io.Writer
	line  func(*fanout.Job) string

	mu                      sync.Mutex
	done, failed, succeeded int
	halted                  bool
	firstExit               int // exit status of the job that triggered fail=1
}

// check counts r and reports whether the pool must stop.
func (h *halter) check(r *fanout.Result) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done++
	if r.Success() {
		h.succeeded++
	} else {
		h.failed++
	}
	if h.halted {
		return true
	}
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
	hit := n >= h.rule.count
	if h.rule.percent > 0 {
		// A share of a handful of jobs says little: wait for three.
		hit = h.done >= 3 && float64(n)*100 >= h.rule.percent*float64(h.total.Load())
	}
	if !hit {
		return false
	}
	h.halted = true
	h.firstExit = r.ExitStatus()
	what := map[byte]string{'f': "failed", 's': "succeeded", 'd': "finished"}[h.rule.why]
	fmt.Fprintf(h.err, "fanout: halting (--halt): this job %s: %s\n", what, h.line(r.Job))
	if h.rule.now {
		h.kill()
	}
	return true
}

// status returns the exit status once the run is over, given the number
// of jobs that failed, following GNU parallel's rules for --halt: a run
// halted by its first failure exits as that job did (128+N for a signal).
func (h *halter) status(failed int) int {
	usual := failedStatus(failed)
	if !h.halted {
		return usual
	}
	switch {
	case h.rule.why == 's':
		return 0
	case h.rule.why == 'f' && h.rule.percent > 0:
		total := max(h.total.Load(), 1)
		return int(math.Ceil(float64(h.failed) * 100 / float64(total)))
	case h.rule.why == 'f' && h.rule.count == 1:
		return min(h.firstExit, 255)
	}
	return usual
}
