package cli

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/progress"
)

// progressFor is the progress line of --bar, --eta or --progress, or nil
// without them. It is drawn on standard error only when that is a
// terminal: unlike GNU parallel, which writes it wherever standard error
// goes, fanout keeps a log of standard error free of redrawn lines.
func progressFor(o *Options, c *console, slots int) *progress.Live {
	var style progress.Style
	switch {
	case o.Bar:
		style = progress.Bar
	case o.ETA:
		style = progress.ETA
	case o.Progress:
		style = progress.Progress
	default:
		return nil
	}
	if !c.ErrIsTerminal {
		return nil
	}
	return &progress.Live{
		Style: style,
		Term:  c.Err,
		Lock:  c,
		Width: func() int { return termWidth(c.Err) },
		Slots: slots,
		CPUs:  runtime.NumCPU(),
		Total: o.TotalJobs,
		Arg:   func(j *fanout.Job) string { return strings.Join(dataOf(j).values, " ") },
	}
}

// showProgress puts the line on the console, and returns what takes it off
// at the end of the run, leaving its last state on the terminal.
func showProgress(l *progress.Live, c *console) (stop func()) {
	c.mu.Lock()
	c.overlay(l)
	c.mu.Unlock()
	return func() {
		l.Stop()
		c.mu.Lock()
		c.overlay(nil)
		c.mu.Unlock()
	}
}

// counting tells done how many jobs its source had, once it has yielded
// the last: the total the progress line shows from then on.
type counting struct {
	src  jobSource
	n    int64
	done func(n int64)
}

func (c *counting) next() (*jobData, error) {
	d, err := c.src.next()
	switch {
	case err == nil:
		c.n++
	case errors.Is(err, io.EOF):
		c.done(c.n)
	}
	return d, err
}

// countAhead gives the progress line the number of jobs of an input made
// of ::: lists only, which are in memory already: counted on a copy of the
// input, it shows from the start as in GNU parallel. A short input is
// counted before the first job starts, a long one while jobs run, until
// ctx ends. Any other input is counted as it is read (counting): reading
// it ahead would hold back the first job.
func (p *parts) countAhead(ctx context.Context, live *progress.Live) {
	if p.resuming || len(p.o.Sources) == 0 {
		return
	}
	for _, s := range p.o.Sources {
		if s.Kind != ArgsList {
			return
		}
	}
	in, err := openSources(p.o, p.c)
	if err != nil {
		return // the run's own input reports it
	}
	closeInputs := in.close
	if _, err := firstLines(p.o, in); err != nil {
		closeInputs()
		return
	}
	src := batch(p.o, p.plan, in.combine(p.o), p.limit, p.maxLen)
	var n int64
	count := func(upTo int64) bool {
		for ; n < upTo; n++ {
			if _, err := src.Next(); err != nil {
				if errors.Is(err, io.EOF) {
					live.SetTotal(n)
				}
				return true
			}
		}
		return false
	}
	if count(countFirst) {
		closeInputs()
		return
	}
	go func() {
		defer closeInputs()
		for ctx.Err() == nil && !count(n+countFirst) {
		}
	}()
}

// countFirst is how many jobs are counted before the first starts, and
// then between looks at whether the run is over.
const countFirst = 1 << 12
