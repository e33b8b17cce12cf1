package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fanoutdev/fanout"
)

// requireChromium returns the path of chromium, or skips the test without
// it, unless FANOUT_REQUIRE_CHROMIUM is set (as CI sets it), which fails it.
func requireChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("FANOUT_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is not installed and FANOUT_REQUIRE_CHROMIUM is set: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); set FANOUT_REQUIRE_CHROMIUM=1 to fail instead of skipping")
	return ""
}

// browser is a headless chromium with a fresh profile, and what it saw:
// every request's URL and every script error.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	errors   []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := requireChromium(t)
	// Without the background features off, chromium reaches out to the
	// network at start; the test's page must not, and nor should it.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first action starts the browser, which lives as long as ctx: no
	// timeout on it, but one on each later action (see do).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b.ctx = ctx
	return b
}

// listen records what the tab does; it runs on the tab's reading loop.
func (b *browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *runtime.EventExceptionThrown:
		msg := e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		b.errors = append(b.errors, fmt.Sprintf("%s (line %d)", msg, e.ExceptionDetails.LineNumber+1))
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range e.Args {
				args = append(args, a.Description+string(a.Value))
			}
			b.errors = append(b.errors, "console.error: "+strings.Join(args, " "))
		}
	}
}

// do runs steps, bounded in time.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a script expression in the page.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// open loads the page at path and waits until its script has drawn it;
// it returns how long that took.
func (b *browser) open(t *testing.T, path string) time.Duration {
	t.Helper()
	begin := time.Now()
	b.do(t, chromedp.Navigate("file://"+path), chromedp.WaitReady("body[data-drawn]"))
	return time.Since(begin)
}

// check fails the test for any request that left the file, and for any
// script error.
func (b *browser) check(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.requests {
		if !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
			t.Errorf("the page requested %s", u)
		}
	}
	if len(b.requests) == 0 {
		t.Error("saw no request at all, not even the page's own: the listener is deaf")
	}
	for _, e := range b.errors {
		t.Errorf("script error: %s", e)
	}
}

// screenshot saves the whole page as a PNG in the test's artifact
// directory (go test -artifacts keeps it).
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(png))
}

// TestBrowserThirtyJobs runs 30 real jobs, some failing, opens their
// report in chromium, and checks that the page names every command, shows
// a job when the timeline is hovered, and loads nothing from elsewhere.
func TestBrowserThirtyJobs(t *testing.T) {
	b := newBrowser(t)
	var jobs []*fanout.Job
	for i := 1; i <= 30; i++ {
		sh := fmt.Sprintf("sleep 0.0%d; echo job-%d", i%5+1, i)
		if i%7 == 0 {
			sh = fmt.Sprintf("sleep 0.02; echo 'job-%d: <no> such file' >&2; exit 2", i)
		}
		jobs = append(jobs, &fanout.Job{Shell: sh})
	}
	c := runPool(t, &fanout.Pool{Limit: 4}, jobs...)
	run := c.Snapshot(time.Now())
	run.Done, run.Command = true, "fanout -j 4 ..."
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteFile(path, &run); err != nil {
		t.Fatal(err)
	}
	b.open(t, path)

	drawn, text := eval[string](t, b, `document.body.dataset.drawn`), eval[string](t, b, `document.body.innerText`)
	if drawn != "30" {
		t.Errorf("the script drew %s jobs, want 30", drawn)
	}
	for _, j := range jobs {
		if !strings.Contains(text, j.Shell) {
			t.Errorf("the page does not name %q", j.Shell)
		}
	}
	if !strings.Contains(text, "job-7: <no> such file") {
		t.Error("the failed jobs' table lacks a stderr tail")
	}

	// Hover the middle of the first job's bar: the tip names it. The page's
	// geometry is repeated here: a 64px gutter and 10px margin beside the
	// bars, 6px above them, 22px lanes when there are few.
	at := eval[[]float64](t, b, `(() => {
		const D = JSON.parse(document.getElementById("data").textContent), c = document.getElementById("timeline");
		const r = c.getBoundingClientRect(), W = c.clientWidth - 64 - 10, mid = D.t[0] + D.d[0] / 2;
		return [r.left + 64 + mid / D.wall * W, r.top + 6 + D.lane[0] * 22 + 11, D.seq[0]];
	})()`)
	b.do(t, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0], at[1]))
	tip := eval[string](t, b, `(() => { const e = document.getElementById("tip"); return e.style.display === "block" ? e.innerText : ""; })()`)
	if want := fmt.Sprintf("#%d %s", int(at[2]), jobs[int(at[2])-1].Shell); !strings.Contains(tip, want) || !strings.Contains(tip, "exit status") {
		t.Errorf("hovering job %d shows %q, want %q and its exit status", int(at[2]), tip, want)
	}
	b.screenshot(t, "thirty-jobs.png")
	b.check(t)
}

// TestBrowserLargeRun opens a report of 100,000 jobs: it must be drawn
// within seconds.
func TestBrowserLargeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 jobs: not in -short")
	}
	b := newBrowser(t)
	path := filepath.Join(t.TempDir(), "large.html")
	page, _ := largePage()
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	took := b.open(t, path)
	t.Logf("100,000 jobs: %d bytes, drawn in %v", st.Size(), took)
	// Generous for a loaded machine: on an idle one it takes a second or two.
	if took > 45*time.Second {
		t.Errorf("drawn in %v", took)
	}
	if drawn := eval[string](t, b, `document.body.dataset.drawn`); drawn != "100000" {
		t.Errorf("the script drew %s jobs, want 100000", drawn)
	}
	b.check(t)
}

// TestBrowserEdgeRuns opens reports that have nothing to scale by: no
// jobs yet, only running ones, and jobs that never ran (no runtime).
func TestBrowserEdgeRuns(t *testing.T) {
	b := newBrowser(t)
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	runs := map[string]*Run{
		"empty":   {Start: start, End: start},
		"running": {Start: start, End: start.Add(time.Second), Running: []Record{{Seq: 1, Slot: 1, Outcome: Running, Runtime: time.Second, Command: "sleep 9"}}},
		"never ran": {Start: start, End: start.Add(time.Millisecond), Done: true, Jobs: []Record{
			{Seq: 1, Slot: 1, Outcome: Failed, Exit: 127, Start: time.Millisecond, Command: "nosuch"},
			{Seq: 2, Slot: 2, Outcome: Failed, Exit: 127, Start: time.Millisecond, Command: "nosuch"}}},
	}
	for name, run := range runs {
		path := filepath.Join(t.TempDir(), "report.html")
		if err := WriteFile(path, run); err != nil {
			t.Fatal(err)
		}
		b.open(t, path)
		want := fmt.Sprint(len(run.Jobs) + len(run.Running))
		if drawn := eval[string](t, b, `document.body.dataset.drawn`); drawn != want {
			t.Errorf("%s: drew %s jobs, want %s", name, drawn, want)
		}
	}
	b.check(t)
}
