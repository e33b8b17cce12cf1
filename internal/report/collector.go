package report

import (
	"bytes"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fanoutdev/fanout"
)

// Bounds on what the collector keeps, so that its memory and the report's
// size grow by a small, fixed amount per job.
const (
	// tailBytes and tailLines bound one failed job's stderr tail.
	tailBytes = 400
	tailLines = 5
	// tailBudget bounds the stderr tails of a whole run: past it, further
	// failures keep none.
	tailBudget = 2 << 20
	// commandBytes bounds one job's command as shown; past commandBudget
	// in all, commands are cut to shortCommand.
	commandBytes  = 300
	commandBudget = 8 << 20
	shortCommand  = 40
)

// Collector keeps a Record of each job from a pool's events, for a report.
// Its Observe is meant for fanout.Pool.Observe, alone or among others; it is
// safe for concurrent use. The zero value is not ready: use NewCollector.
type Collector struct {
	// Command, if set, returns the command line to show for a job; nil
	// shows the job's Shell line, or its Args joined by spaces.
	Command func(*fanout.Job) string

	mu       sync.Mutex
	start    time.Time
	jobs     []Record
	running  map[int64]Record // by Seq: a host may be known only once a job ends
	tails    int              // bytes of stderr tails kept
	commands int              // bytes of commands kept
}

// lane is where a job runs: a slot of a host.
type lane struct {
	host string
	slot int
}

// NewCollector returns a collector whose run started at start.
func NewCollector(start time.Time) *Collector {
	return &Collector{start: start, running: make(map[int64]Record)}
}

// Observe records ev. On Started it notes the job as running; on Finished
// it keeps the job's record, with the tail of its captured stderr if it
// failed, read now, before the output can be released.
func (c *Collector) Observe(ev fanout.Event) {
	r := ev.Result
	if r == nil {
		return
	}
	switch ev.Kind {
	case fanout.Started:
		now := time.Now()
		c.mu.Lock()
		defer c.mu.Unlock()
		c.running[ev.Seq] = Record{Seq: ev.Seq, Host: r.Host, Slot: ev.Slot,
			Outcome: Running, Start: now.Sub(c.start), Command: c.command(ev.Job)}
	case fanout.Finished:
		rec := Record{Seq: ev.Seq, Host: r.Host, Slot: ev.Slot, Outcome: outcomeOf(r),
			Exit: r.ExitStatus(), Runtime: r.Runtime, CPU: r.UserTime + r.SystemTime}
		failed := rec.Outcome != Success
		var tail string
		if failed {
			tail = stderrTail(&r.Stderr)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if r.Start.IsZero() { // it never started: a mark where it ended
			rec.Start = time.Since(c.start)
		} else {
			rec.Start = r.Start.Sub(c.start)
		}
		if run, ok := c.running[ev.Seq]; ok {
			rec.Command = run.Command
			delete(c.running, ev.Seq)
		} else {
			rec.Command = c.command(ev.Job)
		}
		if tail != "" && c.tails+len(tail) <= tailBudget {
			c.tails += len(tail)
			rec.Stderr = tail
		}
		c.jobs = append(c.jobs, rec)
	}
}

// command returns job's command as shown, within the bounds; c.mu is held.
func (c *Collector) command(job *fanout.Job) string {
	var s string
	switch {
	case job == nil:
	case c.Command != nil:
		s = c.Command(job)
	case job.Shell != "":
		s = job.Shell
	default:
		for i, a := range job.Args {
			if i > 0 {
				s += " "
			}
			s += a
		}
	}
	limit := commandBytes
	if c.commands > commandBudget {
		limit = shortCommand
	}
	s = cut(s, limit)
	c.commands += len(s)
	return s
}

// cut returns s shortened to at most n bytes, at a character boundary,
// with an ellipsis when something was cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// Snapshot returns the run so far: the finished jobs, and those running
// now with the runtime they have had. Records are never changed once
// kept, so a snapshot shares them: it costs no copy of the finished ones.
func (c *Collector) Snapshot(now time.Time) Run {
	c.mu.Lock()
	defer c.mu.Unlock()
	run := Run{Start: c.start, End: now, Jobs: c.jobs[:len(c.jobs):len(c.jobs)]}
	for _, r := range c.running {
		r.Runtime = now.Sub(c.start) - r.Start
		run.Running = append(run.Running, r)
	}
	return run
}

// outcomeOf classifies a finished job.
func outcomeOf(r *fanout.Result) Outcome {
	switch {
	case r.TimedOut:
		return TimedOut
	case r.Err == nil && r.Signal != 0:
		return Signaled
	case r.Success():
		return Success
	}
	return Failed
}

// stderrTail returns the last few lines of o, at most tailBytes of them.
func stderrTail(o *fanout.Output) string {
	n := o.Len()
	if n == 0 {
		return ""
	}
	var b []byte
	if !o.Spilled() {
		b = o.Bytes()
		b = b[max(0, len(b)-tailBytes):]
	} else {
		// Spilled output is on disk: read its end only.
		b = make([]byte, min(n, tailBytes))
		sr, ok := o.Reader().(io.ReaderAt)
		if !ok {
			return ""
		}
		k, _ := sr.ReadAt(b, n-int64(len(b)))
		b = b[:k]
	}
	b = bytes.TrimRight(b, "\n")
	for i, lines := len(b)-1, 0; i >= 0; i-- {
		if b[i] == '\n' {
			if lines++; lines == tailLines {
				b = b[i+1:]
				break
			}
		}
	}
	// A tail cut in the middle of a character starts at the next one.
	for len(b) > 0 && !utf8.RuneStart(b[0]) {
		b = b[1:]
	}
	return string(b)
}
