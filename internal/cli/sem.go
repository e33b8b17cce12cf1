package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/sem"
)

// semHolderEnv tells a background semaphore process, started by the one
// that took the slot, which descriptor holds it.
const semHolderEnv = "FANOUT_SEM_SLOT"

// isSem reports whether the program was called as sem: it then works as
// --semaphore, as GNU parallel's sem does.
func isSem(argv0 string) bool { return filepath.Base(argv0) == "sem" }

// semaphore is --semaphore (sem): the command runs once, with no
// arguments, while this process holds one of -j slots (default 1) of the
// semaphore named by --id, shared with every other fanout --semaphore of
// that name on this machine. By default it waits for a slot, then returns
// at once with status 0 and the command runs in the background, in a
// process that holds the slot until the command ends; --fg runs it here
// and exits as it did (128+N for signal N). --wait waits until no one
// holds the semaphore. A process that holds a slot frees it however it
// ends, kill -9 included (package sem).
func semaphore(o *Options, c *console, env func(string) string, sigs <-chan os.Signal) int {
	if f := env(semHolderEnv); f != "" {
		return semHolder(o, c, env, sigs, f)
	}
	n := 1
	if o.Jobs != "" {
		var err error
		if n, err = ResolveJobs(o.Jobs, cpuCount(o)); err != nil {
			return outcome{err: usageError{err}}.exit(c)
		}
	}
	s, err := openSem(o, c, env)
	if err != nil {
		return outcome{err: err}.exit(c)
	}
	ctx, cancel := semContext(o, sigs)
	defer cancel()
	if o.Wait {
		err := s.WaitFree(ctx)
		if err != nil && o.SemTimeout > 0 && ctx.Err() == context.DeadlineExceeded {
			return ExitOK // waited long enough
		}
		return semTimedOut(c, err)
	}
	slot, err := s.Acquire(ctx, n)
	if err != nil && o.SemTimeout > 0 && ctx.Err() == context.DeadlineExceeded {
		c.warnf("warning: the semaphore timed out: taking a slot anyway")
		slot, _, err = s.TryAcquire(n, true)
	}
	if err != nil {
		return semTimedOut(c, err)
	}
	defer slot.Release()
	if o.Fg {
		return semRun(o, c, env, sigs)
	}
	if err := semBackground(slot); err != nil {
		return outcome{err: err}.exit(c)
	}
	return ExitOK
}

// semContext bounds the wait for a slot: by --semaphore-timeout, and by a
// signal, which ends the wait as it would end a run.
func semContext(o *Options, sigs <-chan os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	if o.SemTimeout != 0 {
		ctx, cancel = context.WithTimeout(context.Background(), max(o.SemTimeout, -o.SemTimeout))
	}
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// semTimedOut is the exit of a wait that ended without a slot: a negative
// --semaphore-timeout gives up with status 1, as GNU parallel does; a
// signal or an error ends it with 255.
func semTimedOut(c *console, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case err == context.DeadlineExceeded:
		c.warnf("warning: the semaphore timed out: giving up")
		return 1
	case err == context.Canceled:
		c.warnf("stopped by a signal while waiting for the semaphore")
		return ExitError
	}
	return outcome{err: err}.exit(c)
}

// openSem opens the semaphore of --id, by default named after the
// terminal on standard input, as GNU parallel names it ("not a tty"
// without one), under semaphores in GNU parallel's directory.
func openSem(o *Options, c *console, env func(string) string) (*sem.Sem, error) {
	name := o.SemID
	if name == "" {
		name = ttyName(c)
	}
	root := filepath.Join(cacheDir(env), "semaphores")
	s, err := sem.Open(root, name)
	if err != nil {
		return nil, fmt.Errorf("%w; set $PARALLEL_HOME to a writable directory", err)
	}
	return s, nil
}

// cacheDir is where GNU parallel keeps its semaphores: the first that
// exists of $PARALLEL_HOME and $XDG_CACHE_HOME/parallel, else ~/.parallel.
func cacheDir(env func(string) string) string {
	for _, d := range []string{env("PARALLEL_HOME"), xdgCache(env)} {
		if st, err := os.Stat(d); d != "" && err == nil && st.IsDir() {
			return d
		}
	}
	home := env("HOME")
	if home == "" {
		home = "/tmp"
	}
	return filepath.Join(home, ".parallel")
}

func xdgCache(env func(string) string) string {
	if x := env("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "parallel")
	}
	return ""
}

// ttyName is what tty(1) prints for standard input.
func ttyName(c *console) string {
	f, ok := c.In.(*os.File)
	if !ok || !isTerminal(f) {
		return "not a tty"
	}
	if p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd()))); err == nil {
		return p
	}
	return "tty"
}

// semBackground starts this program again, with the same arguments, to
// run the command in the background: it hands the new process the slot's
// file, so that the slot stays held until that process ends, and does not
// wait for it.
func semBackground(slot *sem.Slot) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--semaphore: cannot run in the background: %w", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), semHolderEnv+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{slot.File()}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--semaphore: cannot run in the background: %w", err)
	}
	return cmd.Process.Release()
}

// semHolder is the background process: it holds the slot on descriptor fd
// and runs the command.
func semHolder(o *Options, c *console, env func(string) string, sigs <-chan os.Signal, fd string) int {
	os.Unsetenv(semHolderEnv)
	n, err := strconv.Atoi(fd)
	if err != nil || n < 3 {
		return outcome{err: fmt.Errorf("$%s=%q: not a descriptor", semHolderEnv, fd)}.exit(c)
	}
	slot := sem.FromFile(os.NewFile(uintptr(n), "semaphore slot"))
	defer slot.Release()
	return semRun(o, c, func(k string) string {
		if k == semHolderEnv {
			return ""
		}
		return env(k)
	}, sigs)
}

// semRun runs the command once, with no arguments and fanout's standard
// input, and returns its exit status as a shell gives it.
func semRun(o *Options, c *console, env func(string) string, sigs <-chan os.Signal) int {
	if len(o.Command) == 0 {
		return outcome{err: usageError{fmt.Errorf("--semaphore: no command to run")}}.exit(c)
	}
	run := *o
	run.Semaphore, run.Jobs = false, "1"
	run.Sources = []SourceSpec{{Kind: ArgsList, Values: []string{""}}}
	run.MaxReplaceArgs, run.MaxReplaceArgsSet = 0, true
	p, err := assemble(&run, c, env)
	if err != nil {
		return outcome{err: err}.exit(c)
	}
	defer p.close()
	if f, ok := c.In.(*os.File); ok {
		p.stdin = f
	}
	status := 0
	p.observe = func(r *fanout.Result) { status = min(r.ExitStatus(), 255) }
	oc := p.execute(sigs)
	if oc.err != nil || oc.sig != 0 {
		return oc.exit(c)
	}
	if oc.failed > 0 && status == 0 {
		status = 1 // its output was lost
	}
	return status
}
