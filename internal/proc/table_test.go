//go:build unix

package proc

import (
	"errors"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestTableSlots(t *testing.T) {
	t.Parallel()
	tb := newTable(make([]byte, 4*lineBytes)) // a header and 3 slots
	var got []int
	for range 3 {
		i, ok := tb.alloc()
		if !ok {
			t.Fatalf("table full after %d slots", len(got))
		}
		got = append(got, i)
	}
	if got[0] != 0 || got[1] != 1 || got[2] != 2 {
		t.Fatalf("slots %v, want 0 1 2", got)
	}
	if _, ok := tb.alloc(); ok {
		t.Fatal("a 4th slot from a table of 3")
	}
	if hw := tb.highWater(); hw != 3 {
		t.Fatalf("high water %d, want 3", hw)
	}
	atomic.StoreInt32(tb.slot(1), 1234)
	tb.release(1)
	if v := atomic.LoadInt32(tb.slot(1)); v != 0 {
		t.Fatalf("released slot holds %d", v)
	}
	if i, ok := tb.alloc(); !ok || i != 1 {
		t.Fatalf("alloc after release: %d %v, want the released slot 1", i, ok)
	}
	if hw := tb.highWater(); hw != 3 {
		t.Fatalf("high water %d after reuse, want 3", hw)
	}
	// A header claiming more slots than the memory holds, as a reaper
	// might read it, is bounded.
	atomic.StoreInt32(tb.word(0), 1<<20)
	if hw := tb.highWater(); hw != 3 {
		t.Fatalf("high water %d from a corrupt header, want 3", hw)
	}
}

// startGroup starts a process that waits, in a process group of its own.
func startGroup(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd
}

func signalOf(t *testing.T, cmd *exec.Cmd) syscall.Signal {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v, want death by a signal", err)
	}
	return ee.Sys().(syscall.WaitStatus).Signal()
}

// Signalling reaches the groups in use, and no other; killAll, the
// reaper's last act, reaches them all with SIGKILL.
func TestTableSignalsGroups(t *testing.T) {
	t.Parallel()
	tb := newTable(make([]byte, 4*lineBytes))
	a, b := startGroup(t), startGroup(t)
	ia, _ := tb.alloc()
	tb.alloc() // in use, but no job now
	ib, _ := tb.alloc()
	atomic.StoreInt32(tb.slot(ia), int32(a.Process.Pid))
	atomic.StoreInt32(tb.slot(ib), int32(b.Process.Pid))
	if n := tb.signal(syscall.SIGTERM); n != 2 {
		t.Fatalf("signalled %d groups, want 2", n)
	}
	for _, c := range []*exec.Cmd{a, b} {
		if sig := signalOf(t, c); sig != syscall.SIGTERM {
			t.Fatalf("group died of %v, want SIGTERM", sig)
		}
	}
	if v := atomic.LoadInt32(tb.slot(ia)); v != int32(a.Process.Pid) {
		t.Fatalf("slot holds %#x after signalling, want %d", v, a.Process.Pid)
	}

	c := startGroup(t)
	atomic.StoreInt32(tb.slot(ia), int32(c.Process.Pid)|busy)
	atomic.StoreInt32(tb.slot(ib), 0)
	tb.killAll()
	if sig := signalOf(t, c); sig != syscall.SIGKILL {
		t.Fatalf("group died of %v, want SIGKILL", sig)
	}
}

// BenchmarkJobSlot measures what the table adds to each job: recording its
// group when it starts and forgetting it when it is over.
func BenchmarkJobSlot(b *testing.B) {
	s := newJobSlot()
	if s.p == nil {
		b.Skipf("no job table: %v", ReaperErr())
	}
	defer s.release()
	// Should the benchmark die, its reaper kills this group: no pid is
	// that large.
	const pgid = busy - 1
	b.ReportAllocs()
	for b.Loop() {
		s.track(pgid)
		s.untrack(pgid)
	}
}
