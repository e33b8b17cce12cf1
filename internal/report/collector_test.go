package report

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// runPool runs jobs in a real pool of local processes, its events going
// to a new collector, and returns that.
func runPool(t *testing.T, p *fanout.Pool, jobs ...*fanout.Job) *Collector {
	t.Helper()
	c := NewCollector(time.Now())
	p.Observe = c.Observe
	for _, j := range jobs {
		if _, err := p.Go(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCollectorOutcomes(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	jobs := []struct {
		job     *fanout.Job
		outcome Outcome
		exit    int
		tail    string // "" none; a prefix "..." means ends with
	}{
		{&fanout.Job{Shell: "echo ok; echo noise >&2"}, Success, 0, ""},
		{&fanout.Job{Shell: "printf 'a\\nb\\nc\\nd\\ne\\nf\\ng\\n' >&2; exit 3"}, Failed, 3, "c\nd\ne\nf\ng"},
		// Past the capture limit: the tail is read from the spill file.
		{&fanout.Job{Shell: "printf %s " + long + " >&2; echo >&2; echo last >&2; exit 1"}, Failed, 1, "...x\nlast"},
		{&fanout.Job{Shell: "printf 'é%.0s' $(seq 300) >&2; exit 1"}, Failed, 1, "...éé"},
		{&fanout.Job{Shell: "kill -TERM $$"}, Signaled, 143, ""},
		{&fanout.Job{Shell: "exec sleep 5", Timeout: 50 * time.Millisecond}, TimedOut, 143, ""},
		{&fanout.Job{Args: []string{"/nonexistent/program"}}, Failed, 127, ""},
	}
	var list []*fanout.Job
	for _, j := range jobs {
		list = append(list, j.job)
	}
	c := runPool(t, &fanout.Pool{Limit: 3, CaptureLimit: 64}, list...)
	run := c.Snapshot(time.Now())
	if len(run.Running) != 0 {
		t.Errorf("running after the run: %v", run.Running)
	}
	if len(run.Jobs) != len(jobs) {
		t.Fatalf("%d records, want %d", len(run.Jobs), len(jobs))
	}
	for _, r := range run.Jobs {
		want := jobs[r.Seq-1]
		name := want.job.Shell + strings.Join(want.job.Args, " ")
		if r.Command != cut(name, commandBytes) {
			t.Errorf("job %d: command %q", r.Seq, r.Command)
		}
		if r.Outcome != want.outcome || r.Exit != want.exit {
			t.Errorf("%.40s: %v, exit %d; want %v, %d", name, r.Outcome, r.Exit, want.outcome, want.exit)
		}
		if len(r.Stderr) > tailBytes {
			t.Errorf("%.40s: a tail of %d bytes", name, len(r.Stderr))
		}
		switch tail, ok := strings.CutPrefix(want.tail, "..."); {
		case ok && !strings.HasSuffix(r.Stderr, tail), !ok && r.Stderr != want.tail:
			t.Errorf("%.40s: tail %q, want %q", name, r.Stderr, want.tail)
		}
		if r.Slot < 1 || r.Slot > 3 || r.Start < 0 || r.Runtime < 0 {
			t.Errorf("%.40s: slot %d, start %v, runtime %v", name, r.Slot, r.Start, r.Runtime)
		}
	}
}

// TestCollectorRunning checks that a job shows as running from its start
// until it finishes.
func TestCollectorRunning(t *testing.T) {
	t.Parallel()
	gate := filepath.Join(t.TempDir(), "gate")
	c := NewCollector(time.Now())
	p := &fanout.Pool{Limit: 2, Observe: c.Observe}
	job := &fanout.Job{Shell: "while [ ! -e " + gate + " ]; do sleep 0.01; done"}
	if _, err := p.Go(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	var run Run
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if run = c.Snapshot(time.Now()); len(run.Running) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job never showed as running")
		}
	}
	if r := run.Running[0]; r.Outcome != Running || r.Seq != 1 || r.Command != job.Shell || r.Runtime < 0 {
		t.Errorf("running: %+v", r)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	run = c.Snapshot(time.Now())
	if len(run.Running) != 0 || len(run.Jobs) != 1 || run.Jobs[0].Outcome != Success {
		t.Errorf("after the run: %+v", run)
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijkl", 10, "abcdefg…"},
		{"ééééééé", 8, "éé…"},
	} {
		if got := cut(tt.in, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestCommandBudget checks that commands are cut shorter once a run has
// kept many.
func TestCommandBudget(t *testing.T) {
	t.Parallel()
	c := NewCollector(time.Now())
	long := &fanout.Job{Shell: strings.Repeat("y", 1000)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if got := c.command(long); len(got) > commandBytes || len(got) < commandBytes-4 {
		t.Errorf("first command: %d bytes", len(got))
	}
	for c.commands <= commandBudget {
		c.command(long)
	}
	if got := c.command(long); len(got) > shortCommand {
		t.Errorf("past the budget: %d bytes", len(got))
	}
}
