package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanoutdev/fanout/internal/input"
)

// flagSpec describes one option: its names, what it sets, and its line in
// --help. The same table drives the parser and the help, so no option can
// be accepted and not documented.
type flagSpec struct {
	names []string // "-j", "--jobs": --help shows the first short and long ones, --man all
	arg   string   // the value's name in --help; "" for an option without one
	doc   string   // what it does, for --help
	topic string   // the --help section it is listed in
	set   func(o *Options, v string) error
	// own marks an option GNU parallel does not have: an abbreviation
	// that is also one of GNU parallel's options goes where it goes there.
	own bool
}

// ownFlag marks f as fanout's own (see flagSpec.own).
func ownFlag(f flagSpec) flagSpec {
	f.own = true
	return f
}

func boolFlag(names, doc string, f func(o *Options)) flagSpec {
	return flagSpec{names: strings.Fields(names), doc: doc, set: func(o *Options, _ string) error { f(o); return nil }}
}

func argFlag(names, arg, doc string, f func(o *Options, v string) error) flagSpec {
	return flagSpec{names: strings.Fields(names), arg: arg, doc: doc, set: f}
}

// section sets the --help topic of the options that follow it.
func section(topic string, specs ...flagSpec) []flagSpec {
	for i := range specs {
		specs[i].topic = topic
	}
	return specs
}

func intArg(name string, dst func(o *Options) *int) func(o *Options, v string) error {
	return func(o *Options, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s %q: not a number", name, v)
		}
		*dst(o) = n
		return nil
	}
}

// renameFlag is an option that gives one of the default replacement
// strings another name.
func renameFlag(names, of string, dst func(o *Options) *string) flagSpec {
	first := strings.Fields(names)[0]
	return argFlag(names, "STR", "use STR instead of "+of, func(o *Options, v string) error {
		if v == "" {
			return fmt.Errorf("%s needs a non-empty replacement string", first)
		}
		*dst(o) = v
		return nil
	})
}

// flags are every option fanout accepts, in the order --help lists them.
var flags = concat(
	section("Inputs",
		argFlag("-a --arg-file", "FILE", "read values from FILE (several: every combination)", func(o *Options, v string) error {
			o.Sources = append(o.Sources, SourceSpec{Kind: File, Path: v})
			return nil
		}),
		boolFlag("--link --xapply", "pair all sources, shorter ones wrapping around", func(o *Options) { o.Link = true }),
		boolFlag("-0 --null", "values end with NUL", func(o *Options) { o.Null = true }),
		argFlag("-d --delimiter", "D", `values end with D (\n, \t, \0, \xHH escapes)`, func(o *Options, v string) error { o.Delim = v; return nil }),
		argFlag("-C --colsep", "REGEX", "split each value into columns {1} {2} ...", func(o *Options, v string) error { o.Colsep = v; return nil }),
		argFlag("--trim", "n|l|r|lr", "remove blanks around values (default with --colsep: lr)", func(o *Options, v string) (err error) {
			o.Trim, err = input.ParseTrim(v)
			return err
		}),
		argFlag("-I", "STR", "use STR instead of {}", func(o *Options, v string) error {
			if v == "" {
				return errors.New("-I needs a non-empty replacement string")
			}
			o.ReplaceToken = v
			return nil
		}),
	),
	section("More replacement strings",
		boolFlag("--plus", "more replacement strings: {..} {+.} {:-x} {%re} {##} ...", func(o *Options) { o.Plus = true }),
		argFlag("--rpl", "'TAG PERL'", "TAG is a replacement string computed by PERL", func(o *Options, v string) error {
			o.Rpl = append(o.Rpl, v)
			return nil
		}),
		argFlag("--parens", "LR", "write perl expressions L...R, not {=...=}", func(o *Options, v string) error { o.Parens = v; return nil }),
		renameFlag("--er --extensionreplace", "{.}", func(o *Options) *string { return &o.ExtReplace }),
		renameFlag("--bnr --basenamereplace", "{/}", func(o *Options) *string { return &o.BasenameReplace }),
		renameFlag("--dnr --dirnamereplace", "{//}", func(o *Options) *string { return &o.DirnameReplace }),
		renameFlag("--bner --basenameextensionreplace", "{/.}", func(o *Options) *string { return &o.BasenameExtReplace }),
		renameFlag("--seqreplace", "{#}", func(o *Options) *string { return &o.SeqReplace }),
		renameFlag("--slotreplace", "{%}", func(o *Options) *string { return &o.SlotReplace }),
	),
	section("Jobs",
		argFlag("-j -P --jobs --max-procs", "N", "run N at once, or N%, +N, -N of the cores (default 100%)", func(o *Options, v string) error { o.Jobs = v; return nil }),
		argFlag("-n --max-args", "N", "up to N values per job", func(o *Options, v string) error {
			o.MaxArgsSet = true
			return intArg("-n", func(o *Options) *int { return &o.MaxArgs })(o, v)
		}),
		argFlag("-N --max-replace-args", "N", "exactly N values per job ({1}..{N}); -N0 none", func(o *Options, v string) error {
			o.MaxReplaceArgsSet = true
			return intArg("-N", func(o *Options) *int { return &o.MaxReplaceArgs })(o, v)
		}),
		boolFlag("-X", "as many values per job as fit, with the words around {}", func(o *Options) { o.Xargs = true }),
		boolFlag("-m", "as many values per job as fit", func(o *Options) { o.M = true }),
		argFlag("--timeout", "SECS|N%", "end jobs that run longer (N%: of the median runtime)", func(o *Options, v string) (err error) {
			o.Timeout, err = ParseTimeout(v)
			return err
		}),
		argFlag("--termseq --term-seq", "SEQ", "stop signals (default TERM,200,TERM,100,TERM,50,KILL,25)", func(o *Options, v string) (err error) {
			o.TermSeq, err = ParseTermSeq(v)
			return err
		}),
		argFlag("--retries", "N", "run a failing job up to N times", intArg("--retries", func(o *Options) *int { return &o.Retries })),
		argFlag("--delay", "SECS", "wait between job starts", func(o *Options, v string) (err error) {
			if o.Delay, err = ParseDuration(v); err != nil {
				return fmt.Errorf("--delay %q: %v", v, err)
			}
			return nil
		}),
		argFlag("--halt --halt-on-error", "WHEN,WHY=N", "stop early: never; now|soon,fail|success|done=N or =N%", func(o *Options, v string) (err error) {
			o.Halt, err = ParseHalt(v)
			return err
		}),
	),
	section("Output",
		boolFlag("--group", "each job's output whole when it ends (default)", func(o *Options) { o.Group = true }),
		boolFlag("--line-buffer --lb", "whole lines as jobs print them", func(o *Options) { o.LineBuffer = true }),
		boolFlag("-u --ungroup", "bytes as they come", func(o *Options) { o.Ungroup = true }),
		boolFlag("-k --keep-order", "output in input order", func(o *Options) { o.KeepOrder = true }),
		boolFlag("--tag", "put the values before each output line", func(o *Options) { o.Tag = true }),
		argFlag("--tagstring --tag-string", "STR", "put STR (with replacement strings) before output lines", func(o *Options, v string) error { o.TagString = v; return nil }),
		argFlag("--results --res", "DIR|F.json", "keep output in DIR/1/value/... or as JSON lines", func(o *Options, v string) error { o.Results = v; return nil }),
		ownFlag(argFlag("--report", "FILE.html", "draw the run in FILE.html, updated while it runs", func(o *Options, v string) error {
			if v == "" {
				return errors.New("--report needs a file name, such as run.html")
			}
			o.Report = v
			return nil
		})),
		argFlag("--tmpdir --tempdir", "DIR", "where large output waits (default $TMPDIR)", func(o *Options, v string) error { o.TmpDir = v; return nil }),
		boolFlag("-v", "print each command before its output", func(o *Options) { o.Verbose++ }),
		boolFlag("--dry-run --dryrun", "print the commands instead of running them", func(o *Options) { o.DryRun = true }),
	),
	section("Progress (on standard error, if a terminal)",
		boolFlag("--bar", "a bar: % done, done:left=time left, the newest values", func(o *Options) { o.Bar = true }),
		boolFlag("--eta", "the seconds left, before --progress's line", func(o *Options) { o.ETA = true }),
		boolFlag("--progress", "running and completed jobs, redrawn as they change", func(o *Options) { o.Progress = true }),
		argFlag("--total-jobs --total", "N", "the number of jobs, for --bar and --eta", func(o *Options, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("--total-jobs %q: not a number of jobs; give a whole number, 0 for unknown", v)
			}
			o.TotalJobs = n
			return nil
		}),
	),
	section("Job log and resuming",
		argFlag("--joblog --jl", "FILE", "log each finished job; +FILE appends, - is stdout", func(o *Options, v string) error { o.JobLog = v; return nil }),
		boolFlag("--resume", "skip jobs the job log has", func(o *Options) { o.Resume = true }),
		boolFlag("--resume-failed", "skip jobs logged as succeeded; rerun failed ones", func(o *Options) { o.ResumeFailed = true }),
		boolFlag("--retry-failed", "rerun the failed jobs of the job log, ignoring the input", func(o *Options) { o.RetryFailed = true }),
	),
	section("Defaults",
		argFlag("-J --profile", "NAME", "read ~/.parallel/NAME instead of ~/.parallel/config", func(o *Options, v string) error {
			o.Profiles = append(o.Profiles, v)
			return nil
		}),
		boolFlag("--plain", "read no profile and no $PARALLEL", func(o *Options) { o.Plain = true }),
	),
	section("Other",
		boolFlag("-V --version", "print the version", func(o *Options) { o.Version = true }),
		boolFlag("-h --help", "print this help", func(o *Options) { o.Help = true }),
		boolFlag("--man", "print the manual page (roff)", func(o *Options) { o.Man = true }),
		argFlag("--completion --shell-completion", "SHELL", "print completions for bash, zsh, fish or auto", func(o *Options, v string) error {
			o.Completion = v
			return nil
		}),
		// Accepted so that scripts written for GNU parallel run unchanged;
		// fanout prints no notice to silence.
		boolFlag("--will-cite --no-notice", "accepted for GNU parallel's sake; does nothing", func(o *Options) {}),
		boolFlag("--gnu", "accepted for GNU parallel's sake; does nothing", func(o *Options) {}),
	),
)

func concat(sections ...[]flagSpec) []flagSpec {
	var all []flagSpec
	for _, s := range sections {
		all = append(all, s...)
	}
	return all
}
