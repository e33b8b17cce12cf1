package cli

import (
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/output"
)

// latestFor is --latest-line's display: rows redrawn on standard output
// when it is a terminal, else each job's last line as it ends.
func latestFor(o *Options, c *console, pl *plan) *output.Latest {
	d := &output.Latest{Out: c.out, Lock: c}
	if c.OutIsTerminal {
		if f, ok := c.Out.(*os.File); ok {
			d.Size = (&winsize{fd: int(f.Fd())}).get
		}
	}
	if pl.tag {
		d.Tag = func(j *fanout.Job) []byte { return dataOf(j).tag }
	}
	if o.Color || o.ColorFailed {
		d.Color = colorFor(o)
	}
	if o.KeepOrder {
		// As in GNU parallel: -k puts each job on the row of its place in
		// the input.
		d.Row = func(j *fanout.Job) int { return int(dataOf(j).seq) }
	}
	return d
}

// winsize is a terminal's size, asked of it at most ten times a second:
// a job printing fast redraws its row far more often than a window is
// resized.
type winsize struct {
	fd         int
	mu         sync.Mutex
	at         time.Time
	rows, cols int
}

func (w *winsize) get() (rows, cols int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now := time.Now(); now.Sub(w.at) > 100*time.Millisecond {
		w.at = now
		w.rows, w.cols = 24, 80 // what GNU parallel takes when the terminal does not say
		if ws, err := unix.IoctlGetWinsize(w.fd, unix.TIOCGWINSZ); err == nil && ws.Row > 0 && ws.Col > 0 {
			w.rows, w.cols = int(ws.Row), int(ws.Col)
		}
	}
	return w.rows, w.cols
}
