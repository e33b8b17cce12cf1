//go:build unix

package proc

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func newSupervisor(t *testing.T) *Supervisor {
	t.Helper()
	s, err := NewSupervisor()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func shell(line string) *Spec {
	return &Spec{Path: "/bin/sh", Argv: []string{"sh", "-c", line}, Env: os.Environ(), Stdin: -1, Stdout: -1, Stderr: -1}
}

// onReady is a sink that calls ready once the job has printed "ready".
type onReady struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready func()
}

func (w *onReady) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.ready != nil && strings.Contains(w.buf.String(), "ready") {
		w.ready()
		w.ready = nil
	}
	return len(p), nil
}

func (w *onReady) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

var quick = []TermStep{{syscall.SIGTERM, 5 * time.Second}}

func TestRunCopiesAllOutput(t *testing.T) {
	s := newSupervisor(t)
	var out, errs bytes.Buffer
	const n = 5 << 20
	o, err := s.Run(shell("head -c "+strconv.Itoa(n)+" /dev/zero; echo oops >&2; exit 3"), &out, &errs, 0, quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() != n || errs.String() != "oops\n" {
		t.Fatalf("stdout %d bytes, stderr %q; want %d bytes and oops", out.Len(), errs.String(), n)
	}
	if !o.Status.Exited() || o.Status.ExitStatus() != 3 || o.TimedOut || o.Canceled {
		t.Fatalf("outcome %+v, want exit 3", o)
	}
}

func TestRunTimeoutTerminates(t *testing.T) {
	s := newSupervisor(t)
	var out bytes.Buffer
	o, err := s.Run(shell("exec sleep 30"), &out, &out, 50*time.Millisecond, quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !o.TimedOut || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGTERM {
		t.Fatalf("outcome %+v, want timed out by SIGTERM", o)
	}
	if d := o.End.Sub(o.Start); d < 50*time.Millisecond || d > 5*time.Second {
		t.Fatalf("ran %v for a 50ms timeout", d)
	}
}

// A job that ignores SIGTERM gets each step of the sequence, then SIGKILL.
func TestRunTermSeqEscalates(t *testing.T) {
	s := newSupervisor(t)
	out := &onReady{ready: s.Wake}
	seq := []TermStep{{syscall.SIGTERM, 30 * time.Millisecond}, {syscall.SIGTERM, 30 * time.Millisecond}, {syscall.SIGKILL, time.Second}}
	o, err := s.Run(shell(`trap "" TERM; echo ready; while :; do :; done`), out, out, 0, seq, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Canceled || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGKILL {
		t.Fatalf("outcome %+v, want canceled and killed", o)
	}
	if d := o.End.Sub(o.Start); d < 60*time.Millisecond {
		t.Fatalf("killed after %v, before the two TERM steps had passed", d)
	}
}

func TestWakeCancelsRunningJob(t *testing.T) {
	s := newSupervisor(t)
	out := &onReady{ready: s.Wake}
	o, err := s.Run(shell("echo ready; exec sleep 30"), out, out, 0, quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Canceled || o.TimedOut || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGTERM {
		t.Fatalf("outcome %+v, want canceled by SIGTERM", o)
	}
}

// A wake-up sent before Run reaches the job it starts: the end of a job's
// context may come before its process does.
func TestWakeBeforeRunCancels(t *testing.T) {
	s := newSupervisor(t)
	s.Wake()
	o, err := s.Run(shell("exec sleep 30"), io.Discard, io.Discard, 0, quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Canceled || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGTERM {
		t.Fatalf("outcome %+v, want canceled by SIGTERM", o)
	}
}

// A wake-up that Discard dropped is not meant for the next job.
func TestWakeBetweenJobsIsDiscarded(t *testing.T) {
	s := newSupervisor(t)
	s.Wake()
	s.Discard()
	var out bytes.Buffer
	o, err := s.Run(shell("echo hi"), &out, &out, 0, quick, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Canceled || !o.Status.Exited() || o.Status.ExitStatus() != 0 || out.String() != "hi\n" {
		t.Fatalf("outcome %+v, output %q; want a plain success", o, out.String())
	}
}

// Leftovers in the job's group die with it, so the pipes they hold close
// at once; a descendant that left the group is waited for at most drain.
func TestRunEndsLeftoversAndBoundsDrain(t *testing.T) {
	s := newSupervisor(t)
	var out bytes.Buffer
	start := time.Now()
	o, err := s.Run(shell("sleep 30 & echo left"), &out, &out, 0, quick, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second || out.String() != "left\n" || o.Status.ExitStatus() != 0 {
		t.Fatalf("took %v, output %q, outcome %+v: the leftover in the group was not killed", d, out.String(), o)
	}

	pidfile := filepath.Join(t.TempDir(), "pid")
	out.Reset()
	start = time.Now()
	o, err = s.Run(shell(inSession(`echo $$ > `+pidfile+`; exec sleep 30`)+` & while [ ! -s `+pidfile+` ]; do sleep 0.01; done; echo escaped`), &out, &out, 0, quick, 200*time.Millisecond)
	if b, _ := os.ReadFile(pidfile); len(b) > 0 {
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 {
			defer syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second || out.String() != "escaped\n" {
		t.Fatalf("took %v with output %q; want the 200ms drain", d, out.String())
	}
}

// inSession is a shell command that runs line in a session of its own,
// out of reach of a signal to its job's group.
func inSession(line string) string {
	return setsidEnv + "=1 '" + os.Args[0] + "' sh -c '" + line + "'"
}

// A descendant that left the group and writes without pause keeps a pipe
// busy at every moment: the drain still ends it, on time.
func TestDrainEndsWhileEscapeeWrites(t *testing.T) {
	s := newSupervisor(t)
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "pid")
	// The job ends once the escapee's output has reached the sink: on a
	// loaded machine the escapee may not have written by the time the
	// drain ends, and the drain would prove nothing.
	n := &gateWriter{gate: filepath.Join(dir, "gate")}
	start := time.Now()
	o, err := s.Run(shell(inSession(`echo $$ > `+pidfile+`; exec yes`)+` & i=0; while [ ! -e `+n.gate+` ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done`), n, n, 0, quick, 200*time.Millisecond)
	if b, _ := os.ReadFile(pidfile); len(b) > 0 {
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second || n.n == 0 || o.Status.ExitStatus() != 0 {
		t.Fatalf("took %v with %d bytes read, outcome %+v; want the 200ms drain", d, n.n, o)
	}
	// The supervisor is ready for the next job.
	var out bytes.Buffer
	if _, err := s.Run(shell("echo next"), &out, &out, 0, quick, time.Second); err != nil || out.String() != "next\n" {
		t.Fatalf("next job: %v, output %q", err, out.String())
	}
}

// gateWriter counts the bytes written to it, and creates the file gate on
// the first write.
type gateWriter struct {
	gate string
	n    int64
}

func (w *gateWriter) Write(p []byte) (int, error) {
	if w.n == 0 && len(p) > 0 {
		os.WriteFile(w.gate, nil, 0o644)
	}
	w.n += int64(len(p))
	return len(p), nil
}
