package progress

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanoutdev/fanout"
)

// Live draws a run's progress on a terminal while it runs. It learns what
// happens from Observe (given to fanout.Pool.Observe), and redraws its line
// in place: when a job finishes, and every Interval meanwhile.
//
// Output that shares the terminal goes through the writers of Wrap, which
// clear the line before each write; the line comes back at Show, which the
// owner of Lock calls as it lets go of it. So the line is never torn by
// the output, nor mixed into it.
//
// The exported fields are set before Start and not changed after; Term
// and Lock are needed, the others have defaults. A Live that was never
// started draws nothing, and its Stop does nothing.
type Live struct {
	Style Style
	// Term is the terminal drawn on.
	Term io.Writer
	// Lock is held for every write to Term, by Live and by whoever writes
	// through Wrap's writers; its Unlock must call Show, so that the line
	// comes back once the output is out.
	Lock sync.Locker
	// Width returns the terminal's width in columns; nil or a result
	// below one means 80.
	Width func() int
	// Slots and CPUs are the jobs run at once and the cores there are.
	Slots, CPUs int
	// Total, if above zero, is the number of jobs (--total-jobs); else
	// SetTotal gives it once the input is read.
	Total int64
	// Arg returns a job's arguments, which the bar shows for the job
	// started last; nil shows none.
	Arg func(job *fanout.Job) string
	// Interval is the time between redraws while no job finishes; zero
	// means 200ms.
	Interval time.Duration

	// Set by the workers through Observe, read by the drawing.
	begun, completed, busy, total atomic.Int64
	newest                        atomic.Pointer[fanout.Job]

	poke       chan struct{} // a job finished: redraw soon
	quit, done chan struct{}
	once       sync.Once // closes quit
	begin      time.Time

	// Guarded by Lock.
	started bool // Start drew the first line
	drawn   bool // the line is on the terminal
	open    bool // output left a line unfinished: no line under it now
	stopped bool // Stop drew the last line, or the terminal failed
	header  string
	width   int
	widthAt time.Time
	buf     []byte
}

// minGap bounds how often finished jobs redraw the line: a burst of short
// jobs costs one redraw, not one each.
const minGap = 40 * time.Millisecond

// Observe counts the event's job: started, or finished with its runtime.
// It is safe to call from every worker at once, and costs a few atomic
// operations.
func (l *Live) Observe(ev fanout.Event) {
	switch ev.Kind {
	case fanout.Started:
		l.begun.Add(1)
		l.newest.Store(ev.Job)
	case fanout.Finished:
		l.completed.Add(1)
		if ev.Result != nil {
			l.busy.Add(int64(ev.Result.Runtime))
		}
		l.nudge()
	}
}

// SetTotal gives the number of jobs, once the input has been read to its
// end; a Total set before Start stays.
func (l *Live) SetTotal(n int64) {
	l.total.Store(n)
	l.nudge()
}

func (l *Live) nudge() {
	select {
	case l.poke <- struct{}{}:
	default: // a redraw is already due
	}
}

// Start draws the first line, after --progress's list of computers, and
// starts redrawing it.
func (l *Live) Start() {
	l.begin = time.Now()
	l.poke = make(chan struct{}, 1)
	l.quit, l.done = make(chan struct{}), make(chan struct{})
	l.Lock.Lock()
	l.started = true
	if l.Style != Bar {
		l.write(append(l.buf[:0], Intro(l.state())...))
	}
	l.redraw()
	l.Lock.Unlock()
	go l.loop()
}

// Stop stops redrawing and draws the last line, which stays on the
// terminal with a newline after it. Once stopped, Live draws no more.
func (l *Live) Stop() {
	if l.quit == nil {
		return // never started
	}
	l.once.Do(func() { close(l.quit) })
	<-l.done
	l.Lock.Lock()
	defer l.Lock.Unlock()
	if l.stopped {
		return
	}
	if l.open {
		l.write(append(l.buf[:0], '\n')) // under the unfinished line
		l.open = false
	}
	l.redraw()
	l.write(append(l.buf[:0], '\n'))
	l.drawn, l.stopped = false, true
}

func (l *Live) loop() {
	defer close(l.done)
	interval := l.Interval
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	soon := time.NewTimer(time.Hour)
	soon.Stop()
	var last time.Time
	waiting := false
	for {
		select {
		case <-l.quit:
			return
		case <-tick.C:
		case <-soon.C:
			waiting = false
		case <-l.poke:
			if gap := minGap - time.Since(last); gap > 0 {
				if !waiting {
					soon.Reset(gap)
					waiting = true
				}
				continue
			}
		}
		last = time.Now()
		l.Lock.Lock()
		l.redraw()
		l.Lock.Unlock()
	}
}

// Show draws the line again if output cleared it. The caller holds Lock.
func (l *Live) Show() {
	if !l.drawn {
		l.redraw()
	}
}

// Hide clears the line from the terminal, until Show. The caller holds
// Lock.
func (l *Live) Hide() {
	if l.drawn {
		l.write(append(l.buf[:0], clearLine...))
		l.drawn = false
	}
}

// clearLine takes the cursor to the start of the line and clears it.
const clearLine = "\r\x1b[K"

// Wrap returns a writer to w, a stream shown on the same terminal, that
// clears the line before each write. Writes to it are made holding Lock.
func (l *Live) Wrap(w io.Writer) io.Writer { return &wrapped{l: l, w: w} }

type wrapped struct {
	l *Live
	w io.Writer
}

func (w *wrapped) Write(b []byte) (int, error) {
	w.l.Hide()
	n, err := w.w.Write(b)
	if n > 0 {
		// A line left unfinished is not drawn over: the line waits for
		// its end.
		w.l.open = b[n-1] != '\n'
	}
	return n, err
}

// redraw draws the line as things are now, unless output left a line
// unfinished. The caller holds Lock.
func (l *Live) redraw() {
	if !l.started || l.stopped || l.open {
		return
	}
	s := l.state()
	width := l.termWidth()
	buf := append(l.buf[:0], '\r')
	if l.Style == Bar {
		buf = AppendBar(buf, s, width)
	} else {
		var header string
		buf, header = AppendStatus(append(buf, "\x1b[K"...), s, width, l.Style == ETA)
		if header != l.header {
			// The first header follows a blank line, as in GNU parallel;
			// a new one, for a resized terminal, takes the line's place.
			head := []byte("\n")
			if l.header != "" {
				head = []byte(clearLine)
			}
			l.header = header
			buf = append(append(append(head, header...), '\n'), buf...)
		}
	}
	l.write(buf)
	l.drawn = true
}

// write writes b to the terminal and keeps b for the next time. A
// terminal that fails is drawn on no more.
func (l *Live) write(b []byte) {
	if _, err := l.Term.Write(b); err != nil {
		l.stopped = true
	}
	l.buf = b[:0]
}

// termWidth is the terminal's width, asked again at most once a second.
func (l *Live) termWidth() int {
	if now := time.Now(); l.width == 0 || now.Sub(l.widthAt) >= time.Second {
		l.widthAt = now
		l.width = 80
		if l.Width != nil {
			if w := l.Width(); w > 0 {
				l.width = w
			}
		}
	}
	return l.width
}

// state is the run's progress now.
func (l *Live) state() State {
	s := State{
		Started:   l.begun.Load(),
		Completed: l.completed.Load(),
		Total:     l.Total,
		Slots:     l.Slots,
		CPUs:      l.CPUs,
		Busy:      time.Duration(l.busy.Load()),
		Elapsed:   time.Since(l.begin),
	}
	if s.Total <= 0 {
		s.Total = l.total.Load()
	}
	if j := l.newest.Load(); j != nil && l.Arg != nil && l.Style == Bar {
		s.Arg = l.Arg(j)
	}
	return s
}
