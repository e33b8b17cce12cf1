package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sampleRun is a run of n jobs over three slots, every tenth failing, with
// commands and stderr that a page must escape.
func sampleRun(n int) *Run {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	run := &Run{Command: "fanout -j 3 'echo <b>{}</b> & done' ::: 1 2 3", Start: start, Done: true}
	for i := 0; i < n; i++ {
		r := Record{Seq: int64(i + 1), Slot: i%3 + 1, Start: time.Duration(i/3) * 100 * time.Millisecond,
			Runtime: time.Duration(50+i%7*7) * time.Millisecond, CPU: time.Millisecond,
			Command: fmt.Sprintf("echo <b>job-%d</b> & 'it''s' \"q\" https://example.com/%d", i+1, i+1)}
		switch {
		case i%10 == 9:
			r.Outcome, r.Exit = Failed, 3
			r.Stderr = fmt.Sprintf("line one\n</script><script>alert(%d)</script>", i+1)
		case i == 4:
			r.Outcome, r.Exit = TimedOut, 143
		case i == 5:
			r.Outcome, r.Exit = Signaled, 137
		}
		run.Jobs = append(run.Jobs, r)
	}
	run.End = start
	if n > 0 {
		last := run.Jobs[n-1]
		run.End = start.Add(last.Start + last.Runtime)
	}
	return run
}

func render(t testing.TB, run *Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, run); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// pageData returns the JSON data embedded in a page.
func pageData(t testing.TB, page string) *data {
	t.Helper()
	const open = `<script id="data" type="application/json">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatal("no data in the page")
	}
	rest := page[i+len(open):]
	j := strings.Index(rest, "</script>")
	if j < 0 {
		t.Fatal("data never ends")
	}
	var d data
	if err := json.Unmarshal([]byte(rest[:j]), &d); err != nil {
		t.Fatalf("data: %v", err)
	}
	return &d
}

// TestRenderOneRecordPerJob checks that every job is in the data once,
// with its numbers, and that a small run's table names every command.
func TestRenderOneRecordPerJob(t *testing.T) {
	t.Parallel()
	run := sampleRun(30)
	page := render(t, run)
	d := pageData(t, page)
	if len(d.Seq) != 30 || len(d.Command) != 30 || len(d.Start) != 30 || len(d.Runtime) != 30 ||
		len(d.Outcome) != 30 || len(d.Exit) != 30 || len(d.Lane) != 30 || len(d.CPU) != 30 {
		t.Fatalf("want 30 of each; seq %d cmd %d t %d d %d o %d x %d lane %d cpu %d", len(d.Seq), len(d.Command),
			len(d.Start), len(d.Runtime), len(d.Outcome), len(d.Exit), len(d.Lane), len(d.CPU))
	}
	seen := map[int64]bool{}
	for k, seq := range d.Seq {
		if seen[seq] {
			t.Errorf("job %d twice", seq)
		}
		seen[seq] = true
		r := run.Jobs[seq-1]
		if d.Command[k] != r.Command || d.Start[k] != r.Start.Microseconds() || d.Runtime[k] != r.Runtime.Microseconds() ||
			Outcome(d.Outcome[k]) != r.Outcome || d.Exit[k] != r.Exit {
			t.Errorf("job %d: got %q %d %d %d %d", seq, d.Command[k], d.Start[k], d.Runtime[k], d.Outcome[k], d.Exit[k])
		}
		if k > 0 && d.Start[k] < d.Start[k-1] {
			t.Errorf("job %d: data not in start order", seq)
		}
		if l := d.Lanes[d.Lane[k]]; l[0] != "" || int(l[1].(float64)) != r.Slot {
			t.Errorf("job %d: lane %v, want slot %d", seq, l, r.Slot)
		}
	}
	if len(d.Stderr) != 3 {
		t.Errorf("stderr tails: %d, want 3", len(d.Stderr))
	}
	for _, r := range run.Jobs {
		if !strings.Contains(page, html.EscapeString(r.Command)) {
			t.Errorf("the page's table does not name %q", r.Command)
		}
	}
}

// TestRenderWellFormed checks the page with a strict parser of its own:
// elements nest and close, attributes are quoted, text escapes < and &,
// and the scripts never end early.
func TestRenderWellFormed(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 30, 1500} {
		page := render(t, sampleRun(n))
		if err := checkWellFormed(page); err != nil {
			t.Errorf("%d jobs: %v", n, err)
		}
	}
}

// TestRenderSelfContained checks that nothing in the page would load from
// elsewhere, even with commands that name URLs.
func TestRenderSelfContained(t *testing.T) {
	t.Parallel()
	page := render(t, sampleRun(30))
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(src|href|action|srcset|poster|data)\s*=`),
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)<(link|img|iframe|object|embed|base|source|audio|video)\b`),
		regexp.MustCompile(`(?i)\b(fetch|XMLHttpRequest|import)\s*\(`),
	} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("the page has %q", m)
		}
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>job") {
		t.Error("job text reached the page unescaped")
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	start := time.Unix(1000, 0)
	rec := func(slot int, o Outcome, s, d int) Record {
		return Record{Slot: slot, Outcome: o, Start: time.Duration(s) * time.Second, Runtime: time.Duration(d) * time.Second, CPU: time.Second}
	}
	tests := []struct {
		name string
		run  Run
		want summary
	}{
		{"empty", Run{Start: start, End: start, Done: true}, summary{Status: "finished"}},
		{"mixed", Run{Start: start, End: start.Add(10 * time.Second), Done: true, Jobs: []Record{
			rec(1, Success, 0, 5), rec(2, Failed, 0, 10), rec(1, TimedOut, 5, 5), rec(2, Signaled, 0, 0)}},
			summary{Jobs: 4, Succeeded: 1, Failed: 1, TimedOut: 1, Signaled: 1, Wall: 10 * time.Second,
				CPU: 4 * time.Second, Busy: 20 * time.Second, Lanes: 2, Usage: 100, Status: "finished"}},
		{"midway", Run{Start: start, End: start.Add(4 * time.Second), Jobs: []Record{rec(1, Success, 0, 1)},
			Running: []Record{rec(2, Running, 1, 3)}},
			summary{Jobs: 1, Running: 1, Succeeded: 1, Wall: 4 * time.Second, CPU: 2 * time.Second, Busy: 4 * time.Second,
				Lanes: 2, Usage: 50, Status: "running: written " + start.Add(4*time.Second).Format("15:04:05")}},
		{"signal", Run{Start: start, End: start, Done: true, Signal: syscall.SIGINT}, summary{Status: "stopped by SIGINT"}},
		{"halted", Run{Start: start, End: start, Done: true, Halted: true}, summary{Status: "halted (--halt)"}},
	}
	for _, tt := range tests {
		if got := summarize(&tt.run); got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestRenderRunning checks that a snapshot taken midway draws the running
// jobs too.
func TestRenderRunning(t *testing.T) {
	t.Parallel()
	run := sampleRun(3)
	run.Done = false
	run.Running = []Record{{Seq: 4, Slot: 1, Outcome: Running, Start: time.Second, Runtime: time.Second, Command: "sleep 9"}}
	d := pageData(t, render(t, run))
	if len(d.Seq) != 4 || d.Outcome[3] != int(Running) || d.Command[3] != "sleep 9" {
		t.Errorf("running job: %v %v %v", d.Seq, d.Outcome, d.Command)
	}
}

// TestRenderLarge bounds a report of 100,000 jobs: at most 30 MB, in a
// few seconds.
func TestRenderLarge(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("100,000 jobs: not in -short")
	}
	page, took := largePage()
	t.Logf("100,000 jobs: %d bytes in %v", len(page), took)
	if len(page) > 30<<20 {
		t.Errorf("%d bytes, more than 30 MB", len(page))
	}
	if d := pageData(t, page); len(d.Seq) != 100_000 {
		t.Errorf("%d jobs in the data", len(d.Seq))
	}
}

// largePage is the report of largeRun(100_000), rendered once for the
// tests that need it, and how long that took.
var largePage = sync.OnceValues(func() (string, time.Duration) {
	begin := time.Now()
	var b strings.Builder
	if err := Render(&b, largeRun(100_000)); err != nil {
		panic(err)
	}
	return b.String(), time.Since(begin)
})

// largeRun is n jobs over 16 slots with long commands, one in fifty
// failing with a full stderr tail: a bound on a real report's size.
func largeRun(n int) *Run {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	run := &Run{Command: "fanout -j 16 ...", Start: start, Done: true}
	var t [16]time.Duration
	tail := strings.Repeat("e", tailBytes)
	for i := 0; i < n; i++ {
		slot := i % 16
		r := Record{Seq: int64(i + 1), Slot: slot + 1, Start: t[slot], Runtime: time.Duration(1000+i*7919%50000) * time.Microsecond,
			CPU: 800 * time.Microsecond, Command: fmt.Sprintf("./process --input=/data/shard-%06d.csv --mode=full", i)}
		if i%50 == 0 {
			r.Outcome, r.Exit, r.Stderr = Failed, 1, tail
		}
		t[slot] += r.Runtime + 200*time.Microsecond
		run.Jobs = append(run.Jobs, r)
	}
	run.End = start.Add(t[0])
	return run
}
