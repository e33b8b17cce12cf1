package cli

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

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
	// optional, if set, makes the value optional (-i, -e, -l): the next
	// word is the value when optional accepts it, as GNU parallel's
	// option parser decides, else the option is set with "".
	optional func(next string) bool
	// own marks an option GNU parallel does not have: an abbreviation
	// that is also one of GNU parallel's options goes where it goes there.
	own bool
}

func optFlag(names, arg, doc string, takes func(string) bool, f func(o *Options, v string) error) flagSpec {
	return flagSpec{names: strings.Fields(names), arg: arg, doc: doc, set: f, optional: takes}
}

// notOption accepts a word that does not look like an option, for an
// optional string value.
func notOption(w string) bool { return !strings.HasPrefix(w, "-") || w == "-" }

// isNumber accepts a word that looks like a number, for an optional
// number value: "-l 3" but "-l echo"; "-0" is a number too.
func isNumber(w string) bool {
	_, err := strconv.ParseFloat(w, 64)
	return err == nil && !strings.ContainsAny(w, "xXpPnNiI_")
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

// countArg parses a count as GNU parallel does for -n, -N, -L, -l and -s:
// a number with an optional unit, k m g t p e for powers of 1000, K M G T
// P E (or ki, Ki, mi, ...) for powers of 1024; a fraction rounds up, as
// GNU parallel compares the count with >=.
func countArg(name string, dst func(o *Options) *int) func(o *Options, v string) error {
	return func(o *Options, v string) error {
		n, err := ParseCount(v)
		if err != nil {
			return fmt.Errorf("%s %q: %v", name, v, err)
		}
		*dst(o) = n
		return nil
	}
}

// ParseCount parses a count with GNU parallel's units (see countArg).
func ParseCount(s string) (int, error) {
	num := strings.TrimRightFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
	unit := s[len(num):]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || num == "" || strings.ContainsAny(num, "+-eE") {
		return 0, errors.New("not a number")
	}
	mult := 1.0
	if unit != "" {
		const units = "kmgtpe"
		i := strings.IndexByte(units, unit[0]|0x20)
		binary := unit[0] < 'a' || len(unit) == 2 && unit[1]|0x20 == 'i'
		if i < 0 || len(unit) > 2 || len(unit) == 2 && unit[1]|0x20 != 'i' {
			return 0, fmt.Errorf("unknown unit %q (use k, M, Ki, ...)", unit)
		}
		for ; i >= 0; i-- {
			if binary {
				mult *= 1024
			} else {
				mult *= 1000
			}
		}
	}
	v = math.Ceil(v * mult)
	if v > math.MaxInt32 {
		return math.MaxInt32, nil
	}
	return int(v), nil
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
		argFlag("-d --delimiter", "D", `values end with D, one or more bytes (\n \t \0 \NNN)`, func(o *Options, v string) error { o.Delim = v; return nil }),
		argFlag("-C --colsep", "REGEX", "split each value into columns {1} {2} ...", func(o *Options, v string) error { o.Colsep = v; return nil }),
		argFlag("--trim", "n|l|r|lr", "remove blanks around values (default with --colsep: lr)", func(o *Options, v string) (err error) {
			o.Trim, err = input.ParseTrim(v)
			return err
		}),
		boolFlag("--csv", "values are CSV, --colsep (default ,) between fields", func(o *Options) { o.CSV = true }),
		boolFlag("--skip-first-line --skipfirstline", "leave out the first line of the first input", func(o *Options) { o.SkipFirstLine = true }),
		boolFlag("--shuf", "read all values, then run the jobs in a random order", func(o *Options) { o.Shuf = true }),
		argFlag("-I", "STR", "use STR instead of {}", func(o *Options, v string) error {
			if v == "" {
				return errors.New("-I needs a non-empty replacement string")
			}
			o.ReplaceToken = v
			return nil
		}),
		optFlag("-i --replace", "[STR]", "use STR instead of {}; alone, {} (as -I)", notOption, func(o *Options, v string) error {
			if v != "" {
				o.ReplaceToken = v
			}
			return nil
		}),
		optFlag("-e --eof", "[STR]", "STR ends each input; alone, no end string", notOption, func(o *Options, v string) error { o.EOF = v; return nil }),
		argFlag("-E", "STR", "a value STR ends its input (each input, ::: too)", func(o *Options, v string) error { o.EOF = v; return nil }),
		boolFlag("-r --no-run-if-empty", "skip values that are empty or all blanks", func(o *Options) { o.NoRunIfEmpty = true }),
		argFlag("--arg-sep", "SEP", "SEP instead of ::: before values", func(o *Options, v string) error { o.ArgSep = v; return nil }),
		argFlag("--arg-file-sep", "SEP", "SEP instead of :::: before files", func(o *Options, v string) error { o.ArgFileSep = v; return nil }),
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
			return countArg("-n", func(o *Options) *int { return &o.MaxArgs })(o, v)
		}),
		argFlag("-N --max-replace-args", "N", "N values per job ({1}..{N}), -X's way; -N0 none", func(o *Options, v string) error {
			o.MaxReplaceArgsSet = true
			return countArg("-N", func(o *Options) *int { return &o.MaxReplaceArgs })(o, v)
		}),
		argFlag("-L", "N", "N lines per job, -X's way; a blank at the end goes on", func(o *Options, v string) error {
			o.MaxLinesSet, o.ContextLines = true, true
			return countArg("-L", func(o *Options) *int { return &o.MaxLines })(o, v)
		}),
		optFlag("-l --max-lines", "[N]", "N lines per job (alone: 1); a blank at the end goes on", isNumber, func(o *Options, v string) error {
			o.MaxLinesSet, o.ContextLines = true, false
			switch v {
			case "", "0":
				o.MaxLines = 1
				return nil
			case "-0": // GNU parallel reads -l -0 as -l with -0
				o.MaxLines, o.Null = 1, true
				return nil
			}
			return countArg("-l", func(o *Options) *int { return &o.MaxLines })(o, v)
		}),
		boolFlag("-X", "as many values per job as fit, with the words around {}", func(o *Options) { o.Xargs = true }),
		boolFlag("-m", "as many values per job as fit", func(o *Options) { o.M = true }),
		boolFlag("--xargs", "as many values per job as fit, -m's way, unspread", func(o *Options) { o.XargsMode = true }),
		argFlag("-s --max-chars", "N", "lines shorter than N bytes (at most: --show-limits)", countArg("-s", func(o *Options) *int { return &o.MaxChars })),
		boolFlag("-x --exit", "accepted: a line too long always stops the run", func(o *Options) { o.Exit = true }),
		boolFlag("--show-limits", "print the line length limits, then run", func(o *Options) { o.ShowLimits = true }),
		boolFlag("--max-line-length-allowed", "print the longest line the system runs", func(o *Options) { o.MaxLineLength = true }),
		boolFlag("-q --quote", "quote each word of the command: no shell syntax in it", func(o *Options) { o.Quote = true }),
		argFlag("--process-slot-var", "NAME", "set $NAME to the job slot minus one", func(o *Options, v string) error {
			if v == "" || strings.ContainsAny(v, "= \t\n") {
				return fmt.Errorf("--process-slot-var %q: not a variable name", v)
			}
			o.ProcessSlotVar = v
			return nil
		}),
		argFlag("--timeout", "SECS|N%", "end jobs that run longer (N%: of the median runtime)", func(o *Options, v string) (err error) {
			o.Timeout, err = ParseTimeout(v)
			return err
		}),
		argFlag("--termseq --term-seq", "SEQ", "stop signals (default TERM,200,TERM,100,TERM,50,KILL,25)", func(o *Options, v string) (err error) {
			o.TermSeq, err = ParseTermSeq(v)
			return err
		}),
		argFlag("--retries", "N", "run a failing job up to N times (0: ever; {1}: per job)", func(o *Options, v string) error {
			o.RetriesTmpl = ""
			if strings.Contains(v, "{") {
				// Rendered for each job, as in GNU parallel: --retries {2}.
				o.RetriesTmpl, o.Retries = v, 0
				return nil
			}
			if err := intArg("--retries", func(o *Options) *int { return &o.Retries })(o, v); err != nil {
				return err
			}
			if o.Retries == 0 {
				o.Retries = retriesForever
			}
			return nil
		}),
		argFlag("--delay", "SECS[auto]", "wait between job starts; auto: adapt it to failures", func(o *Options, v string) (err error) {
			o.Delay, o.DelayAuto, err = ParseDelay(v)
			return err
		}),
		argFlag("--halt --halt-on-error", "WHEN,WHY=N", "stop early: never; now|soon,fail|success|done=N or =N%", func(o *Options, v string) (err error) {
			o.Halt, err = ParseHalt(v)
			return err
		}),
		argFlag("--nice", "N", "run the jobs at niceness N (fanout too)", func(o *Options, v string) (err error) {
			o.Nice, err = ParseNice(v)
			o.NiceSet = true
			return err
		}),
		argFlag("--load", "MAX", "start no job at a load of MAX or more (N, N%, +N, -N)", func(o *Options, v string) error {
			if _, err := ParseLoad(v, 1); err != nil {
				return err
			}
			o.Load = v
			return nil
		}),
		argFlag("--memfree", "SIZE", "start no job with less than SIZE free (K M G, k m g)", func(o *Options, v string) (err error) {
			o.MemFree, err = ParseSize("--memfree", v)
			return err
		}),
		argFlag("--memsuspend", "SIZE", "stop young jobs while less than twice SIZE is free", func(o *Options, v string) (err error) {
			o.MemSuspend, err = ParseSize("--memsuspend", v)
			return err
		}),
		argFlag("--limit", "CMD", "start a job if CMD exits 0; 1: wait; 2: end the newest", func(o *Options, v string) error {
			o.Limit = v
			return nil
		}),
		boolFlag("--noswap", "start no job while the machine swaps both in and out", func(o *Options) { o.NoSwap = true }),
		argFlag("--env", "NAME", "pass variable or exported function NAME (_: all)", func(o *Options, v string) error {
			for _, n := range strings.Split(v, ",") {
				if n != "" {
					o.Env = append(o.Env, n)
				}
			}
			return nil
		}),
		boolFlag("--record-env --recordenv", "write the variables set now to ignored_vars, and exit", func(o *Options) { o.RecordEnv = true }),
		argFlag("--workdir --work-dir --wd", "DIR", "run jobs in DIR (a template); ...: a new temporary one", func(o *Options, v string) error {
			if v == "" {
				return errors.New("--workdir needs a directory, such as . or ...")
			}
			o.WorkDir = v
			return nil
		}),
		argFlag("--filter", "PERL", "run only the jobs for which PERL (filled in) is true", func(o *Options, v string) error {
			o.Filter = append(o.Filter, v)
			return nil
		}),
		argFlag("--template --tmpl", "FILE=NAME", "write FILE, its replacement strings filled, to NAME", func(o *Options, v string) error {
			src, name, ok := strings.Cut(v, "=")
			if !ok || src == "" || name == "" {
				return fmt.Errorf("--template %q: give the template file and the name to write it to, as FILE=NAME", v)
			}
			o.Templates = slices.DeleteFunc(o.Templates, func(t TemplateFile) bool { return t.Source == src })
			o.Templates = append(o.Templates, TemplateFile{Source: src, Name: name})
			return nil
		}),
	),
	section("Output",
		boolFlag("--group", "each job's output whole when it ends (default)", func(o *Options) { o.Group = true }),
		boolFlag("--line-buffer --lb", "whole lines as jobs print them", func(o *Options) { o.LineBuffer = true }),
		boolFlag("-u --ungroup", "bytes as they come", func(o *Options) { o.Ungroup = true }),
		boolFlag("-k --keep-order", "output in input order", func(o *Options) { o.KeepOrder = true }),
		boolFlag("--tag", "put the values before each output line", func(o *Options) { o.Tag = true }),
		argFlag("--tagstring --tag-string", "STR", "put STR (with replacement strings) before output lines", func(o *Options, v string) error { o.TagString = v; return nil }),
		boolFlag("--ctag", "--tag in colour", func(o *Options) { o.Tag, o.Color = true, true }),
		argFlag("--ctagstring", "STR", "--tagstring in colour", func(o *Options, v string) error {
			o.TagString, o.Color = v, true
			return nil
		}),
		boolFlag("--color --colour", "each job's lines in a colour of their own", func(o *Options) { o.Color = true }),
		boolFlag("--color-failed --colour-failed --colorfailed --colourfailed --color-fail --colour-fail --colorfail --colourfail --cf",
			"failed jobs' lines white on red", func(o *Options) { o.ColorFailed = true }),
		boolFlag("--files --output-as-files --outputasfiles", "output to temporary files; print their names", func(o *Options) { o.Files = true }),
		argFlag("--results --res", "DIR|F.csv", "keep output in DIR/1/value/..., files per job, a table", func(o *Options, v string) error { o.Results = v; return nil }),
		ownFlag(argFlag("--report", "FILE.html", "draw the run in FILE.html, updated while it runs", func(o *Options, v string) error {
			if v == "" {
				return errors.New("--report needs a file name, such as run.html")
			}
			o.Report = v
			return nil
		})),
		argFlag("--tmpdir --tempdir", "DIR", "where large output waits (default $TMPDIR)", func(o *Options, v string) error { o.TmpDir = v; return nil }),
		boolFlag("--compress", "compress output waiting on disk (pzstd, zstd, gzip...)", func(o *Options) { o.Compress = true }),
		argFlag("--compress-program --use-compress-program --usecompressprogram --compressprogram", "CMD", "compress output waiting on disk with CMD", func(o *Options, v string) error { o.CompressProgram = v; return nil }),
		argFlag("--decompress-program --use-decompress-program --usedecompressprogram --decompressprogram", "CMD", "decompress it with CMD (default: CMD -dc)", func(o *Options, v string) error { o.DecompressProgram = v; return nil }),
		boolFlag("-v", "print each command before its output", func(o *Options) { o.Verbose++ }),
		boolFlag("-t --verbose", "print each command on standard error as it starts", func(o *Options) { o.StderrVerbose = true }),
		boolFlag("--dry-run --dryrun", "print the commands instead of running them", func(o *Options) { o.DryRun = true }),
		boolFlag("--shell-quote --shellquote --shell_quote", "print each command quoted for the shell (twice: twice)", func(o *Options) { o.ShellQuote++ }),
		boolFlag("--silent", "print no command, whatever -v says (the default)", func(o *Options) { o.Silent = true }),
	),
	section("Blocks of input (--pipe)",
		boolFlag("--pipe --spreadstdin", "cut stdin into blocks of records, one to each job", func(o *Options) { o.Pipe.Stdin = true }),
		boolFlag("--pipepart --pipe-part", "cut the -a file into blocks by seeking, read by each job", func(o *Options) { o.Pipe.Part = true }),
		argFlag("--block --block-size --blocksize", "SIZE", "bytes per block (default 1M); -N: N blocks per job slot", func(o *Options, v string) error { o.Pipe.Block = v; return nil }),
		argFlag("--recend", "STR", `a record ends with STR (default \n; "" none)`, func(o *Options, v string) error { o.Pipe.RecEnd = &v; return nil }),
		argFlag("--recstart", "STR", "a record starts with STR", func(o *Options, v string) error { o.Pipe.RecStart = &v; return nil }),
		boolFlag("--regexp", "--recend and --recstart are regular expressions", func(o *Options) { o.Pipe.Regexp = true }),
		boolFlag("--rrs --remove-rec-sep --removerecsep", "remove --recend and --recstart from the records", func(o *Options) { o.Pipe.RemoveSep = true }),
		argFlag("--header", "N|REGEX|:", "first lines name columns {name}; --pipe: start blocks", func(o *Options, v string) error {
			o.Pipe.Header, o.Pipe.HeaderSet = v, true
			return nil
		}),
		boolFlag("--round-robin --round", "one job per slot; blocks go to whichever is ready", func(o *Options) { o.Pipe.RoundRobin = true }),
		boolFlag("--cat", "give each block as a temporary file named by {}", func(o *Options) { o.Pipe.Cat = true }),
		boolFlag("--fifo", "give each block through a named pipe named by {}", func(o *Options) { o.Pipe.Fifo = true }),
		boolFlag("--tee", "all of the input to every job, one per value of :::", func(o *Options) { o.Pipe.Tee = true }),
		argFlag("--group-by --groupby", "COL|PERL", "lines with the same key (column or perl) in one block", func(o *Options, v string) error {
			if v == "" {
				return errors.New("--group-by needs a column, such as --group-by 1, or a perl expression")
			}
			o.Pipe.GroupBy = v
			return nil
		}),
		argFlag("--block-timeout --blocktimeout --bt", "SECS", "pass on a partial block when no input comes for SECS", func(o *Options, v string) error {
			d, err := ParseDuration(v)
			// Whole seconds, as GNU parallel's alarm takes them.
			if d = d.Truncate(time.Second); err != nil || d < time.Second {
				return fmt.Errorf("--block-timeout %q: give at least 1 second, such as --block-timeout 10 or 1m", v)
			}
			o.Pipe.BlockTimeout = d
			return nil
		}),
		argFlag("--shard", "COL|PERL", "a job per slot; each line to the job its key hashes to", func(o *Options, v string) error {
			if v == "" {
				return errors.New("--shard needs a column, such as --shard 1, or a perl expression")
			}
			o.Pipe.Shard = v
			return nil
		}),
		argFlag("--bin", "COL|PERL", "a job per slot; each line to job number key mod slots", func(o *Options, v string) error {
			if v == "" {
				return errors.New("--bin needs a column, such as --bin 1, or a perl expression")
			}
			o.Pipe.Bin = v
			return nil
		}),
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
		boolFlag("--check-joblog", "resume only from a log this command line wrote", func(o *Options) { o.CheckJobLog = true }),
	),
	section("Defaults",
		argFlag("-J --profile", "NAME", "read ~/.parallel/NAME instead of ~/.parallel/config", func(o *Options, v string) error {
			o.Profiles = append(o.Profiles, v)
			return nil
		}),
		boolFlag("--plain", "read no profile and no $PARALLEL", func(o *Options) { o.Plain = true }),
	),
	section("Semaphore (sem)",
		boolFlag("--semaphore", "run it holding one of -j slots (default 1) of --id", func(o *Options) { o.Semaphore = true }),
		argFlag("--id --semaphore-name --semaphorename", "NAME", "the semaphore's name (default: the terminal's)", func(o *Options, v string) error {
			o.SemID, o.Semaphore = v, true
			return nil
		}),
		boolFlag("--fg", "run in the foreground and exit as the command did", func(o *Options) { o.Fg, o.Semaphore = true, true }),
		boolFlag("--bg", "run in the background once a slot is held (default)", func(o *Options) { o.Bg, o.Semaphore = true, true }),
		boolFlag("--wait", "wait until no job holds the semaphore", func(o *Options) { o.Wait, o.Semaphore = true, true }),
		argFlag("--semaphore-timeout --semaphoretimeout --st", "SECS", "after SECS take a slot anyway; -SECS: give up", func(o *Options, v string) (err error) {
			o.SemTimeout, err = ParseSemTimeout(v)
			o.Semaphore = true
			return err
		}),
	),
	section("Other",
		boolFlag("-V --version", "print the version", func(o *Options) { o.Version = true }),
		argFlag("--minversion --min-version", "VERSION", "print the GNU parallel version followed; fail if older", func(o *Options, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("--minversion %q: not a whole number; give a version such as %s", v, GNUVersion)
			}
			o.MinVersion, o.MinVersionSet = n, true
			return nil
		}),
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
		boolFlag("--citation --bibtex", "say what to cite", func(o *Options) { o.Citation = true }),
	),
)

func concat(sections ...[]flagSpec) []flagSpec {
	var all []flagSpec
	for _, s := range sections {
		all = append(all, s...)
	}
	return all
}
