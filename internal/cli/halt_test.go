package cli

import (
	"fmt"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/fanoutdev/fanout"
)

// TestHalter replays job results through --halt rules and checks where the
// run stops and the exit status, against what GNU parallel 20221122 gives
// for the same jobs run with -j1.
func TestHalter(t *testing.T) {
	t.Parallel()
	exit := func(n int) *fanout.Result { return &fanout.Result{ExitCode: n} }
	sig := func(s syscall.Signal) *fanout.Result { return &fanout.Result{ExitCode: -1, Signal: s} }
	killed := &fanout.Result{ExitCode: -1, Signal: syscall.SIGTERM, Canceled: true}
	tests := []struct {
		halt    string
		jobs    []*fanout.Result
		stopAt  int // index of the job that halts the run; -1 for none
		status  int
		killed  bool
		forgets bool // the job after the halting one is forgotten
	}{
		{"now,fail=1", []*fanout.Result{exit(0), exit(3), exit(0)}, 1, 3, true, false},
		{"now,fail=1", []*fanout.Result{sig(syscall.SIGTERM)}, 0, 143, true, false},
		{"soon,fail=1", []*fanout.Result{exit(0), exit(7)}, 1, 7, false, false},
		{"soon,fail=2", []*fanout.Result{exit(0), exit(3), exit(4), exit(5)}, 2, 2, false, false},
		{"now,success=1", []*fanout.Result{exit(1), exit(0), exit(1)}, 1, 0, true, false},
		{"soon,done=1", []*fanout.Result{exit(4), exit(0)}, 0, 4, false, false},
		{"now,done=2", []*fanout.Result{exit(1), exit(0)}, 1, 1, true, false},
		// N% of all the jobs; the status is the share that failed.
		{"now,fail=50%", []*fanout.Result{exit(3), exit(0), exit(0), exit(0)}, -1, 25, false, false},
		{"now,fail=30%", []*fanout.Result{exit(0), exit(3), exit(0), exit(4), exit(0), exit(0)}, 3, 34, true, false},
		{"now,success=30%", []*fanout.Result{exit(1), exit(0), exit(1), exit(1), exit(1), exit(1)}, -1, 84, false, false},
		// A job that the halt killed is not counted.
		{"now,fail=1", []*fanout.Result{exit(3), killed}, 0, 3, true, true},
	}
	for _, tt := range tests {
		h, err := ParseHalt(tt.halt)
		if err != nil {
			t.Fatalf("%s: %v", tt.halt, err)
		}
		var total atomic.Int64
		total.Store(int64(len(tt.jobs)))
		kills := 0
		hs := &halter{rule: haltRule{now: h.When == HaltNow, why: h.Why[0], count: h.Count, percent: h.Percent},
			kill: func() { kills++ }, total: &total,
			line: func(*fanout.Job) string { return "job" }}
		stopAt, failed := -1, 0
		for i, r := range tt.jobs {
			if r.Canceled { // the run forgets jobs it killed
				if !tt.forgets {
					t.Errorf("%s: job %d forgotten", tt.halt, i)
				}
				hs.check(r)
				continue
			}
			if !r.Success() {
				failed++
			}
			if hs.check(r) && stopAt < 0 {
				stopAt = i
				if !hs.rule.now {
					break // soon: no more jobs start; -j1 has none running
				}
			}
		}
		if stopAt != tt.stopAt {
			t.Errorf("%s: halted at job %d, want %d", tt.halt, stopAt, tt.stopAt)
		}
		if got := hs.status(failed); got != tt.status {
			t.Errorf("%s: status %d, want %d", tt.halt, got, tt.status)
		}
		if (kills > 0) != tt.killed {
			t.Errorf("%s: killed running jobs: %v, want %v", tt.halt, kills > 0, tt.killed)
		}
	}
}

// TestHaltNotices replays jobs through --halt rules and checks what is
// said of each, against GNU parallel 20221122: every job the rule counts
// is named, and with soon, once the rule holds, the jobs still running.
// Each job here starts before the first ends, as under -j3 with three
// jobs.
func TestHaltNotices(t *testing.T) {
	t.Parallel()
	exit := func(n int) *fanout.Result { return &fanout.Result{ExitCode: n} }
	tests := []struct {
		halt string
		jobs []*fanout.Result
		want []string // per job: "" for no notice, else what and the jobs waited for
	}{
		{"soon,fail=1", []*fanout.Result{exit(1), exit(1), exit(0)}, []string{"This job failed: 2", "This job failed: 1", ""}},
		{"soon,fail=2", []*fanout.Result{exit(1), exit(0), exit(1)}, []string{"This job failed: 0", "", "This job failed: 0"}},
		{"soon,done=2", []*fanout.Result{exit(1), exit(0), exit(1)}, []string{"This job finished: 0", "This job finished: 1", "This job finished: 0"}},
		{"soon,success=1", []*fanout.Result{exit(1), exit(0), exit(0)}, []string{"", "This job succeeded: 1", "This job succeeded: 0"}},
		{"now,fail=1", []*fanout.Result{exit(1), exit(1), exit(1)}, []string{"This job failed: 0", "", ""}},
		{"soon,fail=50%", []*fanout.Result{exit(0), exit(1), exit(1)}, []string{"", "This job failed: 0", "This job failed: 0"}},
	}
	for _, tt := range tests {
		h, err := ParseHalt(tt.halt)
		if err != nil {
			t.Fatalf("%s: %v", tt.halt, err)
		}
		var total atomic.Int64
		total.Store(int64(len(tt.jobs)))
		got := make([]string, len(tt.jobs))
		hs := &halter{rule: haltRule{now: h.When == HaltNow, why: h.Why[0], count: h.Count, percent: h.Percent},
			kill: func() {}, total: &total,
			line: func(j *fanout.Job) string { return j.Shell },
			notify: func(j *fanout.Job, n *haltNotice) {
				got[j.Data.(int)] = fmt.Sprintf("%s %d", n.what, n.waiting)
			}}
		for i, r := range tt.jobs {
			r.Job = &fanout.Job{Data: i}
			hs.observe(fanout.Event{Kind: fanout.Started, Result: r})
		}
		for _, r := range tt.jobs {
			hs.observe(fanout.Event{Kind: fanout.Finished, Result: r})
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: notices %q, want %q", tt.halt, got, tt.want)
		}
	}
}
