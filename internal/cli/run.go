package cli

import (
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

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/input"
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
	failed, sig, err := run(opts, s, env, sigs)
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
	switch {
	case failed == 0:
		return ExitOK
	case failed > 100:
		return ExitManyFailed
	default:
		return failed
	}
}

// oneLine keeps a message to the single line the user is promised.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// jobData is what the command layer keeps with each job for the sinks.
type jobData struct {
	values []string
	seq    int64
	line   []byte // the command as a shell would read it, for -v
	tag    []byte
}

// plan is the options turned into the parts that run.
type plan struct {
	tmpl     *replace.Template // nil: each input line is the command
	tagTmpl  *replace.Template
	tag      bool
	shell    bool
	needLine bool
}

func run(o *Options, s Streams, env func(string) string, sigs <-chan os.Signal) (failed int, sig syscall.Signal, err error) {
	ncpu := runtime.NumCPU()
	limit, err := ResolveJobs(o.Jobs, ncpu)
	if err != nil {
		return 0, 0, usageError{err}
	}
	var pl plan
	ropt := replace.Options{Token: o.ReplaceToken}
	switch {
	case o.Xargs:
		ropt.Context = 'X'
	case o.M:
		ropt.Context = 'm'
	}
	if o.MaxReplaceArgsSet && o.MaxReplaceArgs == 0 {
		ropt.NoAppend = true
	}
	if len(o.Command) > 0 {
		if pl.tmpl, err = replace.Parse(o.Command, ropt); err != nil {
			return 0, 0, usageError{fmt.Errorf("command template: %w", err)}
		}
		pl.shell = pl.tmpl.NeedsShell()
	}
	if o.TagString != "" {
		if pl.tagTmpl, err = replace.Parse([]string{o.TagString}, replace.Options{Token: o.ReplaceToken, NoAppend: true}); err != nil {
			return 0, 0, usageError{fmt.Errorf("--tagstring: %w", err)}
		}
	}
	pl.tag = o.Tag || o.TagString != ""
	pl.needLine = o.Verbose > 0 || o.DryRun

	src, closeInputs, err := openInputs(o, s.In)
	if err != nil {
		return 0, 0, err
	}
	defer closeInputs()
	src = batch(o, src, pl.tmpl)

	shell := env("PARALLEL_SHELL")
	if shell == "" {
		shell = "/bin/sh"
	}

	printer := &output.Printer{Out: s.Out, Err: s.Err}
	switch {
	case o.Ungroup:
		printer.Mode = output.Ungroup
	case o.LineBuffer:
		printer.Mode = output.LineBuffer
	}
	if pl.tag {
		printer.Tag = func(j *fanout.Job) []byte { return j.Data.(*jobData).tag }
	}
	if o.Verbose > 0 {
		printer.Command = func(j *fanout.Job) []byte { return j.Data.(*jobData).line }
	}
	status := &statusSink{err: s.Err}
	pool := &fanout.Pool{
		Limit:    limit,
		Ordered:  o.KeepOrder,
		TempDir:  o.TmpDir,
		Executor: &fanout.Local{Shell: shell},
		Sink:     fanout.Sinks{printer, status},
	}

	ctx, kill := context.WithCancel(context.Background())
	defer kill()
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
	prepare := func(j *fanout.Job, seq int64, slot int) error {
		d := j.Data.(*jobData)
		d.seq = seq
		pl.render(j, d, replace.Args{Values: d.values, Seq: seq, Slot: slot})
		printer.Attach(j)
		return nil
	}
	var seq int64
	for {
		values, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			pool.Wait()
			return status.failed, syscall.Signal(caught.Load()), err
		}
		seq++
		job := &fanout.Job{Data: &jobData{values: values}}
		if o.DryRun {
			d := job.Data.(*jobData)
			pl.render(job, d, replace.Args{Values: values, Seq: seq, Slot: int((seq-1)%int64(limit)) + 1})
			if _, err := s.Out.Write(append(d.line, '\n')); err != nil {
				return 0, 0, fmt.Errorf("write: %w", err)
			}
			continue
		}
		job.Prepare = prepare
		if _, err := pool.Go(ctx, job); err != nil {
			break
		}
	}
	err = pool.Wait()
	sig = syscall.Signal(caught.Load())
	if err != nil && !errors.Is(err, context.Canceled) {
		return status.failed, sig, err
	}
	return status.failed, sig, nil
}

// render fills in the job's command, and the text -v and --tag need.
func (pl *plan) render(job *fanout.Job, d *jobData, args replace.Args) {
	switch {
	case pl.tmpl == nil:
		job.Shell = strings.Join(args.Values, " ")
		if pl.needLine {
			d.line = []byte(job.Shell)
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
}

// statusSink counts failed jobs and reports jobs that could not run.
type statusSink struct {
	err    io.Writer
	failed int
}

func (st *statusSink) Receive(r *fanout.Result) error {
	if r.Success() {
		return nil
	}
	st.failed++
	if r.Err != nil {
		fmt.Fprintf(st.err, "fanout: %v\n", oneLine(r.Err))
	}
	if r.OutputErr != nil {
		fmt.Fprintf(st.err, "fanout: job %d: %v\n", r.Seq, oneLine(r.OutputErr))
	}
	return nil
}

// openInputs builds the input stream from the sources in command-line
// order; with none, standard input is read.
func openInputs(o *Options, stdin io.Reader) (input.Source, func(), error) {
	var f input.Format
	f.Null = o.Null
	if o.Delim != "" {
		d, err := input.ParseDelim(o.Delim)
		if err != nil {
			return nil, nil, usageError{err}
		}
		f.Delim = d
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
	return input.Combine(groups), closeAll, nil
}

// maxLine is the longest single argument Linux passes to a program
// (MAX_ARG_STRLEN); a shell line is one argument to sh -c.
const maxLine = 128 << 10

// batch packs several records into one job for -n, -N, -X and -m.
func batch(o *Options, src input.Source, t *replace.Template) input.Source {
	n := o.MaxArgs
	if o.MaxReplaceArgsSet {
		n = o.MaxReplaceArgs
	}
	maxBytes := 0
	if (o.Xargs || o.M) && n == 0 {
		n = 1 << 30
		maxBytes = maxLine - 4096
	}
	if n <= 1 && maxBytes == 0 {
		return src
	}
	return input.Batch(src, n, maxBytes)
}

// Stdio returns the process's own streams.
func Stdio() Streams { return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }
