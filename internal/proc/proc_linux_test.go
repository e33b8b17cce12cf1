package proc

import (
	"bytes"
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

// A wake-up that arrives between jobs is not meant for the next one.
func TestWakeBetweenJobsIsDiscarded(t *testing.T) {
	s := newSupervisor(t)
	s.Wake()
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
	o, err = s.Run(shell(`setsid sh -c 'echo $$ > `+pidfile+`; exec sleep 30' & while [ ! -s `+pidfile+` ]; do sleep 0.01; done; echo escaped`), &out, &out, 0, quick, 200*time.Millisecond)
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

func threads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// Supervising a running job holds no OS thread: a process limit that counts
// threads must not be spent on waiting.
func TestRunningJobsHoldNoThreads(t *testing.T) {
	const n = 30
	before := threads(t)
	var ready, done sync.WaitGroup
	ready.Add(n)
	sups := make([]*Supervisor, n)
	for i := range sups {
		sups[i] = newSupervisor(t)
	}
	errs := make(chan error, n)
	for _, s := range sups {
		done.Add(1)
		go func() {
			defer done.Done()
			out := &onReady{ready: ready.Done}
			_, err := s.Run(shell("echo ready; exec sleep 30"), out, out, 0, quick, time.Second)
			out.Write([]byte("ready")) // a job that failed to start must not hang the test
			errs <- err
		}()
	}
	ready.Wait()
	during := threads(t)
	for _, s := range sups {
		s.Wake()
	}
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if during-before >= n/2 {
		t.Fatalf("%d threads with %d jobs running, %d before", during, n, before)
	}
}
