package cli

import (
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout"
)

// Run is the whole command: it wires the process's streams, environment and
// signals into Main and returns the exit status.
func Run(args []string) int {
	if os.Getenv("GOGC") == "" {
		// Each job leaves a few kilobytes of garbage (mostly the
		// environment converted for exec) and little stays live: collecting
		// early keeps memory flat from a thousand jobs to millions, for
		// microseconds of CPU per hundred jobs. Not from the start: at
		// that setting the heap of start-up alone is collected, which
		// cost a short run (one job) a third of its time.
		gc := time.AfterFunc(flatMemoryAfter, func() { debug.SetGCPercent(10) })
		defer gc.Stop()
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, handled...)
	defer signal.Stop(sigs)
	defer fanout.StopReaper()
	if isSem(os.Args[0]) {
		args = append([]string{"--semaphore"}, args...)
	}
	return Main(args, Stdio(), os.Getenv, sigs)
}

// flatMemoryAfter is how long a run goes before its garbage is collected
// early: past start-up, long before a run's heap could grow.
const flatMemoryAfter = 100 * time.Millisecond

// handled are the signals fanout acts on. SIGPIPE is among them so that a
// write to a closed standard output fails with EPIPE, which the run turns
// into GNU parallel's quiet exit status 141, instead of killing fanout
// before it can stop its jobs.
var handled = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGTSTP, syscall.SIGCONT, syscall.SIGPIPE}

// interrupts does what a signal asks of a run, as GNU parallel does:
//   - SIGTERM, the first time, and SIGHUP start no more jobs and let the
//     running ones finish;
//   - SIGINT, SIGQUIT and any SIGTERM after a first one terminate the
//     running jobs with their term sequence;
//   - SIGTSTP (Ctrl-Z) stops the running jobs, then fanout itself; SIGCONT
//     continues them;
//   - SIGPIPE is left to the write that met the closed pipe.
//
// Jobs run in process groups of their own, out of the terminal's reach, so
// every signal meant for them is passed on here.
type interrupts struct {
	stop       func()               // start no more jobs
	kill       func()               // terminate the running jobs
	signalJobs func(syscall.Signal) // send a signal to every running job
	c          *console
	caught     atomic.Int32 // the last signal that stopped the run
}

// stoppedBy returns the signal that stopped the run, or 0.
func (in *interrupts) stoppedBy() syscall.Signal { return syscall.Signal(in.caught.Load()) }

// watch handles the signals from sigs until done is closed.
func (in *interrupts) watch(sigs <-chan os.Signal, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case v := <-sigs:
			if sg, ok := v.(syscall.Signal); ok {
				in.handle(sg)
			}
		}
	}
}

func (in *interrupts) handle(sg syscall.Signal) {
	switch sg {
	case syscall.SIGPIPE:
		return
	case syscall.SIGTSTP:
		in.signalJobs(syscall.SIGTSTP)
		// SIGSTOP cannot be caught: fanout stops here until SIGCONT.
		syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		return
	case syscall.SIGCONT:
		in.signalJobs(syscall.SIGCONT)
		return
	}
	first := in.caught.Swap(int32(sg)) == 0
	in.stop()
	name := unix.SignalName(sg)
	switch {
	case sg == syscall.SIGHUP:
		in.c.warnf("%s: starting no more jobs, waiting for running ones; send SIGTERM to terminate them", name)
	case sg == syscall.SIGTERM && first:
		in.c.warnf("%s: starting no more jobs, waiting for running ones; send it again to terminate them", name)
	default:
		in.c.warnf("%s: terminating running jobs", name)
		in.kill()
	}
}
