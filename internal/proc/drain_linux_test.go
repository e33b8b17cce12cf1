package proc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// zombie reports whether pid has exited and is not reaped yet.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(b, ')')
	return err == nil && i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// firstLine is a sink that calls f with the first line written to it.
type firstLine struct {
	mu  sync.Mutex
	buf bytes.Buffer
	f   func(string)
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok && w.f != nil {
		go w.f(line)
		w.f = nil
	}
	return len(p), nil
}

func (w *firstLine) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Drain bounds the wait for pipes that an escaped descendant holds; it is
// not a wait of its own: the run ends as soon as they close, with what the
// descendant printed once the job's process was over.
func TestDrainEndsWhenPipesClose(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	o, out, d := runEscaping(t, s, func(int) error { return nil })
	if d > 5*time.Second {
		t.Fatalf("took %v: the drain was waited out although the pipes closed", d)
	}
	if !strings.HasSuffix(out, "\nlate\n") {
		t.Fatalf("output %q, want the descendant's late line", out)
	}
	if o.Canceled || o.TimedOut || !o.Status.Exited() || o.Status.ExitStatus() != 0 {
		t.Fatalf("outcome %+v, want a plain exit", o)
	}
}

// runEscaping runs a job that leaves a descendant in a session of its own,
// holding the job's stdout, with a drain of ten seconds. Once the job's
// process has exited, it calls during with that process's pid, then lets
// the descendant print a line and exit. It returns the outcome, the output
// and how long the run took.
func runEscaping(t *testing.T, s *Supervisor, during func(pid int) error) (Outcome, string, time.Duration) {
	t.Helper()
	dir := t.TempDir()
	gate, escaped := filepath.Join(dir, "gate"), filepath.Join(dir, "escaped")
	t.Cleanup(func() { os.WriteFile(gate, nil, 0o644) }) // lets the descendant go
	done := make(chan error, 1)
	out := &firstLine{f: func(line string) {
		pid, err := strconv.Atoi(line)
		if err == nil {
			err = waitUntil(func() bool { return zombie(pid) })
		}
		if err == nil {
			err = during(pid)
		}
		if err == nil {
			err = os.WriteFile(gate, nil, 0o644)
		}
		done <- err
	}}
	start := time.Now()
	// The job's process waits for the descendant to be out of its group,
	// which dies with it.
	job := `setsid sh -c 'touch ` + escaped + `; while [ ! -e ` + gate + ` ]; do sleep 0.01; done; echo late' & ` +
		`while [ ! -e ` + escaped + ` ]; do sleep 0.01; done; echo $$`
	o, err := s.Run(shell(job), out, out, 0, quick, 10*time.Second)
	d := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return o, out.String(), d
}

// waitUntil polls cond for up to ten seconds.
func waitUntil(cond func() bool) error {
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return errors.New("still waiting after 10s")
		}
	}
	return nil
}
