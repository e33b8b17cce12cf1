// Package proc starts a job's process in a process group of its own and
// supervises it until every trace of it is gone: its exit status, its output
// pipes, and any descendants left in its group.
//
// Supervision is a poll(2) loop on the process's pidfd, its output pipes and
// a wake-up eventfd, run on the caller's goroutine. That costs no extra
// goroutine, channel or timer per job: timeouts are the poll timeout, and
// cancellation is a write to the eventfd.
//
// A job's own process dies with this process by Pdeathsig, but its children
// would not. So the first Supervisor also starts a reaper: this program
// re-executed with FANOUT_REAPER=1 in its environment, which this package's
// init recognises before main runs, in any program that imports it (init
// functions of packages initialised before this one run in the reaper too,
// so they should have no side effects beyond the process). The reaper shares
// a table of the running jobs' process groups, which supervisors update with
// an atomic store, no system call; it blocks reading a pipe that only this
// process can write to, and when that ends, however this process ended, it
// kills every group left in the table. The store follows ForkExec's return,
// so children that a job starts in the moment before it can escape if this
// process dies just then, as can a descendant that left its group; a
// supervisor that finds the table full, or a process whose reaper could not
// start (see ReaperErr), relies on Pdeathsig alone. The same table lets
// SignalRunning reach every running job.
package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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

// Supervisor runs processes one at a time; each worker of a pool owns one,
// so its buffers and eventfd are reused from job to job.
type Supervisor struct {
	wake  int // eventfd; a write asks the running job to terminate
	buf   []byte
	pidfd int
	// attr and sys are reused from job to job: ForkExec only reads them.
	attr  syscall.ProcAttr
	sys   syscall.SysProcAttr
	fds   []unix.PollFd
	files [3]uintptr
	slot  jobSlot
}

// NewSupervisor allocates the reusable state of one worker.
func NewSupervisor() (*Supervisor, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	s := &Supervisor{wake: fd, buf: make([]byte, 64<<10), fds: make([]unix.PollFd, 0, 4)}
	// Pdeathsig: if this process dies, even by SIGKILL, the kernel kills
	// the job's process with it, so no job outlives us.
	s.sys = syscall.SysProcAttr{Setpgid: true, PidFD: &s.pidfd, Pdeathsig: syscall.SIGKILL}
	s.attr.Sys = &s.sys
	s.attr.Files = s.files[:]
	s.slot = newJobSlot()
	return s, nil
}

// Close releases the supervisor's descriptors.
func (s *Supervisor) Close() error {
	s.slot.release()
	s.slot = jobSlot{}
	return unix.Close(s.wake)
}

// Wake asks the job now running, if any, to terminate with its term sequence.
// It is safe to call from any goroutine and at any time; a wake-up that
// arrives between jobs is discarded by the next Run.
func (s *Supervisor) Wake() {
	var one = [8]byte{1}
	unix.Write(s.wake, one[:])
}

// ErrNoPidfd reports a kernel too old for pidfd (Linux 5.3).
var ErrNoPidfd = errors.New("this kernel has no pidfd support (linux 5.3 or newer is needed)")

// Run starts the process described by sp and supervises it to the end: it
// copies piped output to the sinks, enforces timeout (zero: none) and
// cancellation with the term sequence seq, kills what is left of the process
// group once the process has exited, and reaps it. drain bounds how long
// pipes held open by escaped descendants are read after the process exits.
// A non-nil error means the process could not be started.
func (s *Supervisor) Run(sp *Spec, stdout, stderr io.Writer, timeout time.Duration, seq []TermStep, drain time.Duration) (Outcome, error) {
	var out Outcome
	// Discard a wake-up meant for a previous job.
	var scratch [8]byte
	unix.Read(s.wake, scratch[:])

	var pipes [2][2]int // [stream][read,write]
	files := &s.files
	*files = [3]uintptr{uintptr(sp.Stdin), uintptr(sp.Stdout), uintptr(sp.Stderr)}
	for i, fd := range [2]int{sp.Stdout, sp.Stderr} {
		pipes[i] = [2]int{-1, -1}
		if fd >= 0 {
			continue
		}
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			closePipes(&pipes)
			return out, fmt.Errorf("pipe: %w", err)
		}
		pipes[i] = p
		files[i+1] = uintptr(p[1])
	}
	s.pidfd = -1
	s.attr.Dir, s.attr.Env = sp.Dir, sp.Env
	out.Start = time.Now()
	pid, err := syscall.ForkExec(sp.Path, sp.Argv, &s.attr)
	pidfd := s.pidfd
	for i := range pipes {
		if pipes[i][1] >= 0 {
			syscall.Close(pipes[i][1])
			pipes[i][1] = -1
		}
	}
	if err != nil {
		closePipes(&pipes)
		return out, err
	}
	out.Pid = pid
	s.slot.track(pid)
	if pidfd < 0 {
		syscall.Kill(-pid, syscall.SIGKILL)
		s.slot.untrack(pid)
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
		closePipes(&pipes)
		return out, ErrNoPidfd
	}
	defer syscall.Close(pidfd)

	sinks := [2]io.Writer{stdout, stderr}
	fds := s.fds
	exited := false
	var deadline time.Time // when the current wait (timeout, term step, drain) ends
	if timeout > 0 {
		deadline = out.Start.Add(timeout)
	}
	step := -1 // index of the last term step sent; -1: not terminating
	terminate := func(now time.Time) {
		step++
		if step < len(seq) {
			syscall.Kill(-pid, seq[step].Signal)
			deadline = now.Add(seq[step].Wait)
			return
		}
		// The sequence is spent and the process still lives: it can only
		// be in uninterruptible sleep. Keep killing until it goes.
		syscall.Kill(-pid, syscall.SIGKILL)
		deadline = now.Add(100 * time.Millisecond)
	}
	for {
		fds = fds[:0]
		for i := range pipes {
			if pipes[i][0] >= 0 {
				fds = append(fds, unix.PollFd{Fd: int32(pipes[i][0]), Events: unix.POLLIN})
			}
		}
		if !exited {
			fds = append(fds, unix.PollFd{Fd: int32(pidfd), Events: unix.POLLIN})
			if step < 0 {
				fds = append(fds, unix.PollFd{Fd: int32(s.wake), Events: unix.POLLIN})
			}
		}
		if len(fds) == 0 {
			break
		}
		wait := -1
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d < 0 {
				d = 0
			}
			wait = int((d + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := unix.Poll(fds, wait)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("poll: %w", err)
		}
		if n == 0 { // a deadline passed
			now := time.Now()
			switch {
			case exited: // descendants outside the group hold the pipes
				closePipes(&pipes)
			case step < 0:
				out.TimedOut = true
				terminate(now)
			default:
				terminate(now)
			}
			continue
		}
		for _, pf := range fds {
			if pf.Revents == 0 {
				continue
			}
			switch int(pf.Fd) {
			case pidfd:
				exited = true
				// The exited process is not reaped yet, so its pid, and
				// with it the group id, cannot be reused: killing the
				// group now reaches only this job's leftovers.
				syscall.Kill(-pid, syscall.SIGKILL)
				deadline = time.Now().Add(drain)
			case s.wake:
				unix.Read(s.wake, scratch[:])
				out.Canceled = true
				terminate(time.Now())
			default:
				i := 0
				if int(pf.Fd) == pipes[1][0] {
					i = 1
				}
				s.readOnce(&pipes[i][0], &sinks[i], &out)
			}
		}
	}
	closePipes(&pipes)
	s.slot.untrack(pid) // the group was killed when its leader exited
	for {
		_, err = syscall.Wait4(pid, &out.Status, 0, &out.Rusage)
		if err != syscall.EINTR {
			break
		}
	}
	out.End = time.Now()
	if err != nil {
		return out, fmt.Errorf("wait: %w", err)
	}
	return out, nil
}

// readOnce moves one read's worth of bytes from the pipe to the sink, closing
// the pipe at end of file.
func (s *Supervisor) readOnce(fd *int, sink *io.Writer, out *Outcome) {
	if sp, ok := (*sink).(Splicer); ok {
		n, handled, err := sp.SpliceFrom(*fd)
		if handled {
			switch {
			case err == syscall.EINTR || err == syscall.EAGAIN:
			case err != nil:
				if out.WriteErr == nil {
					out.WriteErr = err
				}
				*sink = nil
			case n == 0:
				syscall.Close(*fd)
				*fd = -1
			}
			return
		}
	}
	n, err := syscall.Read(*fd, s.buf)
	if err == syscall.EINTR || err == syscall.EAGAIN {
		return
	}
	if n <= 0 {
		syscall.Close(*fd)
		*fd = -1
		return
	}
	if *sink == nil {
		return // this stream's writer failed: drain the pipe so the job goes on
	}
	if n == len(s.buf) {
		// A job that fills the buffer in one read prints a lot: a larger
		// pipe lets it run longer between our reads. Small jobs never pay
		// for the extra call.
		unix.FcntlInt(uintptr(*fd), unix.F_SETPIPE_SZ, bigPipe)
	}
	if _, werr := (*sink).Write(s.buf[:n]); werr != nil {
		if out.WriteErr == nil {
			out.WriteErr = werr
		}
		*sink = nil
	}
}

// bigPipe is the pipe size asked for jobs with a lot of output.
const bigPipe = 1 << 20

// Splicer is implemented by a writer that can take a stream's bytes
// straight from the pipe, in the kernel, with no copy through this process
// (a file, once output has spilled to disk). It reports handled false when
// it cannot take them this time, and n 0 at end of file.
type Splicer interface {
	SpliceFrom(fd int) (n int64, handled bool, err error)
}

func closePipes(p *[2][2]int) {
	for i := range p {
		for j := range p[i] {
			if p[i][j] >= 0 {
				syscall.Close(p[i][j])
				p[i][j] = -1
			}
		}
	}
}

// DevNull is a shared read-only descriptor of /dev/null for jobs without
// standard input.
var DevNull = sync.OnceValues(func() (*os.File, error) {
	return os.Open(os.DevNull)
})
