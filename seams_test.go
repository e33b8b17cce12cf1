package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// Observe sees every job start and finish, on the worker and in completion
// order, even for an Ordered pool whose Sink gets them in submission order.
func TestObserveInCompletionOrder(t *testing.T) {
	t.Parallel()
	gate := filepath.Join(t.TempDir(), "gate")
	var mu sync.Mutex
	var events []string
	var sunk []int64
	p := &fanout.Pool{Limit: 2, Ordered: true,
		Observe: func(ev fanout.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, fmt.Sprintf("%s %d", ev.Kind, ev.Seq))
			if ev.Kind == fanout.Finished && ev.Seq == 2 {
				os.WriteFile(gate, nil, 0o644)
			}
		},
		Sink: fanout.SinkFunc(func(r *fanout.Result) error {
			sunk = append(sunk, r.Seq)
			return nil
		}),
	}
	// Job 1 runs until Observe has seen job 2 finish: were Observe held
	// back to submission order, as the Sink is, it never would.
	p.Go(context.Background(), helper(t, "gate", gate))
	p.Go(context.Background(), helper(t, "exit", "0"))
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	i1, i2 := slices.Index(events, "finished 1"), slices.Index(events, "finished 2")
	if i1 < 0 || i2 < 0 || i2 > i1 || !slices.Contains(events, "started 1") || !slices.Contains(events, "started 2") {
		t.Fatalf("events %q: want both started, and job 2 finished before job 1", events)
	}
	if !slices.Equal(sunk, []int64{1, 2}) {
		t.Fatalf("the Ordered sink got %v, want 1 2", sunk)
	}
}

// Stop called from Observe's Finished stops the pool before the worker
// takes another job: a halt on the first failure cannot race a start.
func TestStopFromObserve(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var p *fanout.Pool
	p = &fanout.Pool{Limit: 1, Observe: func(ev fanout.Event) {
		if ev.Kind == fanout.Finished && !ev.Result.Success() {
			p.Stop()
		}
	}}
	ctx := context.Background()
	p.Go(ctx, helper(t, "exit", "1"))
	for i := range 5 {
		if _, err := p.Go(ctx, helper(t, "touch", filepath.Join(dir, fmt.Sprint(i)))); err != nil {
			break
		}
	}
	p.Wait()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("%d jobs started after the failure stopped the pool", len(left))
	}
}

// A Result kept past its delivery does not change under its keeper: each
// kept pointer still holds its own job's numbers and output.
func TestKeptResultsStayTheirOwn(t *testing.T) {
	t.Parallel()
	var kept []*fanout.Result
	var copies []fanout.Result
	p := &fanout.Pool{Limit: 3, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		kept = append(kept, r)
		copies = append(copies, *r)
		return nil
	})}
	for i := 1; i <= 6; i++ {
		p.Go(context.Background(), helper(t, "print", fmt.Sprintf("out%d\n", i)))
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	for i, r := range kept {
		want := fmt.Sprintf("out%d\n", r.Seq)
		if got := r.Stdout.String(); got != want {
			t.Fatalf("kept result %d (seq %d): stdout %q, want %q", i, r.Seq, got, want)
		}
		if got := copies[i].Stdout.String(); got != want {
			t.Fatalf("copied result %d (seq %d): stdout %q, want %q", i, copies[i].Seq, got, want)
		}
	}
	seqs := map[int64]bool{}
	for _, r := range kept {
		seqs[r.Seq] = true
	}
	if len(seqs) != 6 {
		t.Fatalf("kept results have seqs %v, want 1 to 6", seqs)
	}
}

// Spilled output is released when Receive returns, and reading it then
// panics rather than look empty; Keep keeps it readable.
func TestSpilledOutputKeepOrRelease(t *testing.T) {
	t.Parallel()
	var keptR, plainR *fanout.Result
	p := &fanout.Pool{CaptureLimit: 16, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		if r.Seq == 1 {
			r.Keep()
			keptR = r
		} else {
			plainR = r
		}
		return nil
	})}
	for range 2 {
		p.Go(context.Background(), helper(t, "fill", "1000", "x"))
	}
	p.Wait()
	if got := keptR.Stdout.String(); got != strings.Repeat("x", 1000) {
		t.Fatalf("kept spilled output: %d bytes", len(got))
	}
	keptR.Release()
	defer func() {
		if recover() == nil {
			t.Fatal("reading released spilled output did not panic")
		}
	}()
	_ = plainR.Stdout.String()
}

type brokenExecutor struct{}

func (brokenExecutor) Runner() (fanout.Runner, error) { return nil, errors.New("broker gone") }

// A failure of the executor itself is told apart from a program that could
// not start.
func TestExecutorFailureIsUnavailable(t *testing.T) {
	t.Parallel()
	c := &collector{}
	p := &fanout.Pool{Limit: 1, Executor: brokenExecutor{}, Sink: c}
	// The job is refused, or handed over and delivered unrun: either way
	// with ErrUnavailable and the cause.
	_, goErr := p.Go(context.Background(), fanout.Command("true"))
	waitErr := p.Wait()
	for _, err := range []error{waitErr, goErr} {
		if err != nil && (!errors.Is(err, fanout.ErrUnavailable) || !strings.Contains(err.Error(), "broker gone")) {
			t.Fatalf("error %v, want ErrUnavailable and the cause", err)
		}
	}
	if waitErr == nil {
		t.Fatal("Wait returned nil after the executor failed")
	}
	if recs := c.recs; len(recs) > 1 || len(recs) == 1 && !errors.Is(recs[0].err, fanout.ErrUnavailable) || len(recs) == 0 && goErr == nil {
		t.Fatalf("Go %v, results %+v: the job is neither refused nor failed with ErrUnavailable", goErr, recs)
	}
	r := fanout.Result{Err: fmt.Errorf("true: %w", os.ErrNotExist)}
	if errors.Is(r.Err, fanout.ErrUnavailable) {
		t.Fatal("a program not found reads as an executor failure")
	}
}

// Pool.Run yields every result on the caller's goroutine, in order for an
// Ordered pool.
func TestRunIterates(t *testing.T) {
	t.Parallel()
	var jobs []*fanout.Job
	for i := 1; i <= 8; i++ {
		jobs = append(jobs, helper(t, "print", fmt.Sprint(i)))
	}
	var got []string
	for r, err := range (&fanout.Pool{Limit: 3, Ordered: true}).Run(context.Background(), slices.Values(jobs)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimSpace(r.Stdout.String()))
	}
	if want := []string{"1", "2", "3", "4", "5", "6", "7", "8"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// Breaking out of Pool.Run stops the pool: running jobs are terminated,
// jobs not started never start, and Run returns promptly.
func TestRunBreakStops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	jobs := func(yield func(*fanout.Job) bool) {
		if !yield(helper(t, "exit", "0")) {
			return
		}
		for i := range 20 {
			if !yield(helper(t, "touch", filepath.Join(dir, fmt.Sprint("started", i)), "sleep", "1m")) {
				return
			}
		}
	}
	start := time.Now()
	n := 0
	for range (&fanout.Pool{Limit: 2}).Run(context.Background(), jobs) {
		n++
		break
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Run took %v to return after break", d)
	}
	if left, _ := os.ReadDir(dir); len(left) > 2 {
		t.Fatalf("%d jobs started; at most the 2 slots' worth may have", len(left))
	}
	if n != 1 {
		t.Fatalf("%d results before break", n)
	}
}
