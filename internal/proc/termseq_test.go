//go:build unix

package proc

import (
	"bytes"
	"io"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file hold for a supervisor on any system: they use the
// shell, and nothing of the supervisor but its methods.

// A wake-up that races the job's own exit either terminates the job or
// comes too late to: Run reports a plain exit, or a termination it asked
// for, never an error or a signal nobody sent; and what is left of it is
// not meant for the next job once Discard has dropped it.
func TestWakeRacingExit(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	for i := range 200 {
		var woken sync.WaitGroup
		sp := &Spec{Path: "/bin/sh", Argv: []string{"sh", "-c", "exit 0"}, Env: os.Environ(), Stdin: -1, Stdout: -1, Stderr: -1}
		// Spread the wake-ups over the short life of the job.
		delay := time.Duration(i%20) * 50 * time.Microsecond
		sp.Started = func() {
			woken.Add(1)
			go func() {
				defer woken.Done()
				time.Sleep(delay)
				s.Wake()
			}()
		}
		s.Discard()
		o, err := s.Run(sp, io.Discard, io.Discard, 0, quick, time.Second)
		woken.Wait()
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		exited := o.Status.Exited() && o.Status.ExitStatus() == 0
		terminated := o.Canceled && o.Status.Signaled() && o.Status.Signal() == syscall.SIGTERM
		if o.TimedOut || !exited && !terminated {
			t.Fatalf("run %d: outcome %+v, want exit 0 or canceled by SIGTERM", i, o)
		}
	}
	var out bytes.Buffer
	s.Discard()
	o, err := s.Run(shell("echo hi"), &out, &out, 0, quick, time.Second)
	if err != nil || o.Canceled || o.Status.ExitStatus() != 0 || out.String() != "hi\n" {
		t.Fatalf("after the races: outcome %+v, %v, output %q; want a plain success", o, err, out.String())
	}
}

// Steps that wait no time at all still escalate, one after the other, to
// the signal that ends the job.
func TestTermSeqZeroWaits(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	out := &onReady{ready: s.Wake}
	seq := []TermStep{{syscall.SIGTERM, 0}, {syscall.SIGTERM, 0}, {syscall.SIGKILL, 0}}
	start := time.Now()
	o, err := s.Run(shell(`trap "" TERM; echo ready; while :; do sleep 1; done`), out, out, 0, seq, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Canceled || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGKILL {
		t.Fatalf("outcome %+v, want canceled and killed", o)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v to run a term sequence of no time", d)
	}
}

// With no term sequence at all, a job to terminate is killed.
func TestEmptyTermSeqKills(t *testing.T) {
	t.Parallel()
	for _, seq := range [][]TermStep{nil, {}} {
		s := newSupervisor(t)
		out := &onReady{ready: s.Wake}
		o, err := s.Run(shell("echo ready; exec sleep 30"), out, out, 0, seq, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !o.Canceled || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGKILL {
			t.Fatalf("woken with term sequence %#v: outcome %+v, want canceled and killed", seq, o)
		}
		var discard bytes.Buffer
		o, err = s.Run(shell("exec sleep 30"), &discard, &discard, 50*time.Millisecond, seq, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !o.TimedOut || !o.Status.Signaled() || o.Status.Signal() != syscall.SIGKILL {
			t.Fatalf("timed out with term sequence %#v: outcome %+v, want killed", seq, o)
		}
	}
}
