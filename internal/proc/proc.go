//go:build unix

// Package proc starts a job's process in a process group of its own and
// supervises it until every trace of it is gone: its exit status, its output
// pipes, and any descendants left in its group.
//
// Two supervisors share one API. On Linux, a Supervisor is an event loop on
// the process's pidfd, its output pipes and a wake-up eventfd, in one epoll
// instance per worker that Go's netpoller waits on (proc_linux.go). On
// macOS and FreeBSD, and on Linux when built with the fanout_portable tag
// (which is how the tests exercise it there), it is the portable
// supervisor (proc_portable.go): a loop over channels, fed by a goroutine
// per output pipe parked in the netpoller and by one goroutine for the
// whole process that learns of exits without reaping (kqueue's NOTE_EXIT;
// under the tag, pidfds in an epoll instance). Neither holds an OS thread
// per running job.
//
// Where the system has Pdeathsig (Linux, FreeBSD), a job's own process
// dies with this process even if this one is killed, but its children would
// not; on macOS nothing would. So the first Supervisor also starts a reaper:
// this program re-executed with FANOUT_REAPER=1 in its environment, which
// this package's init recognises before main runs, in any program that
// imports it (init functions of packages initialised before this one run in
// the reaper too, so they should have no side effects beyond the process).
// The reaper shares a table of the running jobs' process groups, which
// supervisors update with an atomic store, no system call; it blocks reading
// a pipe that only this process can write to, and when that ends, however
// this process ended, it kills every group left in the table. The store
// follows ForkExec's return, so children that a job starts in the moment
// before it can escape if this process dies just then, as can a descendant
// that left its group; a supervisor that finds the table full, or a process
// whose reaper could not start (see ReaperErr), relies on Pdeathsig alone,
// which macOS does not have. The same table lets SignalRunning reach every
// running job.
package proc

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// TermStep is one step of a termination sequence: send Signal to the job's
// process group, then wait up to Wait for it to exit before the next step.
type TermStep struct {
	Signal syscall.Signal
	Wait   time.Duration
}

// DefaultTermSeq is GNU parallel's default --termseq.
var DefaultTermSeq = []TermStep{
	{syscall.SIGTERM, 200 * time.Millisecond},
	{syscall.SIGTERM, 100 * time.Millisecond},
	{syscall.SIGTERM, 50 * time.Millisecond},
	{syscall.SIGKILL, 25 * time.Millisecond},
}

// Spec describes the process to start.
type Spec struct {
	Path string   // resolved executable path
	Argv []string // argument vector, Argv[0] included
	Dir  string
	Env  []string
	// Stdin, Stdout and Stderr are file descriptors handed to the child as
	// they are; a negative Stdout or Stderr asks for a pipe that Run reads
	// into the matching writer.
	Stdin, Stdout, Stderr int
	// Started, if set, is called once the process has started: input fed
	// to it from here on is never consumed by a process that failed to
	// start, which a caller may then start again.
	Started func()
}

// Outcome is what Run observed.
type Outcome struct {
	Pid      int
	Status   syscall.WaitStatus
	Rusage   syscall.Rusage
	Start    time.Time
	End      time.Time
	TimedOut bool // the deadline passed and the job was terminated
	Canceled bool // a wake-up asked for termination
	// WriteErr is the first error a writer returned; the rest of that
	// stream was discarded so that the child is not blocked.
	WriteErr error
}

// Splicer is implemented by a writer that can take a stream's bytes
// straight from the pipe, in the kernel, with no copy through this process
// (a file, once output has spilled to disk). It reports handled false when
// it cannot take them this time, and n 0 at end of file.
type Splicer interface {
	SpliceFrom(fd int) (n int64, handled bool, err error)
}

// poller records whether Go's netpoller runs. The runtime starts it on
// first use and dies if it cannot make its descriptors, which a process
// short of them may well not have: newPollable makes sure first.
var poller struct {
	mu sync.Mutex
	up bool
}

// newPollable hands the non-blocking fd to Go's netpoller, starting that
// if need be, and fails with EMFILE or ENFILE rather than let the runtime
// crash when there are no descriptors to start it with.
func newPollable(fd int, name string) (*os.File, error) {
	poller.mu.Lock()
	defer poller.mu.Unlock()
	if !poller.up {
		// The two descriptors this pipe frees are the lowest free ones,
		// which the runtime takes next, unless another goroutine takes
		// them in between.
		var probe [2]int
		if err := cloexecPipe(&probe); err != nil {
			return nil, fmt.Errorf("starting the netpoller: %w", err)
		}
		syscall.Close(probe[0])
		syscall.Close(probe[1])
		poller.up = true
	}
	return os.NewFile(uintptr(fd), name), nil
}

// devNull holds the shared /dev/null once it is open.
var devNull struct {
	mu sync.Mutex
	f  atomic.Pointer[os.File]
}

// DevNull returns a shared read-only descriptor of /dev/null for jobs
// without standard input. A failure to open it (no descriptor free) is not
// kept: the next call tries again.
func DevNull() (*os.File, error) {
	if f := devNull.f.Load(); f != nil {
		return f, nil
	}
	devNull.mu.Lock()
	defer devNull.mu.Unlock()
	if f := devNull.f.Load(); f != nil {
		return f, nil
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	devNull.f.Store(f)
	return f, nil
}
