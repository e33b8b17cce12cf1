//go:build unix && (!linux || fanout_portable)

package proc

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// Supervisor runs processes one at a time; each worker of a pool owns one,
// so its channels, timer and buffer are reused from job to job.
//
// This is the portable supervisor. Its loop runs on the caller's goroutine
// and selects over channels. Each output pipe has a goroutine that waits in
// Go's netpoller until the pipe can be read and then hands the read to the
// loop, which does it: every read and every write to a sink happens on the
// caller's goroutine, as with the Linux supervisor. The process-wide exit
// watcher (exits.go) reports the job's exit without reaping it, so that the
// group can be killed while its id cannot be reused. Wake is a send on a
// channel and deadlines are a timer. Unlike the Linux supervisor it spends
// a few allocations, goroutines and channel operations per job, and it
// leaves pipes at their default size.
type Supervisor struct {
	wake chan struct{} // a send asks the running job to terminate
	// ready carries the pipe waiters' news: stream i can be read (i), or
	// its waiter has closed the pipe and ended (i+gone).
	ready chan int
	reply [2]chan int           // to waiter i: what its read found
	wait  [2]func(uintptr) bool // waiter i's callback, bound once
	exit  chan int              // from the exit watcher: the pid that exited
	timer *time.Timer
	armed time.Time // the deadline timer is set for; zero: none
	buf   []byte
	// attr and sys are reused from job to job: ForkExec only reads them.
	attr  syscall.ProcAttr
	sys   syscall.SysProcAttr
	files [3]uintptr
	slot  jobSlot
}

// Replies to a pipe waiter, and the offset of its last message.
const (
	readMore  = iota // the read took bytes: read again at once
	readAgain        // the pipe is empty: wait until it can be read
	readStop         // end of file, or the pipe is given up: close it
	gone      = 2
)

// NewSupervisor allocates the reusable state of one worker.
func NewSupervisor() (*Supervisor, error) {
	if err := startExits(); err != nil {
		return nil, err
	}
	s := &Supervisor{
		wake:  make(chan struct{}, 1),
		ready: make(chan int),
		exit:  make(chan int, 1),
		timer: time.NewTimer(time.Hour),
		buf:   make([]byte, 64<<10),
	}
	s.timer.Stop()
	for i := range s.reply {
		s.reply[i] = make(chan int)
		s.wait[i] = s.waiter(i)
	}
	s.sys = syscall.SysProcAttr{Setpgid: true}
	setDeathSig(&s.sys)
	s.attr.Sys = &s.sys
	s.attr.Files = s.files[:]
	s.slot = newJobSlot()
	return s, nil
}

// Close releases the supervisor's slot in the job table.
func (s *Supervisor) Close() error {
	s.timer.Stop()
	s.slot.release()
	s.slot = jobSlot{}
	return nil
}

// Wake asks the job now running, or the next one Run starts, to terminate
// with its term sequence. It is safe to call from any goroutine and at any
// time; Discard drops a wake-up meant for a job that has ended.
func (s *Supervisor) Wake() {
	select {
	case s.wake <- struct{}{}:
	default: // one is pending already
	}
}

// Discard drops a wake-up sent before it. A caller calls it before it
// arranges for Wake to be called for the next job, not in Run: a wake-up
// for that job may come before Run starts it, and must not be lost.
func (s *Supervisor) Discard() {
	select {
	case <-s.wake:
	default:
	}
}

// outPipe is the read end of a job's output pipe.
type outPipe struct {
	f    *os.File // in the netpoller; its waiter closes it
	fd   int      // read by the loop while the waiter waits for its reply
	live bool     // its waiter has not ended
	stop bool     // given up: the waiter is told to close it
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
	var pipes [2]outPipe
	wfds := [2]int{-1, -1}
	files := &s.files
	*files = [3]uintptr{uintptr(sp.Stdin), uintptr(sp.Stdout), uintptr(sp.Stderr)}
	for i, fd := range [2]int{sp.Stdout, sp.Stderr} {
		if fd >= 0 {
			continue
		}
		f, r, w, err := openPipe()
		if err != nil {
			closeParent(&pipes, &wfds)
			return out, err
		}
		pipes[i], wfds[i] = outPipe{f: f, fd: r}, w
		files[i+1] = uintptr(w)
	}
	s.attr.Dir, s.attr.Env = sp.Dir, sp.Env
	out.Start = time.Now()
	pid, err := syscall.ForkExec(sp.Path, sp.Argv, &s.attr)
	closeParent(nil, &wfds)
	if err != nil {
		closeParent(&pipes, nil)
		return out, err
	}
	out.Pid = pid
	s.slot.track(pid)
	if err := watchExit(pid, s.exit); err != nil {
		syscall.Kill(-pid, syscall.SIGKILL)
		s.slot.untrack(pid)
		waitFor(pid, &out)
		closeParent(&pipes, nil)
		return out, err
	}
	if sp.Started != nil {
		sp.Started()
	}

	sinks := [2]io.Writer{stdout, stderr}
	s.supervise(pid, &pipes, &sinks, &out, timeout, seq, drain)
	s.slot.untrack(pid) // supervise killed the group once its leader exited
	err = waitFor(pid, &out)
	out.End = time.Now()
	if err != nil {
		return out, fmt.Errorf("wait: %w", err)
	}
	return out, nil
}

// waitFor waits for the process pid, which has exited or been killed, and
// records its status and resource use.
func waitFor(pid int, out *Outcome) error {
	for {
		_, err := syscall.Wait4(pid, &out.Status, 0, &out.Rusage)
		if err != syscall.EINTR {
			return err
		}
	}
}

// openPipe makes a pipe for a job's output: its read end non-blocking and
// in Go's netpoller, its write end, for the child, blocking.
func openPipe() (f *os.File, r, w int, err error) {
	var p [2]int
	if err := cloexecPipe(&p); err != nil {
		return nil, -1, -1, fmt.Errorf("pipe: %w", err)
	}
	if err := syscall.SetNonblock(p[0], true); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, -1, -1, fmt.Errorf("pipe: %w", err)
	}
	if f, err = newPollable(p[0], "|0"); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, -1, -1, err
	}
	// Deadlines work only on a descriptor the netpoller took; the
	// supervisor needs one to stop the pipe's waiter.
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		syscall.Close(p[1])
		return nil, -1, -1, fmt.Errorf("pipe: the runtime cannot wait on it: %w", err)
	}
	return f, p[0], p[1], nil
}

// closeParent closes this process's ends of a job's pipes that no waiter
// owns: the read ends in p, the write ends in w, either may be nil.
func closeParent(p *[2]outPipe, w *[2]int) {
	for i := range 2 {
		if p != nil && p[i].f != nil {
			p[i].f.Close()
			p[i].f = nil
		}
		if w != nil && w[i] >= 0 {
			syscall.Close(w[i])
			w[i] = -1
		}
	}
}

// supervise follows the started process pid until it has exited and its
// pipes' waiters have ended, copying output, enforcing the timeout and
// terminating it on a wake-up. It leaves the process to reap.
func (s *Supervisor) supervise(pid int, pipes *[2]outPipe, sinks *[2]io.Writer, out *Outcome, timeout time.Duration, seq []TermStep, drain time.Duration) {
	live := 0
	for i := range pipes {
		if pipes[i].f != nil {
			pipes[i].live = true
			live++
			go s.waitPipe(i, pipes[i].f)
		}
	}
	exited := false
	var deadline time.Time // when the current wait (timeout, term step, drain) ends
	if timeout > 0 {
		deadline = out.Start.Add(timeout)
	}
	step := -1 // index of the last term step sent; -1: not terminating
	terminate := func() {
		var wait time.Duration
		step, wait = killSeq(pid, step, seq)
		deadline = time.Now().Add(wait)
	}
	for !exited || live > 0 {
		select {
		case m := <-s.ready:
			if m >= gone {
				pipes[m-gone].live = false
				live--
				continue
			}
			p, reply := &pipes[m], readStop
			if !p.stop {
				reply = s.readOnce(p.fd, &sinks[m], out)
			}
			p.stop = reply == readStop
			s.reply[m] <- reply
		case p := <-s.exit:
			if p != pid {
				continue // cannot happen: every job's exit is taken before the next
			}
			exited = true
			// The exited process is not reaped yet, so its pid, and with
			// it the group id, cannot be reused: killing the group now
			// reaches only this job's leftovers.
			syscall.Kill(-pid, syscall.SIGKILL)
			deadline = time.Now().Add(drain)
		case <-s.wake:
			if step < 0 && !exited {
				out.Canceled = true
				terminate()
			}
		case <-s.alarm(deadline):
			s.armed = time.Time{}
			switch {
			case exited: // descendants outside the group hold the pipes
				s.lastReads(pipes, sinks, out)
				stopPipes(pipes)
				deadline = time.Time{}
			case step < 0:
				out.TimedOut = true
				terminate()
			default:
				terminate()
			}
		}
	}
	s.alarm(time.Time{})
}

// alarm returns a channel that receives once deadline passes, or nil for
// no deadline, setting the timer only when the deadline changed.
func (s *Supervisor) alarm(deadline time.Time) <-chan time.Time {
	if deadline.IsZero() {
		if !s.armed.IsZero() {
			s.timer.Stop()
			s.armed = time.Time{}
		}
		return nil
	}
	if !deadline.Equal(s.armed) {
		s.timer.Reset(time.Until(deadline))
		s.armed = deadline
	}
	return s.timer.C
}

// lastReads reads what the pipes still open hold when the drain ends. The
// job's own output is all in its pipes by the time its exit is seen, but on
// a loaded machine the drain can pass before the pipes' waiters have handed
// it over, and the timer and a waiter's news are picked at random when both
// are ready: the drain is for pipes that escaped descendants keep open, not
// a bound on reading what is there. The loop may read a pipe itself while
// its waiter waits, in the netpoller or for the loop. A pipe that a
// descendant keeps filling is read at most maxLastReads times.
func (s *Supervisor) lastReads(pipes *[2]outPipe, sinks *[2]io.Writer, out *Outcome) {
	for i := range pipes {
		p := &pipes[i]
		for k := 0; k < maxLastReads && p.live && !p.stop; k++ {
			if s.readOnce(p.fd, &sinks[i], out) != readMore {
				break // empty or at its end: stopPipes closes it
			}
		}
	}
}

// maxLastReads bounds lastReads per pipe: enough reads of the loop's buffer
// to empty a pipe of a megabyte (the most an unprivileged process may make
// one hold on Linux; other systems' pipes are smaller), whatever a
// descendant writes meanwhile: each read short of the buffer empties it.
const maxLastReads = 1<<20/(64<<10) + 1

// stopPipes gives up the pipes still open: a waiter parked in the netpoller
// wakes at the past deadline, one about to hand over a read is told to
// stop; either closes its pipe.
func stopPipes(pipes *[2]outPipe) {
	for i := range pipes {
		if p := &pipes[i]; p.live && !p.stop {
			p.stop = true
			p.f.SetReadDeadline(time.Unix(1, 0))
		}
	}
}

// waitPipe is the goroutine of output stream i: it waits until the pipe can
// be read, lets the loop read it, and closes it when told to or when its
// wait fails (after stopPipes, a deadline). Closing is done here, not in
// the loop, because Close waits for a waiter inside its callback.
func (s *Supervisor) waitPipe(i int, f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Read(s.wait[i])
	}
	f.Close()
	s.ready <- i + gone
}

// waiter returns waiter i's callback, which the netpoller calls at once and
// then whenever the pipe can be read; it reports true when the pipe is
// done with.
func (s *Supervisor) waiter(i int) func(uintptr) bool {
	return func(uintptr) bool {
		for {
			s.ready <- i
			switch <-s.reply[i] {
			case readAgain:
				return false
			case readStop:
				return true
			}
		}
	}
}

// readOnce moves one read's worth of bytes from the pipe to the sink and
// says what to do next.
func (s *Supervisor) readOnce(fd int, sink *io.Writer, out *Outcome) int {
	if sp, ok := (*sink).(Splicer); ok {
		n, handled, err := sp.SpliceFrom(fd)
		if handled {
			switch {
			case err == syscall.EAGAIN:
				return readAgain
			case err == syscall.EINTR:
			case err != nil:
				if out.WriteErr == nil {
					out.WriteErr = err
				}
				*sink = nil
			case n == 0:
				return readStop
			}
			return readMore
		}
	}
	n, err := syscall.Read(fd, s.buf)
	switch {
	case err == syscall.EAGAIN:
		return readAgain
	case err == syscall.EINTR:
		return readMore
	case n <= 0:
		return readStop
	case *sink == nil:
		return readMore // this stream's writer failed: drain the pipe so the job goes on
	}
	if _, werr := (*sink).Write(s.buf[:n]); werr != nil {
		if out.WriteErr == nil {
			out.WriteErr = werr
		}
		*sink = nil
	}
	return readMore
}

// killSeq is how a supervisor escalates the term sequence seq: step is the
// index of the last step sent, -1 before the first. It signals the group
// pgid and returns the step sent and how long to wait for it.
func killSeq(pgid, step int, seq []TermStep) (int, time.Duration) {
	step++
	if step < len(seq) {
		syscall.Kill(-pgid, seq[step].Signal)
		return step, seq[step].Wait
	}
	// The sequence is spent and the process still lives: it can only be
	// in uninterruptible sleep. Keep killing until it goes.
	syscall.Kill(-pgid, syscall.SIGKILL)
	return step, 100 * time.Millisecond
}
