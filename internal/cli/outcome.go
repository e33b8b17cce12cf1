package cli

import (
	"context"
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// outcome is how a run ended. Its exit method is the one place that turns
// it into an exit status and the last line on stderr.
type outcome struct {
	failed int            // jobs that failed, their output lost included
	halt   *halter        // nil without --halt
	sig    syscall.Signal // the signal that stopped the run, or 0
	err    error          // what stopped the run, if not the jobs
}

// exit prints what the user must know of the outcome and returns the exit
// status, following GNU parallel: 141, quietly, when standard output was
// closed (fanout ... | head); 128+N when signal N stopped the run; 255
// with one line for an error; else --halt's status, or the number of
// failed jobs (101 for more than 100).
func (oc outcome) exit(c *console) int {
	switch {
	case errors.Is(oc.err, syscall.EPIPE):
		return 128 + int(syscall.SIGPIPE)
	case oc.sig != 0:
		c.warnf("stopped by %v", unix.SignalName(oc.sig))
		return 128 + int(oc.sig)
	case oc.err != nil && !errors.Is(oc.err, context.Canceled):
		c.warnf("%v", oneLine(oc.err))
		if isUsage(oc.err) {
			c.warnf("try '%s --help'", c.name())
		}
		return ExitError
	case oc.halt != nil:
		return oc.halt.status(oc.failed)
	}
	return failedStatus(oc.failed)
}

// failedStatus is the exit status for a run in which n jobs failed.
func failedStatus(n int) int {
	switch {
	case n == 0:
		return ExitOK
	case n > 100:
		return ExitManyFailed
	default:
		return n
	}
}
