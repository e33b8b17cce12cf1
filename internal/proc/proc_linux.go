//go:build linux && !fanout_portable

package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Supervisor runs processes one at a time; each worker of a pool owns one,
// so its buffers, epoll instance and eventfd are reused from job to job.
//
// Supervision is an event loop on the process's pidfd, its output pipes and
// a wake-up eventfd, run on the caller's goroutine. The epoll instance has
// the eventfd registered for good; a job adds its pipes and pidfd. The
// goroutine waits by parking in Go's netpoller on the epoll descriptor
// itself, so a running job holds no OS thread (a thread blocked in poll(2)
// per job would spend a process limit that counts threads, and crash the
// runtime when it cannot make more). That costs no extra goroutine, channel
// or allocation per job: timeouts are read deadlines on the epoll
// descriptor, and cancellation is a write to the eventfd.
type Supervisor struct {
	wake int // eventfd; a write asks the running job to terminate
	ep   int // epoll instance: wake, and the running job's pipes and pidfd
	// epf is ep in Go's netpoller; waiting on it parks the goroutine.
	epf      *os.File
	epc      syscall.RawConn
	poll     func(fd uintptr) bool // s.collect, bound once
	deadline time.Time             // epf's read deadline as last set
	events   [4]unix.EpollEvent
	nev      int   // events the last collect found
	everr    error // and the error it met
	buf      []byte
	pidfd    int
	// attr and sys are reused from job to job: ForkExec only reads them.
	attr  syscall.ProcAttr
	sys   syscall.SysProcAttr
	files [3]uintptr
	slot  jobSlot
}

// NewSupervisor allocates the reusable state of one worker.
func NewSupervisor() (*Supervisor, error) {
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	s := &Supervisor{wake: wake, buf: make([]byte, 64<<10)}
	if err := s.openEpoll(); err != nil {
		unix.Close(wake)
		return nil, err
	}
	s.poll = s.collect
	// Pdeathsig: if this process dies, even by SIGKILL, the kernel kills
	// the job's process with it, so no job outlives us.
	s.sys = syscall.SysProcAttr{Setpgid: true, PidFD: &s.pidfd, Pdeathsig: syscall.SIGKILL}
	s.attr.Sys = &s.sys
	s.attr.Files = s.files[:]
	s.slot = newJobSlot()
	return s, nil
}

// openEpoll makes the supervisor's epoll instance, with the wake eventfd
// in it, and hands it to Go's netpoller.
func (s *Supervisor) openEpoll() error {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll: %w", err)
	}
	if err := unix.SetNonblock(ep, true); err != nil {
		unix.Close(ep)
		return fmt.Errorf("epoll: %w", err)
	}
	s.ep = ep
	if err := s.watch(s.wake); err != nil {
		unix.Close(ep)
		return err
	}
	if s.epf, err = newPollable(ep, "epoll"); err != nil {
		unix.Close(ep)
		return err
	}
	// A non-blocking descriptor that the netpoller takes is one that read
	// deadlines work on; a zero deadline is how to ask whether it took it.
	if err := s.epf.SetReadDeadline(time.Time{}); err != nil {
		s.epf.Close()
		return fmt.Errorf("epoll: the runtime cannot wait on it: %w", err)
	}
	if s.epc, err = s.epf.SyscallConn(); err != nil {
		s.epf.Close()
		return fmt.Errorf("epoll: %w", err)
	}
	return nil
}

// Close releases the supervisor's descriptors.
func (s *Supervisor) Close() error {
	s.slot.release()
	s.slot = jobSlot{}
	err := s.epf.Close()
	if werr := unix.Close(s.wake); err == nil {
		err = werr
	}
	return err
}

// watch adds fd to the epoll instance, for input.
func (s *Supervisor) watch(fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	if err := unix.EpollCtl(s.ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// unwatch removes fd from the epoll instance. It is done before each close:
// a child being forked by another worker may hold a copy of fd until it
// execs, and would keep the registration alive under a number about to be
// reused.
func (s *Supervisor) unwatch(fd int) {
	unix.EpollCtl(s.ep, unix.EPOLL_CTL_DEL, fd, nil)
}

// collect takes the events that are ready, without blocking; it reports
// false, for the netpoller to park the goroutine, when there are none.
func (s *Supervisor) collect(fd uintptr) bool {
	for {
		n, err := unix.EpollWait(int(fd), s.events[:], 0)
		if err == unix.EINTR {
			continue
		}
		s.nev, s.everr = n, err
		return n > 0 || err != nil
	}
}

// wait returns the events that arrive before deadline (zero: none), or
// none once it has passed.
func (s *Supervisor) wait(deadline time.Time) ([]unix.EpollEvent, error) {
	// The netpoller tries s.poll before it parks; only a new deadline
	// needs a look first, as events that are ready need no deadline set.
	if !deadline.Equal(s.deadline) {
		if s.collect(uintptr(s.ep)) {
			return s.ready()
		}
		if err := s.epf.SetReadDeadline(deadline); err != nil {
			return nil, fmt.Errorf("epoll: %w", err)
		}
		s.deadline = deadline
	}
	if err := s.epc.Read(s.poll); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, nil
		}
		return nil, fmt.Errorf("epoll: %w", err)
	}
	return s.ready()
}

// ready returns what the last collect found.
func (s *Supervisor) ready() ([]unix.EpollEvent, error) {
	if s.everr != nil {
		return nil, fmt.Errorf("epoll_wait: %w", s.everr)
	}
	return s.events[:s.nev], nil
}

// Wake asks the job now running, or the next one Run starts, to terminate
// with its term sequence. It is safe to call from any goroutine and at any
// time; Discard drops a wake-up meant for a job that has ended.
func (s *Supervisor) Wake() {
	var one = [8]byte{1}
	unix.Write(s.wake, one[:])
}

// Discard drops a wake-up sent before it. A caller calls it before it
// arranges for Wake to be called for the next job, not in Run: a wake-up
// for that job may come before Run starts it, and must not be lost.
func (s *Supervisor) Discard() {
	var scratch [8]byte
	unix.Read(s.wake, scratch[:])
}

// Run starts the process described by sp and supervises it to the end: it
// copies piped output to the sinks, enforces timeout (zero: none) and
// cancellation with the term sequence seq, kills what is left of the process
// group once the process has exited, and reaps it. drain bounds how long
// pipes held open by escaped descendants are read after the process exits.
// A non-nil error with a zero Outcome.Pid means the process could not be
// started; with a Pid, that it could not be supervised and was killed.
func (s *Supervisor) Run(sp *Spec, stdout, stderr io.Writer, timeout time.Duration, seq []TermStep, drain time.Duration) (Outcome, error) {
	var out Outcome
	pipes := [2][2]int{{-1, -1}, {-1, -1}} // [stream][read,write]
	files := &s.files
	*files = [3]uintptr{uintptr(sp.Stdin), uintptr(sp.Stdout), uintptr(sp.Stderr)}
	for i, fd := range [2]int{sp.Stdout, sp.Stderr} {
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
	if sp.Started != nil {
		sp.Started()
	}

	sinks := [2]io.Writer{stdout, stderr}
	serr := s.supervise(pid, pidfd, &pipes, &sinks, &out, timeout, seq, drain)
	s.slot.untrack(pid) // supervise killed the group once its leader exited
	for {
		_, err = syscall.Wait4(pid, &out.Status, 0, &out.Rusage)
		if err != syscall.EINTR {
			break
		}
	}
	out.End = time.Now()
	if serr != nil {
		return out, serr
	}
	if err != nil {
		return out, fmt.Errorf("wait: %w", err)
	}
	return out, nil
}

// supervise follows the started process pid until it has exited and its
// pipes are closed, copying output, enforcing the timeout and terminating
// it on a wake-up. On an error it kills the process group; either way it
// leaves the process to reap and the pipes closed.
func (s *Supervisor) supervise(pid, pidfd int, pipes *[2][2]int, sinks *[2]io.Writer, out *Outcome, timeout time.Duration, seq []TermStep, drain time.Duration) error {
	err := s.watch(pidfd)
	for i := range pipes {
		if pipes[i][0] >= 0 && err == nil {
			err = s.watch(pipes[i][0])
		}
	}
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
	var scratch [8]byte
	for err == nil && (!exited || pipes[0][0] >= 0 || pipes[1][0] >= 0) {
		var evs []unix.EpollEvent
		if evs, err = s.wait(deadline); err != nil {
			break
		}
		if len(evs) == 0 { // a deadline passed
			now := time.Now()
			switch {
			case exited: // descendants outside the group hold the pipes
				s.closeReads(pipes)
			case step < 0:
				out.TimedOut = true
				terminate(now)
			default:
				terminate(now)
			}
			continue
		}
		for _, ev := range evs {
			switch fd := int(ev.Fd); fd {
			case pidfd:
				exited = true
				s.unwatch(pidfd)
				// The exited process is not reaped yet, so its pid, and
				// with it the group id, cannot be reused: killing the
				// group now reaches only this job's leftovers.
				syscall.Kill(-pid, syscall.SIGKILL)
				deadline = time.Now().Add(drain)
			case s.wake:
				unix.Read(s.wake, scratch[:])
				if step < 0 && !exited {
					out.Canceled = true
					terminate(time.Now())
				}
			case pipes[0][0]:
				s.readOnce(&pipes[0][0], &sinks[0], out)
			case pipes[1][0]:
				s.readOnce(&pipes[1][0], &sinks[1], out)
			}
		}
	}
	if err != nil {
		syscall.Kill(-pid, syscall.SIGKILL)
		if !exited {
			s.unwatch(pidfd)
		}
		s.closeReads(pipes)
	}
	return err
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
				s.closeRead(fd)
			}
			return
		}
	}
	n, err := syscall.Read(*fd, s.buf)
	if err == syscall.EINTR || err == syscall.EAGAIN {
		return
	}
	if n <= 0 {
		s.closeRead(fd)
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

// closeRead stops watching a pipe's read end and closes it.
func (s *Supervisor) closeRead(fd *int) {
	s.unwatch(*fd)
	syscall.Close(*fd)
	*fd = -1
}

// closeReads closes the read ends of the pipes still open.
func (s *Supervisor) closeReads(p *[2][2]int) {
	for i := range p {
		if p[i][0] >= 0 {
			s.closeRead(&p[i][0])
		}
	}
}

// closePipes closes the pipes of a process that did not start.
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
