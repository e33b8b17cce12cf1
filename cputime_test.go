package fanout_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// TestCPUTime checks that a job's CPU time comes from its process: a job
// that keeps a CPU busy until it has used 300ms of it reports at least
// that, one that sleeps far less. However loaded the machine, the busy job
// measures its own use, so the bound holds.
func TestCPUTime(t *testing.T) {
	t.Parallel()
	var got [2]fanout.Result
	p := &fanout.Pool{Limit: 1, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		got[r.Seq-1] = fanout.Result{Runtime: r.Runtime, UserTime: r.UserTime, SystemTime: r.SystemTime, ExitCode: r.ExitCode, Err: r.Err}
		return nil
	})}
	for _, j := range []*fanout.Job{helper(t, "spin", "300ms"), helper(t, "sleep", "300ms")} {
		if _, err := p.Go(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	spin, sleep := got[0], got[1]
	for _, r := range got {
		if r.Err != nil || r.ExitCode != 0 {
			t.Fatalf("job failed: exit %d, %v", r.ExitCode, r.Err)
		}
	}
	if cpu := spin.UserTime + spin.SystemTime; cpu < 300*time.Millisecond || spin.UserTime < 150*time.Millisecond {
		t.Errorf("busy job: cpu %v (user %v, system %v) in %v; want at least 300ms, mostly user", cpu, spin.UserTime, spin.SystemTime, spin.Runtime)
	}
	if cpu := sleep.UserTime + sleep.SystemTime; cpu >= 150*time.Millisecond {
		t.Errorf("sleeping job: cpu %v in %v", cpu, sleep.Runtime)
	}
}
