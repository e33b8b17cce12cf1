package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/joblog"
)

// runMain runs Main in-process with in-memory streams, as a test of the
// whole command that the race detector can see into.
func runMain(t *testing.T, stdin io.Reader, sigs <-chan os.Signal, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errw bytes.Buffer
	env := func(k string) string {
		if k == "PARALLEL_SHELL" {
			return "/bin/sh"
		}
		return os.Getenv(k)
	}
	code = Main(args, Streams{In: stdin, Out: &out, Err: &errw}, env, sigs)
	return out.String(), errw.String(), code
}

// Everything fanout writes to stderr goes through one serialised writer:
// job output, warnings, the halt notice and signal notices arrive from
// several goroutines at once, and an in-memory stderr must see no race.
func TestStderrIsSerialised(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sigs := make(chan os.Signal, 1)
	go func() {
		for i := 0; ; i++ {
			if _, err := os.Stat(dir + "/started"); err == nil {
				sigs <- syscall.SIGTERM
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	job := `echo err {} >&2; touch ` + dir + `/started; exit 1`
	_, stderr, code := runMain(t, strings.NewReader("a\x00b\n"), sigs, "-j4", "--halt", "soon,fail=90%", job, ":::", "1", "2", "3", "4", "5", "6", "7", "8", "::::", "-")
	if code == 0 {
		t.Fatalf("exit 0:\n%s", stderr)
	}
	if !strings.Contains(stderr, "err 1") {
		t.Fatalf("job stderr missing:\n%s", stderr)
	}
}

// A signal stops a run whose input blocks: fanout reading a pipe that
// never ends (tail -f log | fanout ...) still exits on Ctrl-C.
func TestSignalWhileInputBlocks(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	defer pw.Close()
	sigs := make(chan os.Signal, 1)
	done := make(chan int, 1)
	ran := t.TempDir() + "/ran"
	go func() {
		_, _, code := runMain(t, pr, sigs, "touch", ran+"{}")
		done <- code
	}()
	pw.Write([]byte("a\n"))
	// Once the first job has run, fanout is waiting for the next record.
	for _, err := os.Stat(ran + "a"); err != nil; _, err = os.Stat(ran + "a") {
		time.Sleep(2 * time.Millisecond)
	}
	sigs <- syscall.SIGINT
	select {
	case code := <-done:
		if code != 128+int(syscall.SIGINT) {
			t.Fatalf("exit %d, want %d", code, 128+int(syscall.SIGINT))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fanout still blocked reading its input after SIGINT")
	}
}

// --delay is a timer that a signal interrupts, and it is spent only
// between jobs, not after the last one.
func TestDelay(t *testing.T) {
	t.Parallel()
	start := time.Now()
	if _, stderr, code := runMain(t, nil, nil, "--delay", "5", "true", ":::", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("one job with --delay 5 took %v: the delay was spent after the last job", d)
	}
	sigs := make(chan os.Signal, 1)
	sigs <- syscall.SIGINT
	start = time.Now()
	_, _, code := runMain(t, nil, sigs, "--delay", "5", "true", ":::", "1", "2", "3")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("SIGINT during --delay 5 took %v to stop the run", d)
	}
	if code != 128+int(syscall.SIGINT) {
		t.Fatalf("exit %d, want %d", code, 128+int(syscall.SIGINT))
	}
}

// A job the executor could not run is not logged as done: --resume runs
// it again. One whose program could not start is logged, as GNU parallel
// logs it (127).
func TestUnavailableIsNotLogged(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/jl"
	w, err := joblog.Create(path, false)
	if err != nil {
		t.Fatal(err)
	}
	c := newConsole(Streams{Out: io.Discard, Err: io.Discard})
	d := &delivery{log: &logSink{w: w}, status: &statusSink{c: c}}
	for seq, cause := range []error{fmt.Errorf("%w: broker gone", fanout.ErrUnavailable), fmt.Errorf("nope: %w", exec.ErrNotFound)} {
		r := &fanout.Result{Seq: int64(seq + 1), ExitCode: -1, Err: cause, Job: &fanout.Job{Data: &jobData{seq: int64(seq + 1), line: []byte("x")}}}
		if err := d.Receive(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	l, err := joblog.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Entry(1); ok {
		t.Fatal("a job the executor could not run is logged")
	}
	if e, ok := l.Entry(2); !ok || e.Exitval != 127 {
		t.Fatalf("a program not found: %+v, want logged with 127", e)
	}
	if d.status.failed != 2 {
		t.Fatalf("%d failed, want both", d.status.failed)
	}
}
