package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// console is a terminal's lock as the command's console has it: Unlock
// draws the line again.
type console struct {
	mu   sync.Mutex
	live *Live
}

func (c *console) Lock() { c.mu.Lock() }
func (c *console) Unlock() {
	c.live.Show()
	c.mu.Unlock()
}

func newLive(style Style, term *bytes.Buffer) (*Live, *console) {
	c := &console{}
	l := &Live{Style: style, Term: term, Lock: c, Width: func() int { return 20 }, Slots: 2, CPUs: 2,
		Total: 2, Interval: time.Hour, Arg: func(j *fanout.Job) string { return j.Data.(string) }}
	c.live = l
	return l, c
}

func TestLiveClearsAndRedrawsAroundOutput(t *testing.T) {
	var term bytes.Buffer
	l, c := newLive(Bar, &term)
	out := l.Wrap(&term)
	l.Start()
	l.Observe(fanout.Event{Kind: fanout.Started, Job: &fanout.Job{Data: "a"}})
	l.Observe(fanout.Event{Kind: fanout.Finished, Result: &fanout.Result{Runtime: time.Second}})
	// The finished job makes the loop redraw at once; wait for that line,
	// so that the output below is drawn around it whatever the scheduling.
	drawnUnder(t, c, &term, "50%")
	c.Lock()
	out.Write([]byte("line one\n"))
	out.Write([]byte("line two\n"))
	c.Unlock()
	// An unfinished line is not drawn under until it ends.
	c.Lock()
	out.Write([]byte("half"))
	c.Unlock()
	c.Lock()
	out.Write([]byte(" and the rest\n"))
	c.Unlock()
	c.Lock()
	out.Write([]byte("no newline at the end"))
	c.Unlock()
	l.Stop()
	l.Stop() // a second Stop does nothing
	golden(t, "live-bar.golden", strings.ReplaceAll(visible(term.Bytes()), "\r", "<cr>\n"))
}

// drawnUnder waits, for at most ten seconds, until the terminal shows
// want, reading it under the console's lock as the loop writes it.
func drawnUnder(t *testing.T, c *console, term *bytes.Buffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		ok := strings.Contains(term.String(), want)
		c.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q", want)
		}
	}
}

func TestLiveProgressHeader(t *testing.T) {
	var term bytes.Buffer
	l, c := newLive(ETA, &term)
	width := 200
	l.Width = func() int { return width }
	l.Start()
	l.Observe(fanout.Event{Kind: fanout.Started, Job: &fanout.Job{Data: "a"}})
	c.Lock()
	l.Wrap(&term).Write([]byte("output\n"))
	c.Unlock()
	// A narrower terminal gets a shorter line and its header.
	width = 30
	c.Lock()
	l.widthAt = time.Time{}
	l.redraw()
	c.Unlock()
	l.Stop()
	got := strings.ReplaceAll(term.String(), "\r", "<cr>\n")
	golden(t, "live-eta.golden", visible([]byte(got)))
}

// Stop with nothing started, and Show before Start, draw nothing.
func TestLiveNotStarted(t *testing.T) {
	var term bytes.Buffer
	l, c := newLive(Bar, &term)
	c.Lock()
	c.Unlock()
	l.Stop()
	if term.Len() != 0 {
		t.Errorf("drew %q before Start", term.String())
	}
}

// The workers' side costs no allocation.
func TestObserveAllocatesNothing(t *testing.T) {
	var term bytes.Buffer
	l, _ := newLive(Bar, &term)
	l.Start()
	defer l.Stop()
	job, r := &fanout.Job{Data: "a"}, &fanout.Result{Runtime: time.Millisecond}
	allocs := testing.AllocsPerRun(1000, func() {
		l.Observe(fanout.Event{Kind: fanout.Started, Job: job})
		l.Observe(fanout.Event{Kind: fanout.Finished, Job: job, Result: r})
	})
	if allocs != 0 {
		t.Errorf("Observe allocates %v times a job", allocs)
	}
}

// Many workers at once, while the line redraws: the counts add up (and
// -race finds nothing).
func TestObserveFromManyWorkers(t *testing.T) {
	var term bytes.Buffer
	l, c := newLive(Bar, &term)
	l.Interval = time.Millisecond
	l.Total = 800
	l.Start()
	out := l.Wrap(&term)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				j := &fanout.Job{Data: "x"}
				l.Observe(fanout.Event{Kind: fanout.Started, Job: j})
				c.Lock()
				out.Write([]byte("out\n"))
				c.Unlock()
				l.Observe(fanout.Event{Kind: fanout.Finished, Job: j, Result: &fanout.Result{}})
			}
		}()
	}
	wg.Wait()
	l.Stop()
	if !strings.HasSuffix(term.String(), "100% 800:0=0s x     "+reset+reset+"\n") {
		t.Errorf("the last line is not the whole run's: %q", term.String()[max(0, term.Len()-60):])
	}
}
