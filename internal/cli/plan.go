package cli

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/joblog"
	"github.com/fanoutdev/fanout/internal/pipe"
	"github.com/fanoutdev/fanout/internal/replace"
)

// jobData is what the command layer keeps with each job for the sinks.
type jobData struct {
	values []string
	seq    int64  // the input's position, stable across resumed runs
	line   []byte // the command as a shell reads it (-v, the job log)
	tag    []byte
	// skipped says a replacement string skipped the job ({choose_k},
	// skip() in perl): it runs as true and counts as exit status -2, as
	// in GNU parallel.
	skipped bool
	// verbatim says line is the command itself, run as it is (a failed
	// command of a job log, for --retry-failed), not rendered from values.
	verbatim bool
	// notice is what --halt has to say of the job, printed after its
	// output (see halter).
	notice *haltNotice

	// In block mode (--pipe): the job's block, until the job is over; what
	// writes its stdin; the named pipe it reads (--fifo); a file to remove
	// once it is over (--cat, --fifo); the bytes it was sent; and what to
	// tell once it is over (--round-robin's dealer).
	block  *pipe.Block
	feed   func(w *os.File) error
	fifo   string
	remove string
	sent   int64
	over   func()

	// results is the job's --results name, when that is a template;
	// workTemp is its --workdir ... directory, removed once it is over.
	results  []byte
	workTemp string
}

func dataOf(j *fanout.Job) *jobData { return j.Data.(*jobData) }

// plan is the options turned into the parts that run.
type plan struct {
	tmpl     *replace.Template // nil: each input line is the command
	tagTmpl  *replace.Template
	tag      bool
	shell    bool
	noValues bool              // -N0: the values are read but not used
	lineTmpl *replace.Template // what the line is measured with: tmpl, or the values alone
	needLine bool
	// exprs are the templates' perl expressions, which perl evaluates;
	// eval says a job needs Evaluate before it renders.
	exprs     *replace.Exprs
	perl      replace.Evaluator
	eval      bool
	needTotal bool  // {##} and the like: all input is read first
	total     int64 // the number of jobs, once read
	slots     int   // the job slots, for {0%}
	timeout   time.Duration
	median    *medianTracker // for --timeout N%
	pct       float64
	// resTmpl is --results when its name has replacement strings (a file
	// per job); wdTmpl is --workdir's; files are --template's.
	resTmpl *replace.Template
	wdTmpl  *replace.Template
	files   []fileTmpl
	// filters are --filter's templates, and filterCheck the perl
	// expression that evaluates them (filter.go).
	filters     []*replace.Template
	filterCheck *replace.Template
	wdTemp      bool // --workdir ...: a new directory for each job
	dirs        jobDirs
	all         []*replace.Template // templates(), for Evaluate, listed once
	// columns are --header's name of each column, for --results; ""
	// where a column has none.
	columns []string
	// retries is --retries with replacement strings: each job's count.
	retries *replace.Template
	// shellQuote is how many times --shellquote quotes the command that
	// each job prints instead of running it.
	shellQuote int
	// envPrefix, for --env with exported functions, is put before each
	// shell line (env.go); the job log and -v show the line without it.
	envPrefix string
}

// makePlan compiles the templates and parses the values of the options.
func makePlan(o *Options, env func(string) string) (*plan, error) {
	pl := &plan{exprs: &replace.Exprs{}}
	ropt := replaceOptions(o, pl.exprs)
	ropt.QuoteWords = o.Quote
	switch {
	case o.M || o.XargsMode:
		ropt.Context = 'm'
	case o.Xargs, o.MaxReplaceArgsSet, o.MaxLinesSet && o.ContextLines:
		// -N and -L repeat the word around {} as -X does, unless -m or
		// --xargs say otherwise, as in GNU parallel.
		ropt.Context = 'X'
	}
	// -N0, or -n0 without -N, or -L 0 without either, runs one job per
	// record with none of its values on the command line.
	switch {
	case o.MaxReplaceArgsSet:
		pl.noValues = o.MaxReplaceArgs == 0
	case o.MaxArgsSet:
		pl.noValues = o.MaxArgs == 0
	case o.MaxLinesSet:
		pl.noValues = o.MaxLines == 0
	}
	ropt.NoAppend = pl.noValues
	if o.Pipe.On() {
		ropt.NoAppend = true // in block mode values go only where {} asks
	}
	var err error
	if len(o.Command) > 0 {
		if pl.tmpl, err = replace.Parse(o.Command, ropt); err != nil {
			return nil, usageError{fmt.Errorf("command template: %w", err)}
		}
		pl.shell = pl.tmpl.NeedsShell() || needsShellFor(pl.tmpl.Program(), env)
	}
	pl.lineTmpl = pl.tmpl
	if pl.lineTmpl == nil {
		// Without a command each input is one: its values joined, unquoted.
		pl.lineTmpl, _ = replace.Parse(nil, replace.Options{})
	}
	if o.TagString != "" {
		topt := replaceOptions(o, pl.exprs)
		topt.NoAppend = true
		if pl.tagTmpl, err = replace.Parse([]string{o.TagString}, topt); err != nil {
			return nil, usageError{fmt.Errorf("--tagstring: %w", err)}
		}
	}
	if o.RetriesTmpl != "" {
		topt := replaceOptions(o, pl.exprs)
		topt.NoAppend = true
		if pl.retries, err = replace.Parse([]string{o.RetriesTmpl}, topt); err != nil {
			return nil, usageError{fmt.Errorf("--retries: %w", err)}
		}
	}
	pl.shellQuote = o.ShellQuote
	if err := pl.parseJobFiles(o, env); err != nil {
		return nil, err
	}
	if err := pl.parseFilters(o); err != nil {
		return nil, err
	}
	pl.all = pl.templates()
	for _, t := range pl.all {
		if t != nil {
			pl.eval = pl.eval || t.NeedsEval()
			pl.needTotal = pl.needTotal || t.UsesTotal()
		}
	}
	pl.tag = o.Tag || o.TagString != ""
	pl.needLine = o.Verbose > 0 || o.StderrVerbose || o.DryRun || o.JobLog != "" || o.Results != "" || o.Halt.When != HaltNever || o.Timeout != Timeout{} || o.Report != "" || o.ShellQuote > 0
	pl.timeout, pl.pct = o.Timeout.Fixed, o.Timeout.Percent
	if pl.pct > 0 {
		pl.median = &medianTracker{}
	}
	return pl, nil
}

// replaceOptions are the options that say which replacement strings a
// template has; exprs collects the perl expressions of all templates.
func replaceOptions(o *Options, exprs *replace.Exprs) replace.Options {
	return replace.Options{Token: o.ReplaceToken, Plus: o.Plus, Rpl: o.Rpl, Parens: o.Parens, Exprs: exprs,
		ExtToken: o.ExtReplace, BaseToken: o.BasenameReplace, DirToken: o.DirnameReplace,
		BaseExtToken: o.BasenameExtReplace, SeqToken: o.SeqReplace, SlotToken: o.SlotReplace}
}

// meter measures the lines of this plan's jobs, for the line length limit.
func (pl *plan) meter(slots int) input.Meter {
	m := pl.lineTmpl.Meter()
	m.SlotLen = len(strconv.Itoa(slots))
	return &lineMeter{m: m, noValues: pl.noValues}
}

// lineMeter is a replace.Meter as the packer sees it.
type lineMeter struct {
	m        *replace.Meter
	noValues bool
	seq      int64
}

func (l *lineMeter) Reset(seq int64) { l.seq = seq; l.m.Reset() }
func (l *lineMeter) Undo()           { l.m.Undo() }
func (l *lineMeter) Add(line []string, n int) int {
	if l.noValues {
		return l.m.Len(nil, l.seq)
	}
	l.m.Add(line[len(line)-n:])
	return l.m.Len(line, l.seq)
}

// sameCommand refuses to resume from a log that another command line
// wrote (--check-joblog): skipping its jobs would skip work that was never
// done.
func (pl *plan) sameCommand(path string, e *joblog.Entry, d *jobData) error {
	if pl.tmpl == nil || pl.tmpl.UsesSlot() || pl.eval {
		// The line is known only as the job runs.
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
	return fmt.Errorf("joblog %s: job %d was %q, this command line gives %q: the log belongs to another command line; use another --joblog, remove it, or resume without --check-joblog", path, d.seq, e.Command, line)
}

// render fills in the job's command, and the text -v, --tag and the job
// log need. It fails only when a perl expression does.
func (pl *plan) render(job *fanout.Job, d *jobData, args replace.Args) error {
	if d.verbatim {
		job.Shell = pl.envPrefix + string(d.line)
		pl.setTimeout(job)
		return nil
	}
	if pl.noValues {
		args.Values = nil
	}
	args.Total, args.Slots = pl.total, pl.slots
	if pl.eval {
		skip, err := replace.Evaluate(pl.perl, &args, pl.all...)
		if err != nil {
			return fatalError{err}
		}
		d.skipped = skip
	}
	if pl.filterCheck != nil && !d.skipped {
		ok, err := pl.passes(&args)
		if err != nil {
			return fatalError{err}
		}
		d.skipped = !ok // it runs as true and counts as -2, as in GNU parallel
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
	if pl.envPrefix != "" && job.Shell != "" {
		job.Shell = pl.envPrefix + job.Shell
	}
	if pl.tag {
		if pl.tagTmpl != nil {
			d.tag = pl.tagTmpl.AppendPlain(d.tag[:0], args)
		} else {
			d.tag = append(d.tag[:0], strings.Join(args.Values, " ")...)
		}
	}
	pl.setTimeout(job)
	if pl.retries != nil {
		if err := pl.setAttempts(job, d, args); err != nil {
			return err
		}
	}
	if pl.shellQuote > 0 {
		pl.quoteCommand(job, d.line)
	}
	if err := pl.renderJobFiles(job, d, args); err != nil {
		return err
	}
	if d.skipped {
		job.Args, job.Shell = nil, "true"
	}
	return nil
}

// setAttempts renders --retries for the job: 0 is for ever, as for a
// number given outright.
func (pl *plan) setAttempts(job *fanout.Job, d *jobData, args replace.Args) error {
	s := string(pl.retries.AppendPlain(nil, args))
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return fmt.Errorf("job %d: --retries gave %q, not a number of tries", d.seq, s)
	}
	if n == 0 {
		n = retriesForever
	}
	job.Attempts = n
	return nil
}

// quoteCommand makes the job print its command line quoted for the shell,
// once for each --shellquote, instead of running it, as GNU parallel does;
// -v, --dry-run and the job log show the command line itself.
func (pl *plan) quoteCommand(job *fanout.Job, line []byte) {
	for range pl.shellQuote {
		line = replace.AppendQuote(nil, string(line))
	}
	job.Args, job.Shell = []string{"printf", `%s\n`, string(line)}, ""
}

// fatalError is a job's error that ends the run, as a perl expression
// that dies ends GNU parallel's.
type fatalError struct{ error }

func (e fatalError) Unwrap() error { return e.error }

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

// needsShellFor reports whether a program named on the command line must
// run through the shell although the line has no shell syntax: it is a
// function exported from the shell (export -f), or no program of that name
// is found, so that the shell says so in its own words (and exit status
// 127), as under GNU parallel.
func needsShellFor(program string, env func(string) string) bool {
	if program == "" || strings.Contains(program, "/") {
		return false
	}
	if exportedFunction(program, env) {
		return true
	}
	_, err := exec.LookPath(program)
	return err != nil
}
