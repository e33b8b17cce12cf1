package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/input"
)

// SourceKind tells an argument list from a file.
type SourceKind int

const (
	// ArgsList is a ::: list.
	ArgsList SourceKind = iota
	// File is a :::: or -a file; "-" is standard input.
	File
)

// SourceSpec is one input source as given on the command line.
type SourceSpec struct {
	Kind   SourceKind
	Values []string // for ArgsList
	Path   string   // for File
	Linked bool     // :::+ or ::::+: paired with the previous source
}

// Options is the command line, parsed. Zero values mean GNU parallel's
// defaults.
type Options struct {
	Command []string     // the command words; empty: each input is a command
	Sources []SourceSpec // in command-line order; none: standard input

	Jobs              string // -j as given: N, N%, +N, -N; empty: one per core
	MaxArgs           int    // -n
	MaxReplaceArgs    int    // -N
	MaxReplaceArgsSet bool   // -N was given (-N0 differs from no -N)
	MaxArgsSet        bool   // -n was given (-n0 differs from no -n)
	Xargs             bool   // -X
	M                 bool   // -m
	XargsMode         bool   // --xargs: as many as fit, -m's way, not spread
	MaxChars          int    // -s; zero: GNU parallel's limit
	MaxLines          int    // -L, -l: records per job, a line ending in a blank continued
	MaxLinesSet       bool   // -L or -l was given (-L 0 differs from none)
	ContextLines      bool   // -L (not -l): -X's context replace
	Exit              bool   // -x: accepted; a line too long always stops the run
	Quote             bool   // -q
	EOF               string // -E, -e; empty: none
	NoRunIfEmpty      bool   // -r
	ProcessSlotVar    string // --process-slot-var
	ArgSep            string // --arg-sep; empty: :::
	ArgFileSep        string // --arg-file-sep; empty: ::::
	ShowLimits        bool   // --show-limits
	MaxLineLength     bool   // --max-line-length-allowed

	Null   bool       // -0
	Delim  string     // -d, escapes unparsed
	Colsep string     // --colsep
	Trim   input.Trim // --trim; zero: GNU parallel's default
	Link   bool       // --link

	CSV           bool // --csv: records are CSV, --colsep (or a comma) between fields
	Shuf          bool // --shuf: all records read, then run in a random order
	SkipFirstLine bool // --skip-first-line: the first source's first line is not used
	ShellQuote    int  // --shellquote, once for each: print the command quoted, run nothing

	ReplaceToken string // -I

	// More replacement strings: --plus, --rpl and --parens, and the
	// options that rename {.} {/} {//} {/.} {#} {%} (empty: unchanged).
	Plus                                                                                     bool
	Rpl                                                                                      []string
	Parens                                                                                   string
	ExtReplace, BasenameReplace, DirnameReplace, BasenameExtReplace, SeqReplace, SlotReplace string

	Group, LineBuffer, Ungroup bool
	KeepOrder                  bool
	Tag                        bool
	TagString                  string

	DryRun        bool
	Verbose       int  // -v: each command on standard output
	StderrVerbose bool // -t, --verbose: each command on standard error as it starts
	Version       bool
	Help          bool

	JobLog                            string
	Resume, ResumeFailed, RetryFailed bool
	Retries                           int
	RetriesTmpl                       string            // --retries with replacement strings: rendered for each job
	Timeout                           Timeout           // --timeout; zero: none
	TermSeq                           []fanout.TermStep // --termseq; nil: GNU parallel's
	Delay                             time.Duration     // --delay between job starts
	Halt                              Halt              // --halt; zero: never
	Results                           string
	TmpDir                            string
	Report                            string // --report FILE.html

	// CheckJobLog (--check-joblog) refuses to resume from a job log whose
	// commands this command line would not give; false matches jobs by
	// sequence number alone, as GNU parallel does.
	CheckJobLog bool

	Bar, ETA, Progress bool  // --bar, --eta, --progress
	TotalJobs          int64 // --total-jobs; zero: counted from the input

	Profiles   []string // -J, on the command line: read instead of the config files
	Plain      bool     // --plain: no profile, no $PARALLEL
	Warnings   []string // what the defaults leave to be said, one line each
	Man        bool     // --man
	Completion string   // --completion: the shell to print completions for

	// Running jobs on this machine (running.go, admission.go, sem.go).
	DelayAuto   bool     // --delay Nauto: adapt the delay to failures
	Env         []string // --env names, commas split; "_" for all but ignored_vars
	RecordEnv   bool     // --record-env
	Files       bool     // --files: output to temporary files, names printed
	Nice        int      // --nice, when NiceSet
	NiceSet     bool
	Load        string // --load as given; empty: no limit
	MemFree     int64  // --memfree in bytes; 0: no limit
	MemSuspend  int64  // --memsuspend in bytes; 0: never suspend
	NoSwap      bool   // --noswap
	Color       bool   // --color, --ctag, --ctagstring
	ColorFailed bool   // --color-failed
	Citation    bool   // --citation, --bibtex

	Semaphore  bool          // --semaphore, sem, or an option implying it
	SemID      string        // --id; empty: the terminal's name
	Fg, Bg     bool          // --fg, --bg
	Wait       bool          // --wait
	SemTimeout time.Duration // --st: positive takes the slot anyway, negative gives up
	argv       []string      // the command line as given, which --report shows

	// Compress passes spilled output through a compressor (--compress);
	// CompressProgram and DecompressProgram name it (empty: the first
	// of GNU parallel's list that is installed).
	Compress                           bool
	CompressProgram, DecompressProgram string

	Pipe Pipe // --pipe, --pipepart and their options

	// headerCols are --header's columns, read from the inputs, whose
	// names renameColumns rewrites to numbers.
	headerCols []column

	// Where jobs run and what they are given (results.go).
	Silent        bool  // --silent: no command printed, whatever -v says
	MinVersion    int64 // --minversion, when MinVersionSet
	MinVersionSet bool
	WorkDir       string         // --workdir as given: ".", "...", or a template; empty: here
	Templates     []TemplateFile // --template, one per source file (the last wins)
	Filter        []string       // --filter: perl conditions a job must meet to run
	Limit         string         // --limit: a command whose exit status admits jobs
}

// TemplateFile is one --template SOURCE=NAME: the source file's text, with
// its replacement strings filled in, is written to NAME (a template too)
// before each job starts.
type TemplateFile struct {
	Source, Name string
}

// Pipe is the block mode's options: standard input (--pipe) or a file
// (--pipepart) cut into blocks of records, one block per job's stdin.
type Pipe struct {
	Stdin, Part bool   // --pipe, --pipepart
	Block       string // --block as given; empty: 1M
	// RecEnd and RecStart are nil when not given.
	RecEnd, RecStart  *string
	Regexp, RemoveSep bool   // --regexp, --rrs
	Header            string // --header as given
	HeaderSet         bool
	Lines             int // -L, -l with --pipe: lines per record
	RoundRobin        bool
	Cat, Fifo, Tee    bool
	GroupBy           string // --group-by as given
	Shard, Bin        string // --shard, --bin as given
	// BlockTimeout passes on a partial block when no input comes for so
	// long (--block-timeout); 0: never.
	BlockTimeout time.Duration
}

// On reports whether the run is in block mode.
func (p *Pipe) On() bool { return p.Stdin || p.Part }

// Timeout is a parsed --timeout: a fixed time, or a share of the median
// runtime of the jobs that succeeded so far.
type Timeout struct {
	Fixed   time.Duration
	Percent float64 // used instead of Fixed when positive
}

// argHeader reports whether --header names the columns of the inputs
// (argument mode), not the header of every block (--pipe).
func (o *Options) argHeader() bool { return o.Pipe.HeaderSet && !o.Pipe.On() }

// isSeparator reports whether w starts an input source: :::, :::: or
// what --arg-sep and --arg-file-sep name instead, with or without +.
func (o *Options) isSeparator(w string) bool {
	w = strings.TrimSuffix(w, "+")
	return w == o.argSep() || w == o.argFileSep()
}

func (o *Options) argSep() string {
	if o.ArgSep != "" {
		return o.ArgSep
	}
	return ":::"
}

func (o *Options) argFileSep() string {
	if o.ArgFileSep != "" {
		return o.ArgFileSep
	}
	return "::::"
}

// Parse turns the command line (without argv[0]) into Options, after the
// defaults that GNU parallel reads before it: the profile files, then
// $PARALLEL (see defaults), read through env and from the file system.
// Each source's options are parsed on their own, so an option cannot take
// its value from the next source; the words after a source's options come
// before the command line's command, as in GNU parallel.
func Parse(args []string, env func(string) string) (*Options, error) {
	return parse(args, env, os.ReadFile)
}

// parse is Parse reading files with read.
func parse(args []string, env func(string) string, read func(string) ([]byte, error)) (*Options, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	// -J and --plain count only on the command line: a first pass finds
	// them (and any error in it, which would be found again later).
	argv := &Options{}
	if _, err := parseOptions(argv, args); err != nil {
		return nil, err
	}
	groups, warnings, err := defaults(argv, env, read)
	if err != nil {
		return nil, err
	}
	o := &Options{Warnings: warnings}
	var rest []string
	for _, g := range groups {
		left, err := parseOptions(o, g.words)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.from, err)
		}
		rest = append(rest, left...)
	}
	left, err := parseOptions(o, args)
	if err != nil {
		return nil, err
	}
	parseCommand(o, append(rest, left...))
	if o.Silent {
		o.Verbose = 0 // GNU parallel's --silent wins wherever it is given
	}
	return o, nil
}

// parseOptions parses the options at the start of args into o, up to the
// first word that is not one (or --), and returns the words after them.
func parseOptions(o *Options, args []string) ([]string, error) {
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return args[i+1:], nil
		}
		if o.isSeparator(a) || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		n, err := parseFlag(o, args, i)
		if err != nil {
			return nil, err
		}
		i += n
	}
	return args[i:], nil
}

// parseCommand splits what follows the options into the command, which
// runs up to the first separator, and the input sources.
func parseCommand(o *Options, args []string) {
	i := 0
	for i < len(args) && !o.isSeparator(args[i]) {
		o.Command = append(o.Command, args[i])
		i++
	}
	for i < len(args) {
		sep := args[i]
		i++
		spec := SourceSpec{Linked: strings.HasSuffix(sep, "+")}
		if strings.TrimSuffix(sep, "+") == o.argFileSep() {
			spec.Kind = File
			for i < len(args) && !o.isSeparator(args[i]) {
				s := spec
				s.Path = args[i]
				// Every file after ::::+ is linked, to the source before
				// and to each other, as in GNU parallel.
				o.Sources = append(o.Sources, s)
				i++
			}
			continue
		}
		for i < len(args) && !o.isSeparator(args[i]) {
			spec.Values = append(spec.Values, args[i])
			i++
		}
		o.Sources = append(o.Sources, spec)
	}
}

// parseFlag parses the option at args[i] and returns how many words it
// took. A long option may be abbreviated and written in any case (see
// optionIndex); its value follows = or is the next word.
func parseFlag(o *Options, args []string, i int) (int, error) {
	a := args[i]
	if !strings.HasPrefix(a, "--") {
		return parseBundle(o, args, i)
	}
	name, val, hasVal := a[2:], "", false
	if eq := strings.IndexByte(name, '='); eq > 0 {
		name, val, hasVal = name[:eq], name[eq+1:], true
	}
	opt, full, err := optIndex().lookupLong(name)
	if err != nil {
		return 0, err
	}
	if opt.flag == nil {
		return 0, refusedError(full, opt)
	}
	f := opt.flag
	switch {
	case f.arg == "" && hasVal:
		return 0, fmt.Errorf("option %s takes no value", full)
	case f.arg == "":
		return 1, f.set(o, "")
	case hasVal && val == "" && f.optional == nil:
		return 0, fmt.Errorf("option %s needs a value", full)
	case hasVal:
		return 1, f.set(o, val)
	case f.optional != nil:
		return optionalValue(o, f, args, i)
	case i+1 >= len(args):
		return 0, fmt.Errorf("option %s needs a value", full)
	}
	return 2, f.set(o, args[i+1])
}

// optionalValue sets an option whose value may be left out (-i, -e, -l),
// as GNU parallel's option parser does: the next word is its value if it
// can be one (see flagSpec.optional), else the option has none.
func optionalValue(o *Options, f *flagSpec, args []string, i int) (int, error) {
	if i+1 < len(args) && f.optional(args[i+1]) {
		return 2, f.set(o, args[i+1])
	}
	return 1, f.set(o, "")
}

// parseBundle parses short options written together, as GNU parallel's
// option parser allows: -kv is -k -v, and an option that takes a value
// takes the rest of the word (-j3, -kj3, -I,,) or else the next word
// (-kj 3).
func parseBundle(o *Options, args []string, i int) (int, error) {
	a := args[i]
	for k := 1; k < len(a); k++ {
		name := "-" + a[k:k+1]
		opt := optIndex().short[name]
		if opt == nil || opt.flag == nil {
			return 0, badShort(name, a, opt)
		}
		f := opt.flag
		if f.arg == "" {
			if err := f.set(o, ""); err != nil {
				return 0, err
			}
			continue
		}
		if k+1 < len(a) {
			return 1, f.set(o, a[k+1:])
		}
		if f.optional != nil {
			return optionalValue(o, f, args, i)
		}
		if i+1 >= len(args) {
			return 0, fmt.Errorf("option %s needs a value", name)
		}
		return 2, f.set(o, args[i+1])
	}
	return 1, nil
}

// badShort is the error for the letter name of the bundle a, which no
// option has (opt nil) or which is refused. A bundle that is a long
// option with one dash too few (-keep-order, -tag) is pointed at its
// two-dash form.
func badShort(name, a string, opt *knownOption) error {
	hint := ""
	if long, full, err := optIndex().lookupLong(a[1:]); err == nil && long.flag != nil && len(a) > 2 {
		hint = "; did you mean " + full + "?"
	}
	switch {
	case opt != nil:
		return fmt.Errorf("%v%s", refusedError(name, opt), hint)
	case name == a:
		return fmt.Errorf("unknown option %s%s", show(name), hint)
	}
	return fmt.Errorf("unknown option %s in %s%s", show(name), show(a), hint)
}

// show prints a word from the command line as it is, or quoted when it
// holds characters that would break the one-line message.
func show(s string) string {
	for _, c := range s {
		if c < ' ' || c == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// splitWords splits $PARALLEL like a shell splits simple words: at blanks,
// with single and double quotes and backslashes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' && i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// ResolveJobs turns -j into a number of job slots, as GNU parallel does:
// N; N% of the cores; +N and -N relative to the cores; 0 as many as
// possible. At least one slot always runs, and no more than maxSlots.
func ResolveJobs(spec string, ncpu int) (int, error) {
	if spec == "" {
		return ncpu, nil
	}
	bad := fmt.Errorf("-j %q: not a number of jobs (use N, N%%, +N or -N)", spec)
	switch {
	case strings.HasSuffix(spec, "%"):
		p, err := strconv.ParseFloat(spec[:len(spec)-1], 64)
		if err != nil || p < 0 {
			return 0, bad
		}
		return max(1, int(min(float64(ncpu)*p/100, maxSlots))), nil
	case strings.HasPrefix(spec, "+") || strings.HasPrefix(spec, "-"):
		n, err := atoiClamped(spec)
		if err != nil {
			return 0, bad
		}
		return max(1, min(ncpu+n, maxSlots)), nil
	}
	n, err := atoiClamped(spec)
	if err != nil || n < 0 {
		return 0, bad
	}
	if n == 0 {
		// "As many as possible": bounded by what one process can hold
		// open, with room for our own files.
		return 1 << 12, nil
	}
	return n, nil
}

// maxSlots bounds -j: Linux allows no more processes than this at all, so
// a larger number means as many as can run (then fitSlots decides).
const maxSlots = 1 << 22

// atoiClamped parses an integer, taking one beyond any int as the
// largest, and clamps it to ±maxSlots.
func atoiClamped(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) {
		err = nil
	}
	return max(-maxSlots, min(n, maxSlots)), err
}

// HaltWhen says what happens once the halt condition holds.
type HaltWhen int

const (
	// HaltNever runs every job (the default).
	HaltNever HaltWhen = iota
	// HaltSoon starts no more jobs and lets running ones finish.
	HaltSoon
	// HaltNow kills running jobs too.
	HaltNow
)

// Halt is a parsed --halt.
type Halt struct {
	When    HaltWhen
	Why     string  // "fail", "success" or "done"
	Count   int     // the number of jobs, when Percent is 0
	Percent float64 // the share of jobs, in percent
}

// ParseHalt parses --halt: never, when,why=N or when,why=N% (when: now,
// soon; why: fail, success, done), and the legacy 0, 1, 2, -1, -2 and
// 1-99%.
func ParseHalt(s string) (Halt, error) {
	bad := fmt.Errorf("--halt %q: use never, now|soon,fail|success|done=N or =N%%", s)
	switch s {
	case "never", "0":
		return Halt{}, nil
	case "1":
		return Halt{When: HaltSoon, Why: "fail", Count: 1}, nil
	case "2":
		return Halt{When: HaltNow, Why: "fail", Count: 1}, nil
	case "-1":
		return Halt{When: HaltSoon, Why: "success", Count: 1}, nil
	case "-2":
		return Halt{When: HaltNow, Why: "success", Count: 1}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok && !strings.Contains(s, ",") {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v <= 0 || v >= 100 {
			return Halt{}, bad
		}
		return Halt{When: HaltSoon, Why: "fail", Percent: v}, nil
	}
	when, why, ok := strings.Cut(s, ",")
	if !ok {
		return Halt{}, bad
	}
	var h Halt
	switch when {
	case "now":
		h.When = HaltNow
	case "soon":
		h.When = HaltSoon
	default:
		return Halt{}, bad
	}
	kind, num, ok := strings.Cut(why, "=")
	if !ok {
		return Halt{}, bad
	}
	switch kind {
	case "fail", "success", "done":
		h.Why = kind
	default:
		return Halt{}, bad
	}
	if p, ok := strings.CutSuffix(num, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v <= 0 || v > 100 {
			return Halt{}, bad
		}
		h.Percent = v
		return h, nil
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return Halt{}, bad
	}
	h.Count = n
	return h, nil
}

// ParseTermSeq parses --termseq: signal,ms,signal,ms,... with signals by
// name (with or without SIG) or number.
func ParseTermSeq(s string) ([]fanout.TermStep, error) {
	parts := strings.Split(s, ",")
	if len(parts)%2 != 0 {
		return nil, fmt.Errorf("--termseq %q: want pairs of signal and milliseconds, such as TERM,200,KILL,25", s)
	}
	var steps []fanout.TermStep
	for i := 0; i < len(parts); i += 2 {
		sig, err := parseSignal(parts[i])
		if err != nil {
			return nil, fmt.Errorf("--termseq %q: %v", s, err)
		}
		ms, err := strconv.ParseFloat(parts[i+1], 64)
		if err != nil || ms < 0 {
			return nil, fmt.Errorf("--termseq %q: %q is not a number of milliseconds", s, parts[i+1])
		}
		steps = append(steps, fanout.TermStep{Signal: sig, Wait: time.Duration(ms * float64(time.Millisecond))})
	}
	return steps, nil
}

func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// ParseTimeout parses --timeout: seconds (with GNU's s/m/h/d suffixes), or
// N% of the median runtime of the jobs so far.
func ParseTimeout(s string) (Timeout, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v <= 0 {
			return Timeout{}, fmt.Errorf("--timeout %q: not a percentage", s)
		}
		return Timeout{Percent: v}, nil
	}
	// 0 means no timeout, as in GNU parallel.
	d, err := ParseDuration(s)
	if err != nil {
		// GNU parallel takes no replacement strings here either.
		return Timeout{}, fmt.Errorf("--timeout %q: not a number of seconds (30, 1.5, 2m, 1h30m) or a percentage of the median runtime (200%%)", s)
	}
	return Timeout{Fixed: d}, nil
}

// ParseDuration parses seconds as GNU parallel writes them: a number,
// optionally with s, m, h or d units, which may be combined (1h30m).
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v > 1e9 {
			return 0, errors.New("out of range")
		}
		return time.Duration(v * float64(time.Second)), nil
	}
	var total time.Duration
	rest := s
	for rest != "" {
		j := 0
		for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.') {
			j++
		}
		if j == 0 || j == len(rest) {
			return 0, errors.New("not a duration")
		}
		v, err := strconv.ParseFloat(rest[:j], 64)
		if err != nil || v > 1e9 {
			return 0, errors.New("not a duration")
		}
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[rest[j]]
		if unit == 0 {
			return 0, fmt.Errorf("unknown unit %q", rest[j])
		}
		total += time.Duration(v * float64(unit))
		rest = rest[j+1:]
	}
	return total, nil
}
