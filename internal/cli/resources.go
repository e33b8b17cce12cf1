package cli

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/output"
)

// resourceStop stops the run when the machine runs out of something a job
// needs (descriptors, processes, memory, disk, argument space): starting
// more jobs would only fail the same way. Jobs already running finish and
// are logged; the run then exits with ExitError and one line naming what
// ran out. Descriptors and processes run short only when even one job at
// a time is too many: before that the pool runs fewer jobs at once and
// starts again the ones that could not start (fanout.Pool).
type resourceStop struct {
	mu    sync.Mutex
	first error
}

// exhausted are the errors that say the machine, not the job, is at fault.
var exhausted = []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.EAGAIN, syscall.ENOMEM, syscall.ENOSPC, syscall.EDQUOT, syscall.E2BIG}

func (s *resourceStop) check(r *fanout.Result) bool {
	err := r.Err
	if err == nil {
		err = r.OutputErr
	}
	if _, ok := exhaustion(err); !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first == nil {
		s.first = explain(err)
	}
	return true
}

// exhaustion reports which resource err says the machine ran out of.
func exhaustion(err error) (syscall.Errno, bool) {
	for _, e := range exhausted {
		if errors.Is(err, e) {
			return e, true
		}
	}
	return 0, false
}

// explain adds to an exhaustion error what to do about it; other errors
// are returned as they are.
func explain(err error) error {
	e, ok := exhaustion(err)
	if !ok {
		return err
	}
	hint := hints[e]
	var we *output.WriteError
	if (e == syscall.ENOSPC || e == syscall.EDQUOT) && errors.As(err, &we) {
		hint = "free some space where fanout's " + we.Stream + " goes"
	}
	return fmt.Errorf("stopped starting jobs: %w; %s", err, hint)
}

// hints say what to do about each kind of exhaustion.
var hints = map[syscall.Errno]string{
	syscall.EMFILE: "raise the open file limit (ulimit -n)",
	syscall.ENFILE: "the system is out of open files: end other programs",
	syscall.EAGAIN: "the system will not start more processes: raise the process limit (ulimit -u) or end other processes",
	syscall.ENOMEM: "the system is out of memory: lower -j",
	syscall.ENOSPC: "free some disk space or point --tmpdir or --joblog elsewhere",
	syscall.EDQUOT: "free some disk space or point --tmpdir or --joblog elsewhere",
	syscall.E2BIG:  "the command line is longer than the system allows: use fewer values per job (-n) or pass data on standard input",
}

// shrinkWarning is what GNU parallel says, word for word, when a job
// cannot start for want of open files or processes and the pool runs
// fewer at once (limit); name is the program's name.
func shrinkWarning(name string, limit int, err error) []string {
	switch e, _ := exhaustion(err); e {
	case syscall.EMFILE, syscall.ENFILE:
		return append([]string{"No more file handles. ",
			"Try running '" + name + " -j0 -N 100 --pipe " + name + " -j0'"}, moreFiles...)
	}
	return append([]string{fmt.Sprintf("No more processes: Decreasing number of running jobs to %d.", limit)}, morePids...)
}

func (s *resourceStop) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// warnOnce prints at most one warning in a run: whether the estimate at
// start or the pool later lowered the slots, saying it once is enough.
type warnOnce struct {
	c    *console
	done atomic.Bool
}

func (o *warnOnce) warn(lines []string) {
	if o.done.CompareAndSwap(false, true) {
		o.c.warning(lines...)
	}
}
