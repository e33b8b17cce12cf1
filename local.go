package fanout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/fanoutdev/fanout/internal/proc"
)

// Executor is where jobs run. The pool asks it for one Runner per worker,
// so a Runner's state needs no locking.
type Executor interface {
	Runner() (Runner, error)
}

// Runner runs one job at a time.
type Runner interface {
	// Run runs job to completion and fills in r (its Seq, Slot and Job are
	// set already). It returns only when the job is over. Output the job
	// does not stream elsewhere goes to r.Stdout and r.Stderr.
	Run(ctx context.Context, job *Job, r *Result)
	// Close releases the runner.
	Close() error
}

// TermStep is one step of a termination sequence: send Signal to the job's
// whole process group, then give it up to Wait to exit. It is the one type
// for it in fanout: the command line parses --termseq into it, and any
// executor can read a job's sequence in it.
type TermStep = proc.TermStep

// DefaultTermSeq is GNU parallel's default --termseq,
// TERM,200,TERM,100,TERM,50,KILL,25 (milliseconds). Do not modify it.
var DefaultTermSeq = proc.DefaultTermSeq

// Local runs jobs as processes on this machine, each in a process group of
// its own. When a job's main process exits, whatever it left running in its
// group is killed, so no orphan outlives its job; descendants that left the
// group and keep its output open are waited for at most WaitDelay. If this
// program dies, even by SIGKILL, its reaper process kills every running
// job's group (see the package documentation).
type Local struct {
	// Shell runs Job.Shell lines as `Shell -c line`; empty means /bin/sh.
	Shell string

	// TermSeq is the sequence of signals sent to a job's process group
	// when it times out or its context ends; nil means GNU parallel's
	// TERM,200,TERM,100,TERM,50,KILL,25 (milliseconds).
	TermSeq []TermStep

	// WaitDelay bounds how long output pipes still held open by escaped
	// descendants are read after the job's process exits; zero means one
	// second.
	WaitDelay time.Duration

	once  sync.Once
	env   []string
	seq   []TermStep
	paths sync.Map // program name -> resolved path
}

func (l *Local) init() {
	l.once.Do(func() {
		l.env = os.Environ()
		l.seq = l.TermSeq
		if l.seq == nil {
			l.seq = DefaultTermSeq
		}
		if l.Shell == "" {
			l.Shell = "/bin/sh"
		}
		if l.WaitDelay <= 0 {
			l.WaitDelay = time.Second
		}
	})
}

// ReaperErr reports why the reaper process could not be started, or nil.
// Without it a job's own process still dies with this program, but
// processes the job started may outlive it when it is killed. A command
// calls it before its first job to warn about that.
func ReaperErr() error { return proc.ReaperErr() }

// StopReaper ends the reaper process and waits for it to exit. A program
// that ran jobs calls it just before it exits, after its last job: the
// reaper would end by itself a moment later, but under a tight process
// limit (ulimit -u) even that moment counts against the next program
// started. Jobs started afterwards are no longer watched by a reaper.
func StopReaper() { proc.StopReaper() }

// Signal sends sig to the process group of every job running now on this
// machine under any Local of this process, and returns how many it
// reached: process groups belong to the process, not to one pool. A
// command passes on this way the signals its jobs, in groups of their own,
// no longer get from the terminal (Ctrl-Z's SIGTSTP, then SIGCONT).
func (l *Local) Signal(sig syscall.Signal) int { return proc.SignalRunning(sig) }

// Runner returns a runner with its own reusable buffers.
func (l *Local) Runner() (Runner, error) {
	l.init()
	sup, err := proc.NewSupervisor()
	if err != nil {
		return nil, err
	}
	lr := &localRunner{l: l, sup: sup, woke: make(chan struct{}, 1)}
	lr.cancel = lr.wake // bound once: a method value per job would allocate
	return lr, nil
}

type localRunner struct {
	l   *Local
	sup *proc.Supervisor
	sp  proc.Spec
	sh  [3]string
	in  stdinPipe
	// cancel is what a job's context calls when it ends; it signals woke
	// once it has woken the supervisor.
	cancel func()
	woke   chan struct{}
}

// wake asks the supervisor to terminate the job, then says it has.
func (lr *localRunner) wake() {
	lr.sup.Wake()
	lr.woke <- struct{}{}
}

func (lr *localRunner) Close() error { return lr.sup.Close() }

// lookPath resolves a program once per Local: a PATH search per job would be
// a dozen stat calls on the hot path.
func (l *Local) lookPath(name string) (string, error) {
	if p, ok := l.paths.Load(name); ok {
		return p.(string), nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("%s: command not found: %w", name, exec.ErrNotFound)
		}
		return "", fmt.Errorf("%s: %w", name, errors.Unwrap(err))
	}
	l.paths.Store(name, p)
	return p, nil
}

func (lr *localRunner) Run(ctx context.Context, job *Job, r *Result) {
	r.ExitCode = -1
	sp := &lr.sp
	*sp = proc.Spec{Dir: job.Dir, Env: job.Env, Stdin: -1, Stdout: -1, Stderr: -1}
	if sp.Env == nil {
		sp.Env = lr.l.env
	}
	if r.Err = lr.command(job, sp); r.Err != nil {
		return
	}
	if r.Err = lr.openStdin(job.Stdin, sp); r.Err != nil {
		return
	}
	defer lr.closeStdin()
	var stdout, stderr io.Writer = &r.Stdout, &r.Stderr
	if f, ok := job.Stdout.(*os.File); ok {
		sp.Stdout = int(f.Fd())
	} else if job.Stdout != nil {
		stdout = job.Stdout
	}
	if f, ok := job.Stderr.(*os.File); ok {
		sp.Stderr = int(f.Fd())
	} else if job.Stderr != nil {
		stderr = job.Stderr
	}

	// A wake-up left from the last job goes before this job's context can
	// send one: that may come even before its process starts, and Run
	// must see it. A call the context started but did not finish is
	// waited for, so that its wake-up cannot reach the next job.
	lr.sup.Discard()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, lr.cancel)
		defer func() {
			if !stop() {
				<-lr.woke
			}
		}()
	}
	out, err := lr.sup.Run(sp, stdout, stderr, job.Timeout, lr.l.seq, lr.l.WaitDelay)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", sp.Argv[0], err)
		return
	}
	fill(r, &out)
}

// command sets the program and its arguments: the shell for a shell
// line, else the program of Args, its path resolved once per Local.
func (lr *localRunner) command(job *Job, sp *proc.Spec) error {
	switch {
	case job.Shell != "":
		lr.sh = [3]string{lr.l.Shell, "-c", job.Shell}
		sp.Path, sp.Argv = lr.l.Shell, lr.sh[:]
	case len(job.Args) == 0:
		return errors.New("job has neither Args nor Shell")
	default:
		sp.Argv = job.Args
		sp.Path = job.Path
		if sp.Path == "" {
			p, err := lr.l.lookPath(job.Args[0])
			if err != nil {
				return err
			}
			sp.Path = p
		}
	}
	return nil
}

// stdinPipe is the pipe a job reads a non-file Stdin from.
type stdinPipe struct {
	r, w    *os.File
	started bool // the copier runs, and closes w when it is done
}

// openStdin gives the job its standard input: /dev/null for none, a file
// as it is, anything else through a pipe that a copier fills once the
// process has started, so that a job that could not start has consumed
// none of its input and can run again.
func (lr *localRunner) openStdin(in io.Reader, sp *proc.Spec) error {
	switch in := in.(type) {
	case nil:
		f, err := proc.DevNull()
		if err != nil {
			return err
		}
		sp.Stdin = int(f.Fd())
	case *os.File:
		sp.Stdin = int(in.Fd())
	default:
		pr, pw, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("stdin pipe: %w", err)
		}
		lr.in = stdinPipe{r: pr, w: pw}
		sp.Stdin = int(pr.Fd())
		// Closing the read end when the job ends stops the copier with
		// EPIPE; a reader that never returns keeps it, not the job, alive.
		sp.Started = func() {
			lr.in.started = true
			go func() {
				io.Copy(pw, in)
				pw.Close()
			}()
		}
	}
	return nil
}

// closeStdin closes what openStdin opened.
func (lr *localRunner) closeStdin() {
	if lr.in.r == nil {
		return
	}
	lr.in.r.Close()
	if !lr.in.started {
		lr.in.w.Close()
	}
	lr.in = stdinPipe{}
}

// fill records in r how the job's process ended.
func fill(r *Result, out *proc.Outcome) {
	r.Start = out.Start
	r.Runtime = out.End.Sub(out.Start)
	// The rusage came with the reaping wait: no system call of its own.
	r.UserTime = time.Duration(out.Rusage.Utime.Nano())
	r.SystemTime = time.Duration(out.Rusage.Stime.Nano())
	r.TimedOut = out.TimedOut
	r.Canceled = out.Canceled
	r.OutputErr = out.WriteErr
	switch ws := out.Status; {
	case ws.Exited():
		r.ExitCode = ws.ExitStatus()
	case ws.Signaled():
		r.Signal = ws.Signal()
	}
}
