package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fanoutdev/fanout"
)

// openTTY opens the controlling terminal for --tty, -o and -p, as GNU
// parallel does: /dev/tty if it is a character device that opens, else
// nil, and then jobs read /dev/null as usual.
func openTTY() *os.File {
	st, err := os.Stat("/dev/tty")
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil // no controlling terminal (a daemon, a CI runner)
	}
	return f
}

// ttyExecutor runs jobs with the terminal as their standard input (--tty,
// -o). Unlike Local's jobs, they stay in fanout's own process group: only
// the terminal's foreground group may read it, and that is fanout's. So,
// as GNU parallel's manual says of --tty, such a job cannot be killed as a
// group: --timeout and a stopping run signal its own process alone, and
// what it started may outlive it.
type ttyExecutor struct {
	shell string
	tty   *os.File
	seq   []fanout.TermStep
}

func (e *ttyExecutor) Runner() (fanout.Runner, error) { return e, nil }

// Close does nothing: the terminal is the command's to close.
func (e *ttyExecutor) Close() error { return nil }

// Run runs job on the terminal, its output where the job says or into r.
func (e *ttyExecutor) Run(ctx context.Context, job *fanout.Job, r *fanout.Result) {
	r.ExitCode = -1
	if job.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, job.Timeout)
		defer cancel()
	}
	cmd := e.command(ctx, job)
	if cmd == nil {
		r.Err = errors.New("job has neither Args nor Shell")
		return
	}
	cmd.Stdout, cmd.Stderr = job.Stdout, job.Stderr
	if cmd.Stdout == nil {
		cmd.Stdout = &r.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &r.Stderr
	}
	r.Start = time.Now()
	err := cmd.Run()
	r.Runtime = time.Since(r.Start)
	st := cmd.ProcessState
	if st == nil {
		r.Err = fmt.Errorf("%s: %w", cmd.Args[0], err)
		return
	}
	r.UserTime, r.SystemTime = st.UserTime(), st.SystemTime()
	if ctx.Err() != nil {
		r.TimedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
		r.Canceled = !r.TimedOut
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled():
		r.Signal = ws.Signal()
	default:
		r.ExitCode = st.ExitCode()
	}
}

// command builds the job's process: its shell line or its words, on the
// terminal, ended with the term sequence's first signal, then killed.
func (e *ttyExecutor) command(ctx context.Context, job *fanout.Job) *exec.Cmd {
	var cmd *exec.Cmd
	switch {
	case job.Shell != "":
		cmd = exec.CommandContext(ctx, e.shell, "-c", job.Shell)
	case len(job.Args) > 0:
		cmd = exec.CommandContext(ctx, job.Args[0], job.Args[1:]...)
		if job.Path != "" {
			cmd.Path = job.Path
		}
	default:
		return nil
	}
	cmd.Dir, cmd.Env, cmd.Stdin = job.Dir, job.Env, e.tty
	first := syscall.SIGTERM
	wait := time.Second
	if len(e.seq) > 0 {
		first, wait = e.seq[0].Signal, max(e.seq[0].Wait, 10*time.Millisecond)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(first) }
	cmd.WaitDelay = wait
	return cmd
}

// asker is --interactive (-p): it shows each command on the terminal
// followed by " ?...", and runs it only if the answer starts with y or Y.
// One question at a time: workers that start jobs together take turns.
type asker struct {
	mu  sync.Mutex
	tty *os.File
	in  *bufio.Reader
	err io.Writer // where the question goes: standard error, as GNU parallel's
}

// ask reports whether to run the command line. The end of the terminal's
// input answers no.
func (a *asker) ask(line []byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.err, "%s ?...", line)
	answer, _ := a.in.ReadString('\n')
	return strings.HasPrefix(strings.ToLower(strings.TrimLeft(answer, " \t\r\n\v\f")), "y")
}

// ttyDefaults applies what --tty implies, as GNU parallel does: one job at
// a time unless -j says otherwise, and output as it comes (-u) unless
// --group is given.
func ttyDefaults(o *Options) {
	if !o.TTY {
		return
	}
	if o.Jobs == "" {
		o.Jobs = "1"
	}
	if !o.Group {
		o.Ungroup = true
	}
}
