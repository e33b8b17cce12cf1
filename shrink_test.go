package fanout_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// scarce runs jobs locally, at most n at once: a job beyond that fails to
// start with EMFILE, as it would in a process short of descriptors.
type scarce struct {
	fanout.Local
	n       int32
	running atomic.Int32
	peak    atomic.Int32
	refused atomic.Int32
}

func (s *scarce) Runner() (fanout.Runner, error) {
	r, err := s.Local.Runner()
	if err != nil {
		return nil, err
	}
	return &scarceRunner{Runner: r, s: s}, nil
}

type scarceRunner struct {
	fanout.Runner
	s *scarce
}

func (r *scarceRunner) Run(ctx context.Context, job *fanout.Job, res *fanout.Result) {
	n := r.s.running.Add(1)
	defer r.s.running.Add(-1)
	if n > r.s.n {
		r.s.refused.Add(1)
		res.ExitCode, res.Err = -1, fmt.Errorf("stdout pipe: %w", syscall.EMFILE)
		return
	}
	for p := r.s.peak.Load(); n > p && !r.s.peak.CompareAndSwap(p, n); p = r.s.peak.Load() {
	}
	r.Runner.Run(ctx, job, res)
}

// checkAllSucceeded fails the test unless recs hold jobs 1..n, each a
// success that printed its own number.
func checkAllSucceeded(t *testing.T, recs []record, n int) {
	t.Helper()
	if len(recs) != n {
		t.Fatalf("got %d results, want %d", len(recs), n)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	for i, r := range recs {
		if r.err != nil || r.exit != 0 || r.stdout != strconv.Itoa(i+1)+"\n" {
			t.Fatalf("job %d: err %v, exit %d, stdout %q", r.seq, r.err, r.exit, r.stdout)
		}
	}
}

// A job that cannot start for lack of descriptors is not a failure: the
// pool runs fewer jobs at once and starts it again once another finishes.
func TestPoolShrinksWhenJobsCannotStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	exe := &scarce{n: 3}
	var mu sync.Mutex
	var limits []int
	p := &fanout.Pool{Limit: 10, Executor: exe, OnShrink: func(limit int, err error) {
		mu.Lock()
		defer mu.Unlock()
		limits = append(limits, limit)
	}}
	const n = 40
	c := &collector{}
	p.Sink = c
	done := make(chan error, 1)
	go func() {
		for i := 1; i <= n; i++ {
			job := helper(t, "gate", gate, "print", fmt.Sprintf("%d\n", i))
			if _, err := p.Go(context.Background(), job); err != nil {
				done <- err
				return
			}
		}
		done <- p.Wait()
	}()
	// Three jobs hold the only places until one more has been refused.
	for deadline := time.Now().Add(10 * time.Second); exe.refused.Load() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no job was ever refused")
		}
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkAllSucceeded(t, c.recs, n)
	if got := exe.peak.Load(); got > 3 {
		t.Errorf("%d jobs ran at once, more than the 3 that fit", got)
	}
	if len(limits) == 0 || limits[len(limits)-1] > 3 || limits[len(limits)-1] < 1 {
		t.Errorf("limits reported while shrinking = %v, want a last one in 1..3", limits)
	}
	// Once shrunk, the pool does not try beyond the new limit.
	if got := exe.refused.Load(); got > int32(len(limits)) {
		t.Errorf("%d jobs refused for %d shrinks", got, len(limits))
	}
}

// A job that cannot start even when it runs alone is delivered with its
// error, once, and does not hang the pool.
func TestPoolDeliversExhaustionAtLimitOne(t *testing.T) {
	t.Parallel()
	exe := &scarce{n: 0}
	recs := runAll(t, &fanout.Pool{Limit: 4, Executor: exe}, fanout.Command("echo", "1"), fanout.Command("echo", "2"))
	if len(recs) != 2 {
		t.Fatalf("got %d results, want 2", len(recs))
	}
	for _, r := range recs {
		if r.err == nil || !strings.Contains(r.err.Error(), "too many open files") {
			t.Fatalf("job %d: err %v, want too many open files", r.seq, r.err)
		}
	}
}
