package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/fanoutdev/fanout"
)

// tmuxExecutor runs each job in a window of its own of a tmux session, as
// GNU parallel's --tmux does (--tmux-pane: in a pane of the session's
// first window), and prints nothing else: the job's output is the
// window's. The session is p<fanout's pid> on a tmux server of its own,
// whose socket a line on standard error names, once, for `tmux -S SOCKET
// attach`. A window stays open 10 seconds after its job ends, showing the
// command and when it finished. The job fanout runs is the tmux client that
// opens the window and waits for the job's exit status, which a named pipe
// brings back; so --timeout and a stopping run end that wait, not the
// job in its window.
type tmuxExecutor struct {
	inner fanout.Executor
	prog  string // the tmux program as named: $PARALLEL_TMUX, else tmux
	tmux  string // its path
	shell string // what runs the job's line in its window
	pane  bool   // --tmux-pane
	dir   string // a private directory of the named pipes
	sock  string
	name  string
	say   func(line []byte) // prints the "See output with" line
	once  sync.Once
}

// newTmux checks that tmux is there and makes the run's directory and
// socket name, in tmpdir ("" for $TMPDIR). The socket stays after the run,
// for attaching later.
func newTmux(inner fanout.Executor, o *Options, env func(string) string, shell string, say func([]byte)) (*tmuxExecutor, error) {
	prog := env("PARALLEL_TMUX")
	if prog == "" {
		prog = "tmux"
	}
	path, err := exec.LookPath(prog)
	if err != nil {
		return nil, fmt.Errorf("--tmux: %s not found in $PATH; install tmux or set PARALLEL_TMUX", prog)
	}
	base := o.TmpDir
	if base == "" {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "tmx")
	if err != nil {
		return nil, fmt.Errorf("--tmux: %w", err)
	}
	sock := filepath.Join(dir, "socket")
	if len(sock) >= 100 {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("--tmux: the socket %s is too long for tmux (100 bytes or more); point --tmpdir at a shorter directory", sock)
	}
	return &tmuxExecutor{inner: inner, prog: prog, tmux: path, shell: shell, pane: o.TmuxPane, dir: dir, sock: sock,
		name: "p" + strconv.Itoa(os.Getpid()), say: say}, nil
}

func (e *tmuxExecutor) Runner() (fanout.Runner, error) {
	r, err := e.inner.Runner()
	if err != nil {
		return nil, err
	}
	return &tmuxRunner{Runner: r, e: e}, nil
}

type tmuxRunner struct {
	fanout.Runner
	e *tmuxExecutor
}

// Run opens the job's window and waits for its exit status, which is the
// job's. The job's own line and streams are put back once it is over.
func (tr *tmuxRunner) Run(ctx context.Context, job *fanout.Job, r *fanout.Result) {
	e := tr.e
	e.once.Do(func() {
		e.say([]byte("See output with: " + quoteIfNeeded(e.prog) + " -S " + quoteIfNeeded(e.sock) + " attach"))
	})
	fifo := filepath.Join(e.dir, "exit"+strconv.Itoa(r.Slot))
	os.Remove(fifo) // left by a job that was killed before it read it
	if err := mkfifo(fifo); err != nil {
		r.ExitCode, r.Err = -1, fmt.Errorf("--tmux: %w", err)
		return
	}
	defer os.Remove(fifo)
	shell, args, path := job.Shell, job.Args, job.Path
	job.Shell, job.Args, job.Path = e.wrap(job, fifo), nil, ""
	defer func() { job.Shell, job.Args, job.Path = shell, args, path }()
	tr.Runner.Run(ctx, job, r)
}

// wrap is the line that opens the job's window, then waits for the job's
// exit status on fifo and exits with it; 255 if tmux failed.
func (e *tmuxExecutor) wrap(job *fanout.Job, fifo string) string {
	line := job.String()
	title := shellQuote(tmuxTitle(line))
	inner := "(" + line + "); echo $? > " + shellQuote(fifo) + " & echo " + title +
		"; echo \a" + "Job finished at: `date`; sleep 10"
	if e.pane {
		// Into the first window, tiled, as GNU parallel's --tmux-pane.
		inner = shellQuote(e.tmux) + " joinp -t :0; " + shellQuote(e.tmux) + " select-layout -t :0 tiled; " + inner
	}
	tm := shellQuote(e.tmux) + " -S " + shellQuote(e.sock)
	return tm + " new-session -s " + e.name + " -d 'sleep .2' >/dev/null 2>&1; " +
		tm + " new-window -t " + e.name + " -n " + title + " " +
		shellQuote("exec "+shellQuote(e.shell)+" -c "+shellQuote(inner)) + " || exit 255; " +
		"read s < " + shellQuote(fifo) + "; exit ${s:-255}"
}

// tmuxTitle is the window's name: the command line with what confuses
// tmux made blanks, as GNU parallel makes them (tabs and other controls,
// ';', brackets, and the bytes that start and continue UTF-8 sequences).
func tmuxTitle(line string) string {
	var b strings.Builder
	blank := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c >= 9 && c <= 14 || c == ';' || c == '[' || c == ']' || c >= 0xc2 && c <= 0xf5 {
			if !blank {
				b.WriteByte(' ')
			}
			blank = true
			continue
		}
		blank = false
		b.WriteByte(c)
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell, always.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// quoteIfNeeded quotes s for a POSIX shell only if it has characters
// that need it, for a line the user may paste.
func quoteIfNeeded(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_+.,/:@%=", r))
	}) {
		return s
	}
	return shellQuote(s)
}
