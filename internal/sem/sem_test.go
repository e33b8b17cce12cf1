//go:build unix

package sem

import (
	"context"
	"testing"
	"time"
)

func TestEncode(t *testing.T) {
	for in, want := range map[string]string{
		"not a tty":  "not20a20tty",
		"/dev/pts/3": "2fdev2fpts2f3",
		"Build-1_x":  "Build-1_x",
		"":           "",
	} {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
	}
}

// Holders through different open files exclude each other even in one
// process, as flock(2) locks belong to the open file.
func TestCountingAndRelease(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, "t")
	if err != nil {
		t.Fatal(err)
	}
	a, ok, err := s.TryAcquire(2, false)
	if err != nil || !ok {
		t.Fatalf("first: %v %v", ok, err)
	}
	b, ok, err := s.TryAcquire(2, false)
	if err != nil || !ok {
		t.Fatalf("second: %v %v", ok, err)
	}
	if _, ok, _ := s.TryAcquire(2, false); ok {
		t.Fatal("a third holder of two slots")
	}
	// One asking for three slots sees two held and gets one.
	c, ok, _ := s.TryAcquire(3, false)
	if !ok {
		t.Fatal("-j3 with two held got none")
	}
	if n, _ := s.Held(); n != 3 {
		t.Fatalf("held %d, want 3", n)
	}
	a.Release()
	if n, _ := s.Held(); n != 2 {
		t.Fatalf("held %d after a release, want 2", n)
	}
	// force takes one whatever the count.
	d, ok, _ := s.TryAcquire(1, true)
	if !ok {
		t.Fatal("force got no slot")
	}
	for _, sl := range []*Slot{b, c, d} {
		sl.Release()
	}
	if n, _ := s.Held(); n != 0 {
		t.Fatalf("held %d after all released", n)
	}
}

func TestAcquireWaitsAndWaitFree(t *testing.T) {
	s, err := Open(t.TempDir(), "w")
	if err != nil {
		t.Fatal(err)
	}
	held, _, _ := s.TryAcquire(1, false)
	got := make(chan *Slot)
	go func() {
		sl, err := s.Acquire(context.Background(), 1)
		if err != nil {
			t.Error(err)
		}
		got <- sl
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitFree(ctx); err != context.DeadlineExceeded {
		t.Fatalf("WaitFree with a holder: %v, want the deadline", err)
	}
	held.Release()
	sl := <-got
	sl.Release()
	if err := s.WaitFree(context.Background()); err != nil {
		t.Fatal(err)
	}
}
