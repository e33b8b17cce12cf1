package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/joblog"
	"github.com/fanoutdev/fanout/internal/output"
	"github.com/fanoutdev/fanout/internal/replace"
)

// Exit statuses, as GNU parallel documents them.
const (
	ExitOK = 0
	// 1-100: the number of jobs that failed.
	ExitManyFailed = 101 // more than 100 jobs failed
	ExitError      = 255 // bad usage, unreadable input, a broken template, ...
)

// Streams are the command's standard streams. Files are handed to jobs
// directly where the output mode allows it.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// usageError marks errors caused by the command line itself; main prints a
// hint to --help after them.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// Main runs fanout with the given arguments (without argv[0]) and returns
// its exit status. Nothing below it exits the process. Signals arriving on
// sigs are handled as GNU parallel does: a first SIGTERM stops new jobs
// from starting and lets running ones finish; a second one, or SIGINT,
// sends the running jobs their term sequence. Either way the exit status is
// 128 plus the signal number.
func Main(args []string, s Streams, env func(string) string, sigs <-chan os.Signal) int {
	opts, err := Parse(args, env)
	if err != nil {
		fmt.Fprintf(s.Err, "fanout: %v\n", oneLine(err))
		fmt.Fprintln(s.Err, "fanout: try 'fanout --help'")
		return ExitError
	}
	switch {
	case opts.Help:
		io.WriteString(s.Out, Usage)
		return ExitOK
	case opts.Version:
		fmt.Fprintln(s.Out, Version)
		return ExitOK
	}
	code, sig, err := run(opts, s, env, sigs)
	if sig != 0 {
		fmt.Fprintf(s.Err, "fanout: stopped by %v\n", unix.SignalName(sig))
		return 128 + int(sig)
	}
	if err != nil {
		fmt.Fprintf(s.Err, "fanout: %v\n", oneLine(err))
		if errors.As(err, new(usageError)) {
			fmt.Fprintln(s.Err, "fanout: try 'fanout --help'")
		}
		return ExitError
	}
	return code
}

// failedStatus is the exit status for a run in which n jobs failed.
func failedStatus(n int) int {
	switch {
	case n == 0:
		return ExitOK
	case n > 100:
		return ExitManyFailed
	default:
		return n
	}
}

// oneLine keeps a message to the single line the user is promised.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// jobData is what the command layer keeps with each job for the sinks.
type jobData struct {
	values []string
	seq    int64  // the input's position, stable across resumed runs
	line   []byte // the command as a shell reads it (-v, the job log)
	tag    []byte
}

func dataOf(j *fanout.Job) *jobData { return j.Data.(*jobData) }

// plan is the options turned into the parts that run.
type plan struct {
	tmpl     *replace.Template // nil: each input line is the command
	tagTmpl  *replace.Template
	tag      bool
	shell    bool
	noValues bool // -N0: the values are read but not used
	needLine bool
	timeout  time.Duration
	median   *medianTracker // for --timeout N%
	pct      float64
}

// makePlan compiles the templates and parses the values of the options.
func makePlan(o *Options) (*plan, error) {
	pl := &plan{}
	ropt := replace.Options{Token: o.ReplaceToken}
	switch {
	case o.Xargs:
		ropt.Context = 'X'
	case o.M:
		ropt.Context = 'm'
	}
	// -N0, or -n0 without -N, runs one job per record with none of its
	// values on the command line.
	if o.MaxReplaceArgsSet && o.MaxReplaceArgs == 0 || !o.MaxReplaceArgsSet && o.MaxArgsSet && o.MaxArgs == 0 {
		ropt.NoAppend = true
		pl.noValues = true
	}
	var err error
	if len(o.Command) > 0 {
		if pl.tmpl, err = replace.Parse(o.Command, ropt); err != nil {
			return nil, usageError{fmt.Errorf("command template: %w", err)}
		}
		pl.shell = pl.tmpl.NeedsShell()
	}
	if o.TagString != "" {
		if pl.tagTmpl, err = replace.Parse([]string{o.TagString}, replace.Options{Token: o.ReplaceToken, NoAppend: true}); err != nil {
			return nil, usageError{fmt.Errorf("--tagstring: %w", err)}
		}
	}
	pl.tag = o.Tag || o.TagString != ""
	pl.needLine = o.Verbose > 0 || o.DryRun || o.JobLog != "" || o.Results != "" || o.Halt != "" || o.Timeout != ""
	if o.Timeout != "" {
		pl.timeout, pl.pct, _ = ParseTimeout(o.Timeout)
		if pl.pct > 0 {
			pl.median = &medianTracker{}
		}
	}
	return pl, nil
}

// run returns the exit status of a run that was neither stopped by a signal
// nor failed with err.
func run(o *Options, s Streams, env func(string) string, sigs <-chan os.Signal) (code int, sig syscall.Signal, err error) {
	limit, err := ResolveJobs(o.Jobs, runtime.NumCPU())
	if err != nil {
		return 0, 0, usageError{err}
	}
	pl, err := makePlan(o)
	if err != nil {
		return 0, 0, err
	}
	exe := &fanout.Local{Shell: env("PARALLEL_SHELL")}
	if o.TermSeq != "" {
		steps, _ := ParseTermSeq(o.TermSeq)
		for _, st := range steps {
			exe.TermSeq = append(exe.TermSeq, fanout.TermStep{Signal: st.Signal, Wait: st.Wait})
		}
	}
	var delay time.Duration
	if o.Delay != "" {
		delay, _ = ParseDuration(o.Delay)
	}
	halt, _ := ParseHalt(o.Halt)

	// The job log of an earlier run, to resume from. As in GNU parallel,
	// a log named +FILE is appended to, and - is standard output.
	logPath, appendLog := strings.CutPrefix(o.JobLog, "+")
	var prev *joblog.Log
	resuming := o.Resume || o.ResumeFailed || o.RetryFailed
	if resuming {
		if o.JobLog == "" {
			return 0, 0, usageError{errors.New("--resume, --resume-failed and --retry-failed need --joblog FILE")}
		}
		if prev, err = joblog.ReadFile(logPath); err != nil {
			return 0, 0, err
		}
	}

	var src input.Source
	if o.RetryFailed {
		src = nil // the job log is the input
	} else {
		var closeInputs func()
		src, closeInputs, err = openInputs(o, s.In)
		if err != nil {
			return 0, 0, err
		}
		defer closeInputs()
	}
	var fit slotFit
	if !o.DryRun {
		// Counted once the inputs are open, which take descriptors too.
		fit = fitSlots(limit)
		limit = fit.slots
	}
	if !o.RetryFailed {
		src = batch(o, src, limit)
	}

	if o.DryRun {
		if o.RetryFailed {
			var cmds records
			for _, e := range failedEntries(prev) {
				cmds = append(cmds, []string{e.Command})
			}
			return 0, 0, dryRun(&plan{needLine: true}, &cmds, s.Out, limit)
		}
		return 0, 0, dryRun(pl, src, s.Out, limit)
	}

	printer := &output.Printer{Out: s.Out, Err: s.Err}
	switch {
	case o.Ungroup:
		printer.Mode = output.Ungroup
	case o.LineBuffer:
		printer.Mode = output.LineBuffer
	}
	if pl.tag {
		printer.Tag = func(j *fanout.Job) []byte { return dataOf(j).tag }
	}
	if o.Verbose > 0 {
		printer.Command = func(j *fanout.Job) []byte { return dataOf(j).line }
	}

	// Sinks run in this order for each result: the job log first, so that
	// no printed job is missing from it; then the output; then the counts.
	var sinks fanout.Sinks
	if o.JobLog != "" {
		var w *joblog.Writer
		if logPath == "-" {
			w, err = joblog.NewWriter(s.Out, "-")
		} else {
			w, err = joblog.Create(logPath, resuming || appendLog)
		}
		if err != nil {
			return 0, 0, err
		}
		defer w.Close()
		sinks = append(sinks, &logSink{w: w})
	}
	if o.Results != "" {
		k, closeResults, err := resultsSink(o)
		if err != nil {
			return 0, 0, err
		}
		defer closeResults()
		sinks = append(sinks, k)
	}
	// With --results the output goes to the files only, as in GNU parallel.
	attach := printer.Attach
	if o.Results == "" {
		sinks = append(sinks, printer)
	} else {
		attach = func(*fanout.Job) {}
	}
	status := &statusSink{err: s.Err, median: pl.median}
	sinks = append(sinks, status)

	pool := &fanout.Pool{
		Limit:    limit,
		Ordered:  o.KeepOrder,
		TempDir:  o.TmpDir,
		Retries:  o.Retries,
		Executor: exe,
	}
	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	var submitted atomic.Int64
	var hs *halter
	if halt.When != HaltNever {
		total := &submitted
		if halt.Percent > 0 {
			// A share of all the jobs needs their number: read them first.
			total = new(atomic.Int64)
			if src == nil {
				total.Store(int64(len(failedEntries(prev))))
			} else {
				recs, err := readAll(src)
				if err != nil {
					return 0, 0, err
				}
				total.Store(int64(len(recs)))
				src = &recs
			}
		}
		hs = &halter{rule: haltRule{now: halt.When == HaltNow, why: halt.Why[0], count: halt.Count, percent: halt.Percent},
			kill: kill, total: total, err: s.Err,
			line: func(j *fanout.Job) string { return string(dataOf(j).line) }}
	}
	warning := &warnOnce{w: s.Err}
	pool.OnShrink = func(_ int, err error) { warning.warn(shrinkWarning(err)) }
	var exhausted resourceStop
	pool.StopWhen = func(r *fanout.Result) bool {
		if exhausted.check(r) {
			return true
		}
		return hs != nil && hs.check(r)
	}
	pool.Sink = sinks
	if hs != nil {
		pool.Sink = fanout.SinkFunc(func(r *fanout.Result) error {
			if hs.forget(r) {
				return nil
			}
			return sinks.Receive(r)
		})
	}

	var caught atomic.Int32
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case v := <-sigs:
				sg, _ := v.(syscall.Signal)
				first := caught.Swap(int32(sg)) == 0
				pool.Stop()
				if sg == syscall.SIGINT || !first {
					fmt.Fprintf(s.Err, "fanout: %v: terminating running jobs\n", unix.SignalName(sg))
					kill()
				} else {
					fmt.Fprintf(s.Err, "fanout: %v: starting no more jobs, waiting for running ones; send it again to terminate them\n", unix.SignalName(sg))
				}
			}
		}
	}()

	// Rendering happens in the worker about to run the job: only there is
	// its slot ({%}) known, and the work spreads over the workers.
	prepare := func(j *fanout.Job, _ int64, slot int) error {
		d := dataOf(j)
		pl.render(j, d, replace.Args{Values: d.values, Seq: d.seq, Slot: slot})
		attach(j)
		return nil
	}
	submit := func(job *fanout.Job) bool {
		// Like GNU parallel, say that fewer slots fit only once more
		// jobs come than do.
		if submitted.Add(1) == int64(limit)+1 && fit.short != "" {
			warning.warn(fit.short)
		}
		if _, err := pool.Go(ctx, job); err != nil {
			return false
		}
		if delay > 0 {
			time.Sleep(delay)
		}
		return true
	}
	if o.RetryFailed {
		for _, e := range failedEntries(prev) {
			job := &fanout.Job{Shell: e.Command, Data: &jobData{seq: e.Seq, line: []byte(e.Command)}, Prepare: func(j *fanout.Job, _ int64, _ int) error {
				pl.setTimeout(j)
				attach(j)
				return nil
			}}
			if !submit(job) {
				break
			}
		}
	} else {
		var seq int64
		for {
			values, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				pool.Stop()
				pool.Wait()
				return status.failed, syscall.Signal(caught.Load()), err
			}
			seq++
			d := &jobData{values: values, seq: seq}
			if prev != nil {
				if e, ok := prev.Entry(seq); ok && (o.Resume || e.Succeeded()) {
					if err := pl.sameCommand(logPath, e, d); err != nil {
						pool.Stop()
						pool.Wait()
						return status.failed, 0, err
					}
					continue
				}
			}
			if !submit(&fanout.Job{Data: d, Prepare: prepare}) {
				break
			}
		}
	}
	err = pool.Wait()
	sig = syscall.Signal(caught.Load())
	// A resource that ran out is the one error to report, whether a job
	// or the pool itself (a worker's descriptors) met it first.
	if first := exhausted.err(); first != nil {
		err = first
	} else if err != nil {
		err = explain(err)
	}
	code = failedStatus(status.failed)
	if hs != nil {
		code = hs.status(status.failed)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return code, sig, err
	}
	return code, sig, nil
}

// records replays records read ahead.
type records [][]string

func (l *records) Next() ([]string, error) {
	if len(*l) == 0 {
		return nil, io.EOF
	}
	r := (*l)[0]
	*l = (*l)[1:]
	return r, nil
}

// readAll reads src to its end.
func readAll(src input.Source) (records, error) {
	var recs records
	for {
		r, err := src.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
}

// dryRun prints the commands instead of running them.
func dryRun(pl *plan, src input.Source, out io.Writer, limit int) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	var seq int64
	for {
		values, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			bw.Flush()
			return err
		}
		seq++
		d := jobData{values: values, seq: seq, line: make([]byte, 0, 128)}
		var job fanout.Job
		pl.render(&job, &d, replace.Args{Values: values, Seq: seq, Slot: int((seq-1)%int64(limit)) + 1})
		if pl.tag {
			bw.Write(d.tag)
			bw.WriteByte('\t')
		}
		bw.Write(d.line)
		if err := bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// sameCommand refuses to resume from a log that another command line
// wrote: skipping its jobs would skip work that was never done.
func (pl *plan) sameCommand(path string, e *joblog.Entry, d *jobData) error {
	if pl.tmpl == nil || pl.tmpl.UsesSlot() {
		return nil
	}
	args := replace.Args{Values: d.values, Seq: d.seq}
	if pl.noValues {
		args.Values = nil
	}
	line := pl.tmpl.AppendShell(nil, args)
	if strings.ReplaceAll(string(line), "\n", `\n`) == e.Command {
		return nil
	}
	return fmt.Errorf("joblog %s: job %d was %q, this command line gives %q: the log belongs to another command line; use another --joblog or remove it", path, d.seq, e.Command, line)
}

// failedEntries lists the jobs whose last row in the log failed, by seq.
func failedEntries(l *joblog.Log) []*joblog.Entry {
	var out []*joblog.Entry
	seen := map[int64]bool{}
	for _, e := range l.Entries() {
		if seen[e.Seq] {
			continue
		}
		seen[e.Seq] = true
		if last, _ := l.Entry(e.Seq); !last.Succeeded() {
			out = append(out, last)
		}
	}
	return out
}

// render fills in the job's command, and the text -v, --tag and the job
// log need.
func (pl *plan) render(job *fanout.Job, d *jobData, args replace.Args) {
	if pl.noValues {
		args.Values = nil
	}
	switch {
	case pl.tmpl == nil:
		job.Shell = strings.Join(args.Values, " ")
		if pl.needLine {
			d.line = append(d.line[:0], job.Shell...)
		}
		if job.Shell == "" {
			// An empty line is a command that does nothing and succeeds,
			// as in GNU parallel; ':' is the shell's word for it.
			job.Shell = ":"
		}
	case pl.shell:
		d.line = pl.tmpl.AppendShell(d.line[:0], args)
		job.Shell = string(d.line)
	default:
		job.Args = pl.tmpl.Argv(args)
		if pl.needLine {
			d.line = pl.tmpl.AppendShell(d.line[:0], args)
		}
	}
	if pl.tag {
		if pl.tagTmpl != nil {
			d.tag = pl.tagTmpl.AppendPlain(d.tag[:0], args)
		} else {
			d.tag = append(d.tag[:0], strings.Join(args.Values, " ")...)
		}
	}
	pl.setTimeout(job)
}

// setTimeout applies --timeout: fixed, or a share of the median runtime of
// the jobs that succeeded so far.
func (pl *plan) setTimeout(job *fanout.Job) {
	job.Timeout = pl.timeout
	if pl.median != nil {
		if m, ok := pl.median.median(); ok {
			job.Timeout = time.Duration(float64(m) * pl.pct / 100)
		}
	}
}

// openInputs builds the input stream from the sources in command-line
// order; with none, standard input is read.
func openInputs(o *Options, stdin io.Reader) (input.Source, func(), error) {
	var f input.Format
	f.Null = o.Null
	if o.Delim != "" {
		if err := f.SetDelim(o.Delim); err != nil {
			return nil, nil, usageError{err}
		}
	}
	if o.Trim != "" {
		f.Trim, _ = input.ParseTrim(o.Trim) // checked by Parse
	}
	if o.Colsep != "" {
		re, err := regexp.Compile(o.Colsep)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--colsep %q: %v", o.Colsep, err)}
		}
		f.Colsep = re
	}
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	if len(o.Sources) == 0 {
		return input.Reader(stdin, "stdin", f), closeAll, nil
	}
	var groups [][]input.Source
	for i, spec := range o.Sources {
		var src input.Source
		switch spec.Kind {
		case ArgsList:
			src = input.Args(spec.Values, f)
		default:
			if spec.Path == "-" {
				src = input.Reader(stdin, "stdin", f)
				break
			}
			s, c, err := input.Open(spec.Path, f)
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			closers = append(closers, c)
			src = s
		}
		if i > 0 && (spec.Linked || o.Link) {
			groups[len(groups)-1] = append(groups[len(groups)-1], src)
		} else {
			groups = append(groups, []input.Source{src})
		}
	}
	if len(groups) == 1 && len(groups[0]) == 1 {
		return groups[0][0], closeAll, nil
	}
	if o.Link {
		return input.Combine(groups), closeAll, nil // --link wraps the shorter sources
	}
	return input.CombineShortest(groups), closeAll, nil // :::+ stops at the shortest
}

// maxLine is the longest single argument Linux passes to a program
// (MAX_ARG_STRLEN); a shell line is one argument to sh -c.
const maxLine = 128 << 10

// batch packs several records into one job for -n, -N, -X and -m.
func batch(o *Options, src input.Source, slots int) input.Source {
	return input.Batch(src, packing(o, slots))
}

// packing is how -n, -N, -X and -m pack records into jobs; -X and -m share
// a short input among the job slots.
func packing(o *Options, slots int) input.Packing {
	p := input.Packing{Max: o.MaxArgs}
	if o.MaxReplaceArgsSet {
		p.Max = o.MaxReplaceArgs
	}
	if o.Xargs || o.M {
		p.Spread = slots
		if p.Max == 0 {
			p.Max = 1 << 30
			p.MaxBytes = maxLine - 4096
		}
	}
	return p
}

// Stdio returns the process's own streams.
func Stdio() Streams { return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }
