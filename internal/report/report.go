// Package report draws what happened in a run as one self-contained HTML
// file: a timeline of every job in its slot, a histogram of runtimes, the
// failed jobs with the end of their standard error, and a summary. A
// Collector keeps a small record per job from the pool's events; Render
// turns records into the page, with no other input; File writes it, again
// and again while the run goes, so that it can be opened midway.
package report

import (
	"syscall"
	"time"
)

// Outcome is how a job ended.
type Outcome uint8

const (
	// Success: it exited with status 0.
	Success Outcome = iota
	// Failed: it exited with another status, or could not run.
	Failed
	// TimedOut: it ran past its timeout and was terminated.
	TimedOut
	// Signaled: a signal ended it (not its timeout).
	Signaled
	// Running: it has not finished yet.
	Running
)

var outcomeNames = [...]string{"success", "failed", "timed out", "killed by signal", "running"}

// String names the outcome as the report does.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "unknown"
}

// Record is what a report keeps of one job: a fixed set of numbers, the
// command as shown (cut to a few hundred bytes) and, for a failed job, the
// last lines of its standard error.
type Record struct {
	Seq     int64
	Host    string // empty: this machine
	Slot    int
	Outcome Outcome
	Exit    int // the exit status as a shell reports it (128+N for signal N)
	// Start is when it started, from the start of the run; Runtime how
	// long it ran, and CPU the processor time it used (user and system).
	Start, Runtime, CPU time.Duration
	Command             string
	Stderr              string // tail of standard error, failed jobs only
}

// Run is a run as a report shows it.
type Run struct {
	// Command is the command line, as typed.
	Command string
	// Start and End bound the run; for a run still going, End is now.
	Start, End time.Time
	// Jobs are the finished jobs, in the order they finished; Running are
	// those still running at End.
	Jobs, Running []Record
	// Done says the run is over; false marks a snapshot taken midway.
	Done bool
	// Signal is the signal that stopped the run, or 0; Halted says --halt
	// stopped it.
	Signal syscall.Signal
	Halted bool
}
