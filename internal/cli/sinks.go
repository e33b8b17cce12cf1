package cli

import (
	"container/heap"
	"errors"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/joblog"
	"github.com/fanoutdev/fanout/internal/output"
	"github.com/fanoutdev/fanout/internal/replace"
	"github.com/fanoutdev/fanout/internal/results"
)

// delivery hands each result to the outputs (the printer or --results)
// first, and writes its job-log row only once they have the output whole:
// a row says a job is done, and a job is done only when its output is out.
// A kill between the two leaves a job that printed but is not logged, which
// --resume runs again; never one that is logged but lost its output.
type delivery struct {
	outputs fanout.Sinks
	log     *logSink // nil without --joblog
	status  *statusSink
	// forget, if set, reports jobs that did not finish because the run
	// killed them (--halt now, a signal): they are neither printed, logged
	// nor counted, so that --resume runs them again.
	forget func(r *fanout.Result) bool
	// broken, if set, is called once standard output is a closed pipe:
	// nothing more can be printed, so the running jobs are terminated.
	broken func()
	// attach gives a job the streams the outputs want it to write to
	// while it runs; finish prints what it left unfinished, as it ends.
	attach, finish func(job *fanout.Job)
	// stream, if set, is for the pool's Stream: with -k, the job whose
	// turn it is prints as it runs.
	stream func(r *fanout.Result) io.Writer
}

func (d *delivery) Receive(r *fanout.Result) error {
	if d.forget != nil && d.forget(r) {
		return nil
	}
	if dataOf(r.Job).skipped && r.Err == nil {
		r.ExitCode = -2 // it ran as true; GNU parallel logs -2
	}
	if r.TimedOut {
		// GNU parallel says so as it kills the job, before its output.
		d.status.c.warning("This job was killed because it timed out:", string(dataOf(r.Job).line))
	}
	err := d.outputs.Receive(r)
	if n := dataOf(r.Job).notice; n != nil && !errors.Is(err, syscall.EPIPE) {
		n.print(d.status.c)
	}
	if err == nil && errors.Is(r.OutputErr, syscall.EPIPE) {
		err = r.OutputErr // streamed output met the closed pipe
	}
	if errors.Is(err, syscall.EPIPE) {
		if d.broken != nil {
			d.broken()
		}
		return err // the run ends quietly with 141, as GNU parallel's does
	}
	lost := err != nil || r.OutputErr != nil
	// A job that the executor failed to run did not run: the log leaves it
	// out, so that --resume runs it, though it fails this run.
	if !lost && d.log != nil && !errors.Is(r.Err, fanout.ErrUnavailable) {
		err = d.log.Receive(r)
	}
	d.status.count(r, lost)
	return err
}

// sinksFor builds where results go: the printer or --results, then the
// job log, then the counts. A new sink is one more case here. It returns
// the delivery, and a function that closes the files it opened.
func sinksFor(o *Options, c *console, pl *plan, resuming bool) (*delivery, func(), error) {
	nop := func(*fanout.Job) {}
	d := &delivery{status: &statusSink{c: c, median: pl.median}, attach: nop, finish: nop}
	var closers []func()
	closeAll := func() {
		for _, f := range closers {
			f()
		}
	}
	if o.Results != "" {
		// The output goes to the results only, as in GNU parallel.
		k, closeResults, err := resultsSink(o, c, pl, resuming)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, closeResults)
		d.outputs = append(d.outputs, k)
	} else if o.Files && !o.Ungroup {
		fs, discard, err := filesSinkFor(o, c, pl)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, func() { discard.Close() })
		d.outputs = append(d.outputs, fs)
		d.attach = func(j *fanout.Job) { j.Stderr = discard }
	} else {
		p := printerFor(o, c, pl)
		d.outputs = append(d.outputs, p)
		d.attach = p.Attach
		if !o.KeepOrder {
			// A job's last line comes out as it ends, before the next job
			// in its slot prints; with -k, in its turn.
			d.finish = p.Finish
		} else if p.Mode == output.Group && o.Halt.When != HaltNow {
			// The job whose turn it is prints as it runs, rather than
			// through the disk; not where --halt now may kill it midway,
			// as a killed job prints nothing.
			d.stream = p.Stream
		}
	}
	if o.JobLog != "" {
		w, err := joblogWriter(o, c, resuming)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, func() { w.Close() })
		d.log = &logSink{w: w}
	}
	return d, closeAll, nil
}

// printerFor is the printer of the output options; it shares the console's
// lock, and its writers.
func printerFor(o *Options, c *console, pl *plan) *output.Printer {
	// The console's writers keep clear of the progress line.
	p := &output.Printer{Out: c.out, Err: c.err, TempDir: o.TmpDir, Lock: c}
	switch {
	case o.Ungroup:
		p.Mode = output.Ungroup
		if !pl.tag {
			// Jobs write to the streams themselves, with no lock to
			// share: their bytes and the line may mix, as with GNU
			// parallel.
			p.Out, p.Err = c.Out, c.Err
		}
	case o.LineBuffer:
		p.Mode = output.LineBuffer
	}
	// -u prints bytes as they come: GNU parallel then ignores --tag,
	// --tagstring and the colours.
	if pl.tag && !o.Ungroup {
		p.Tag = func(j *fanout.Job) []byte { return dataOf(j).tag }
	}
	if !o.Ungroup && (!o.LineBuffer || o.Color) {
		p.Color = colorFor(o)
	}
	if o.Verbose > 0 {
		p.Command = func(j *fanout.Job) []byte { return dataOf(j).line }
	}
	return p
}

// joblogWriter opens --joblog: as in GNU parallel, a log named +FILE is
// appended to, and - is standard output. A resumed run appends too.
func joblogWriter(o *Options, c *console, resuming bool) (*joblog.Writer, error) {
	path, appendLog := strings.CutPrefix(o.JobLog, "+")
	if path == "-" {
		return joblog.NewWriter(c.stdout(), "-")
	}
	return joblog.Create(path, resuming || appendLog)
}

// statusSink counts failed jobs, reports jobs that could not run, and feeds
// the runtimes of successful jobs to --timeout N%.
type statusSink struct {
	c      *console
	failed int
	median *medianTracker
}

// count records r; lost says its output could not be delivered, which
// fails the job whatever its exit status.
func (st *statusSink) count(r *fanout.Result, lost bool) {
	if r.OutputErr != nil {
		st.c.warnf("job %d: output lost: %v", dataOf(r.Job).seq, oneLine(r.OutputErr))
	}
	if lost {
		st.failed++
		return
	}
	if r.Success() {
		if st.median != nil {
			st.median.add(r.Runtime)
		}
		return
	}
	st.failed++
	switch {
	case r.Err != nil:
		if _, ok := exhaustion(r.Err); ok {
			break // the run stops with one line that says what ran out
		}
		if errors.As(r.Err, new(fatalError)) {
			break // the run stops with it
		}
		st.c.warnf("%v", oneLine(r.Err))
	}
}

// logSink writes each finished job's row to the job log.
type logSink struct {
	w *joblog.Writer
	e joblog.Entry
}

func (l *logSink) Receive(r *fanout.Result) error {
	d := dataOf(r.Job)
	l.e = joblog.Entry{
		Seq:     d.seq,
		Host:    r.Host,
		Start:   r.Start,
		Runtime: r.Runtime,
		Send:    d.sent,
		Receive: r.Stdout.Len(),
		Exitval: joblog.Exitval(r),
		Signal:  int(r.Signal),
		Command: string(d.line),
	}
	if r.Err != nil {
		l.e.Start = time.Now() // it never started
	}
	return l.w.Write(&l.e)
}

// jobView tells the results sink about the command layer's jobs.
type jobView struct{}

func (jobView) Values(j *fanout.Job) []string { return dataOf(j).values }
func (jobView) Command(j *fanout.Job) string  { return string(dataOf(j).line) }
func (jobView) Seq(j *fanout.Job) int64       { return dataOf(j).seq }
func (jobView) Sent(j *fanout.Job) int64      { return dataOf(j).sent }

// resultsSink is --results: one table for a name ending in .csv, .tsv or
// .json (-.csv and the like: on standard output), a file per job named by
// a template, or a directory tree.
func resultsSink(o *Options, c *console, pl *plan, resuming bool) (fanout.Sink, func(), error) {
	switch kind := resultsTable(o.Results); {
	case kind == 'j' && strings.HasPrefix(o.Results, "-."):
		j := results.NewJSON(c.stdout(), jobView{})
		return j, func() { j.Close() }, nil
	case kind == 'j':
		j, err := results.CreateJSON(o.Results, jobView{}, resuming)
		if err != nil {
			return nil, nil, err
		}
		return j, func() { j.Close() }, nil
	case kind != 0 && strings.HasPrefix(o.Results, "-."):
		t := results.NewTable(c.stdout(), "standard output", kind, jobView{})
		t.Names = pl.columns
		return t, func() { t.Close() }, nil
	case kind != 0:
		t, err := results.CreateTable(o.Results, kind, jobView{}, resuming)
		if err != nil {
			return nil, nil, err
		}
		t.Names = pl.columns
		return t, func() { t.Close() }, nil
	case pl.resTmpl != nil:
		return &results.Files{Path: func(j *fanout.Job) string { return string(dataOf(j).results) }, Job: jobView{}}, func() {}, nil
	}
	return resultsDir(o, pl), func() {}, nil
}

// resultsDir is --results DIR's tree.
func resultsDir(o *Options, pl *plan) *results.Dir {
	// A job of one record numbers its values 1, 2, ... whatever their
	// source or column; packed records start again at 1 each, which is
	// known only without --colsep.
	sources := 0
	if packs(o) && o.Colsep == "" {
		sources = max(len(o.Sources), 1)
	}
	return &results.Dir{Root: o.Results, Sources: sources, Names: pl.columns, Job: jobView{}}
}

// resultsDone is --resume by --results files, without a job log, as GNU
// parallel has it: a job whose stdout file is there is done. It is nil
// where the results are a table, which cannot tell.
func resultsDone(o *Options, pl *plan) func(d *jobData) bool {
	if o.Results == "" || resultsTable(o.Results) != 0 {
		return nil
	}
	if pl.resTmpl == nil {
		dir := resultsDir(o, pl)
		return func(d *jobData) bool { return dir.Done(d.values) }
	}
	return func(d *jobData) bool {
		// The slot is not known before the job runs: {%} is empty here.
		args := replace.Args{Values: d.values, Seq: d.seq, Total: pl.total, Slots: pl.slots}
		if pl.resTmpl.NeedsEval() {
			if _, err := replace.Evaluate(pl.perl, &args, pl.resTmpl); err != nil {
				return false // it runs, and fails there with the error
			}
		}
		return results.Done(string(pl.resTmpl.AppendPlain(nil, args)))
	}
}

// medianTracker keeps the running median of job runtimes in two heaps.
type medianTracker struct {
	mu     sync.Mutex
	lo, hi durHeap // lo is a max-heap (negated), hi a min-heap
}

type durHeap []time.Duration

func (h durHeap) Len() int           { return len(h) }
func (h durHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h durHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *durHeap) Push(x any)        { *h = append(*h, x.(time.Duration)) }
func (h *durHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (m *medianTracker) add(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lo.Len() == 0 || d <= -m.lo[0] {
		heap.Push(&m.lo, -d)
	} else {
		heap.Push(&m.hi, d)
	}
	switch {
	case m.lo.Len() > m.hi.Len()+1:
		heap.Push(&m.hi, -heap.Pop(&m.lo).(time.Duration))
	case m.hi.Len() > m.lo.Len():
		heap.Push(&m.lo, -heap.Pop(&m.hi).(time.Duration))
	}
}

// median returns the median so far, and false before any job succeeded.
func (m *medianTracker) median() (time.Duration, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lo.Len() == 0 {
		return 0, false
	}
	if m.lo.Len() > m.hi.Len() {
		return -m.lo[0], true
	}
	return (-m.lo[0] + m.hi[0]) / 2, true
}
