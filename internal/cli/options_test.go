package cli

import (
	"math"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/input"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  string
		want Options
	}{
		{[]string{"-j", "3", "echo", ":::", "a", "b"}, "", Options{Jobs: "3", Command: []string{"echo"}, Sources: []SourceSpec{{Kind: ArgsList, Values: []string{"a", "b"}}}}},
		{[]string{"-j3", "-k", "echo"}, "", Options{Jobs: "3", KeepOrder: true, Command: []string{"echo"}}},
		{[]string{"--jobs=3", "echo"}, "", Options{Jobs: "3", Command: []string{"echo"}}},
		{[]string{"--jobs", "50%", "echo"}, "", Options{Jobs: "50%", Command: []string{"echo"}}},
		{[]string{"-n2", "-N0", "echo"}, "", Options{MaxArgs: 2, MaxArgsSet: true, MaxReplaceArgsSet: true, Command: []string{"echo"}}},
		{[]string{"-0", "-d", ",", "--colsep", " ", "--link", "echo"}, "", Options{Null: true, Delim: ",", Colsep: " ", Link: true, Command: []string{"echo"}}},
		{[]string{"-I", ",,", "-X", "-m", "echo"}, "", Options{ReplaceToken: ",,", Xargs: true, M: true, Command: []string{"echo"}}},
		{[]string{"--tag", "--tagstring", "<{}>", "--lb", "-u", "--group", "echo"}, "", Options{Tag: true, TagString: "<{}>", LineBuffer: true, Ungroup: true, Group: true, Command: []string{"echo"}}},
		{[]string{"-v", "-v", "--dry-run", "echo"}, "", Options{Verbose: 2, DryRun: true, Command: []string{"echo"}}},
		{[]string{"--joblog", "jl", "--resume", "--resume-failed", "--retry-failed", "--retries", "3", "echo"}, "", Options{JobLog: "jl", Resume: true, ResumeFailed: true, RetryFailed: true, Retries: 3, Command: []string{"echo"}}},
		{[]string{"--timeout", "2.5", "--termseq", "INT,10,KILL,5", "--delay", "0.1", "--halt", "soon,fail=1", "echo"}, "", Options{Timeout: Timeout{Fixed: 2500 * time.Millisecond}, TermSeq: []fanout.TermStep{{Signal: syscall.SIGINT, Wait: 10 * time.Millisecond}, {Signal: syscall.SIGKILL, Wait: 5 * time.Millisecond}}, Delay: 100 * time.Millisecond, Halt: Halt{When: HaltSoon, Why: "fail", Count: 1}, Command: []string{"echo"}}},
		{[]string{"--results", "out", "--tmpdir", "/t", "echo"}, "", Options{Results: "out", TmpDir: "/t", Command: []string{"echo"}}},
		{[]string{"--report", "run.html", "echo"}, "", Options{Report: "run.html", Command: []string{"echo"}}},
		{[]string{"-a", "f1", "echo", ":::", "x"}, "", Options{Command: []string{"echo"}, Sources: []SourceSpec{{Kind: File, Path: "f1"}, {Kind: ArgsList, Values: []string{"x"}}}}},
		{[]string{"echo", ":::", "a", ":::+", "1", "::::", "f", "g", "::::+", "h"}, "", Options{Command: []string{"echo"}, Sources: []SourceSpec{
			{Kind: ArgsList, Values: []string{"a"}}, {Kind: ArgsList, Values: []string{"1"}, Linked: true},
			{Kind: File, Path: "f"}, {Kind: File, Path: "g"}, {Kind: File, Path: "h", Linked: true}}}},
		{[]string{"--", "-weird", "arg"}, "", Options{Command: []string{"-weird", "arg"}}},
		{[]string{"echo", "-k", ":::", "-j"}, "", Options{Command: []string{"echo", "-k"}, Sources: []SourceSpec{{Kind: ArgsList, Values: []string{"-j"}}}}},
		{[]string{"echo"}, "-k -j 2 --tagstring 'a b'", Options{KeepOrder: true, Jobs: "2", TagString: "a b", Command: []string{"echo"}}},
		{[]string{":::", "a"}, "", Options{Sources: []SourceSpec{{Kind: ArgsList, Values: []string{"a"}}}}},
		// Short options bundle; one that takes a value ends the bundle.
		{[]string{"-kv", "echo"}, "", Options{KeepOrder: true, Verbose: 1, Command: []string{"echo"}}},
		{[]string{"-0kX", "echo"}, "", Options{Null: true, KeepOrder: true, Xargs: true, Command: []string{"echo"}}},
		{[]string{"-kj3", "echo"}, "", Options{KeepOrder: true, Jobs: "3", Command: []string{"echo"}}},
		{[]string{"-kj", "3", "echo"}, "", Options{KeepOrder: true, Jobs: "3", Command: []string{"echo"}}},
		{[]string{"-vkn2", "echo"}, "", Options{Verbose: 1, KeepOrder: true, MaxArgs: 2, MaxArgsSet: true, Command: []string{"echo"}}},
		{[]string{"-I{}x", "echo"}, "", Options{ReplaceToken: "{}x", Command: []string{"echo"}}},
		{[]string{"--trim", "lr", "echo"}, "", Options{Trim: input.TrimBoth, Command: []string{"echo"}}},
		{[]string{"--will-cite", "--no-notice", "--gnu", "echo"}, "", Options{Command: []string{"echo"}}},
		// The xargs family. -i, -e and -l take a value only if the next
		// word can be one, as GNU parallel's option parser decides.
		{[]string{"-i", "echo", "x"}, "", Options{ReplaceToken: "echo", Command: []string{"x"}}},
		{[]string{"-i", "-k", "echo"}, "", Options{KeepOrder: true, Command: []string{"echo"}}},
		{[]string{"-i"}, "", Options{}},
		{[]string{"-iX", "echo"}, "", Options{ReplaceToken: "X", Command: []string{"echo"}}},
		{[]string{"-ki", "X", "echo"}, "", Options{KeepOrder: true, ReplaceToken: "X", Command: []string{"echo"}}},
		{[]string{"--replace=X", "echo"}, "", Options{ReplaceToken: "X", Command: []string{"echo"}}},
		{[]string{"--replace", "X", "echo"}, "", Options{ReplaceToken: "X", Command: []string{"echo"}}},
		{[]string{"-e", "--", "echo"}, "", Options{Command: []string{"echo"}}},
		{[]string{"-e", "STOP", "echo"}, "", Options{EOF: "STOP", Command: []string{"echo"}}},
		{[]string{"--eof=", "echo"}, "", Options{Command: []string{"echo"}}},
		{[]string{"-E", "-x-", "echo"}, "", Options{EOF: "-x-", Command: []string{"echo"}}},
		{[]string{"-l", "echo"}, "", Options{MaxLines: 1, MaxLinesSet: true, Command: []string{"echo"}}},
		{[]string{"-l", "3", "echo"}, "", Options{MaxLines: 3, MaxLinesSet: true, Command: []string{"echo"}}},
		{[]string{"-l", "-0", "echo"}, "", Options{MaxLines: 1, MaxLinesSet: true, Null: true, Command: []string{"echo"}}},
		{[]string{"-l0", "echo"}, "", Options{MaxLines: 1, MaxLinesSet: true, Command: []string{"echo"}}},
		{[]string{"--max-lines=2", "echo"}, "", Options{MaxLines: 2, MaxLinesSet: true, Command: []string{"echo"}}},
		{[]string{"-L", "0", "echo"}, "", Options{MaxLines: 0, MaxLinesSet: true, ContextLines: true, Command: []string{"echo"}}},
		{[]string{"-L2k", "echo"}, "", Options{MaxLines: 2000, MaxLinesSet: true, ContextLines: true, Command: []string{"echo"}}},
		{[]string{"-s", "1Ki", "-x", "-r", "-q", "--xargs", "echo"}, "", Options{MaxChars: 1024, Exit: true, NoRunIfEmpty: true, Quote: true, XargsMode: true, Command: []string{"echo"}}},
		{[]string{"-t", "--verbose", "-v", "echo"}, "", Options{StderrVerbose: true, Verbose: 1, Command: []string{"echo"}}},
		{[]string{"--process-slot-var", "X", "--show-limits", "--max-line-length-allowed", "echo"}, "", Options{ProcessSlotVar: "X", ShowLimits: true, MaxLineLength: true, Command: []string{"echo"}}},
		{[]string{"--arg-sep", ",,", "echo", ":::", ",,", "a", ",,+", "b"}, "", Options{ArgSep: ",,", Command: []string{"echo", ":::"}, Sources: []SourceSpec{
			{Kind: ArgsList, Values: []string{"a"}}, {Kind: ArgsList, Values: []string{"b"}, Linked: true}}}},
		{[]string{"--arg-file-sep", "//", "echo", "::::", "//", "f", ":::", "x"}, "", Options{ArgFileSep: "//", Command: []string{"echo", "::::"}, Sources: []SourceSpec{
			{Kind: File, Path: "f"}, {Kind: ArgsList, Values: []string{"x"}}}}},
	}
	for _, tt := range tests {
		env := func(k string) string {
			if k == "PARALLEL" {
				return tt.env
			}
			return ""
		}
		got, err := Parse(tt.args, env)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tt.args, *got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"--frobnicate echo":   "unknown option --frobnicate",
		"-Q echo":             "unknown option -Q",
		"-kQ echo":            "unknown option -Q in -kQ",
		"--jobs= echo":        "option --jobs needs a value",
		"-J":                  "option -J needs a value",
		"-kj":                 "option -j needs a value",
		"-j":                  "option -j needs a value",
		"--halt sometimes":    `--halt "sometimes"`,
		"--timeout abc echo":  `--timeout "abc"`,
		"--termseq TERM echo": "--termseq",
		"--termseq FOO,1 x":   "unknown signal",
		"-n x echo":           `-n "x": not a number`,
		"--delay x echo":      "--delay",
		"-k=1 echo":           "unknown option",
		"--keep-order=1 echo": "takes no value",
	} {
		_, err := Parse(strings.Fields(args), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) err = %v, want it to mention %q", args, err, want)
		}
	}
}

func TestResolveJobs(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]int{"": 4, "3": 3, "50%": 2, "200%": 8, "1%": 1, "+2": 6, "-1": 3, "-10": 1, "0": 1 << 12,
		// Beyond any machine, and beyond int: as many as can be, never wrapping around.
		"9223372036854775807": maxSlots, "99999999999999999999": maxSlots, "+9223372036854775807": maxSlots,
		"-9223372036854775808": 1, "-99999999999999999999": 1, "922337203685477580700%": maxSlots} {
		got, err := ResolveJobs(spec, 4)
		if err != nil || got != want {
			t.Errorf("ResolveJobs(%q, 4) = %d, %v; want %d", spec, got, err, want)
		}
	}
	for _, bad := range []string{"abc", "x%", "+y", "-3.5"} {
		if _, err := ResolveJobs(bad, 4); err == nil {
			t.Errorf("ResolveJobs(%q) accepted", bad)
		}
	}
}

func TestParseHalt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Halt{
		"never":         {},
		"0":             {},
		"1":             {When: HaltSoon, Why: "fail", Count: 1},
		"2":             {When: HaltNow, Why: "fail", Count: 1},
		"-1":            {When: HaltSoon, Why: "success", Count: 1},
		"-2":            {When: HaltNow, Why: "success", Count: 1},
		"20%":           {When: HaltSoon, Why: "fail", Percent: 20},
		"now,fail=3":    {When: HaltNow, Why: "fail", Count: 3},
		"soon,fail=30%": {When: HaltSoon, Why: "fail", Percent: 30},
		"now,success=1": {When: HaltNow, Why: "success", Count: 1},
		"soon,done=2":   {When: HaltSoon, Why: "done", Count: 2},
		"now,done=50%":  {When: HaltNow, Why: "done", Percent: 50},
	} {
		got, err := ParseHalt(in)
		if err != nil || got != want {
			t.Errorf("ParseHalt(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "later,fail=1", "now,oops=1", "now,fail=0", "now,fail", "now,fail=x%", "150%"} {
		if _, err := ParseHalt(bad); err == nil {
			t.Errorf("ParseHalt(%q) accepted", bad)
		}
	}
}

func TestParseTermSeq(t *testing.T) {
	t.Parallel()
	got, err := ParseTermSeq("TERM,200,SIGINT,100,9,25")
	want := []fanout.TermStep{{Signal: syscall.SIGTERM, Wait: 200 * time.Millisecond}, {Signal: syscall.SIGINT, Wait: 100 * time.Millisecond}, {Signal: syscall.SIGKILL, Wait: 25 * time.Millisecond}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestParseTimeout(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"0": 0, "2": 2 * time.Second, "0.5": 500 * time.Millisecond, "1m30s": 90 * time.Second, "2h": 2 * time.Hour} {
		to, err := ParseTimeout(in)
		d, pct := to.Fixed, to.Percent
		if err != nil || d != want || pct != 0 {
			t.Errorf("ParseTimeout(%q) = %v, %v, %v", in, d, pct, err)
		}
	}
	if to, err := ParseTimeout("150%"); err != nil || to.Percent != 150 {
		t.Errorf("ParseTimeout(150%%) = %v, %v", to, err)
	}
	for _, bad := range []string{"", "-1", "x", "1x", "%"} {
		if _, err := ParseTimeout(bad); err == nil {
			t.Errorf("ParseTimeout(%q) accepted", bad)
		}
	}
}

func TestMedianTracker(t *testing.T) {
	t.Parallel()
	var m medianTracker
	if _, ok := m.median(); ok {
		t.Fatal("median of nothing")
	}
	for i, want := range []time.Duration{5, 7, 5, 4, 5} {
		m.add([]time.Duration{5, 9, 1, 3, 7}[i])
		if got, _ := m.median(); got != want {
			t.Fatalf("after %d adds median %v, want %v", i+1, got, want)
		}
	}
}

// FuzzParse: the parser never panics, and its errors are one line,
// whatever the command line, the environment and the profile files say.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-j3 -k echo ::: a b", "--halt now,fail=1 x", "-- -x", "::::+ f", "--jobs= x", "-I", "--timeout 5% x",
		"--KEEP --lb --col-sep , x", "--re x", "--jbos 2", "-J p -J /q --plain", "-kS h", "--pip", "--x=1", "--completion zsh",
		"-i -e -l", "-ie -l -0 x", "-l 1.5 -s 2Ki -L0", "--arg-sep ,, x ,, a ,,+ b", "--arg-file-sep ::: x ::: f", "-E -- -e"} {
		f.Add(s, "", "")
	}
	f.Add("echo", "-k -j 2", "# c\n--tag 'a b'\n\n-j")
	f.Add("-J prof x", "", "--tagstring \"x\n")
	f.Fuzz(func(t *testing.T, args, env, profile string) {
		read := func(string) ([]byte, error) { return []byte(profile), nil }
		o, err := parse(strings.Fields(args), func(string) string { return env }, read)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for _, w := range o.Warnings {
			if strings.Contains(w, "\n") {
				t.Fatalf("multi-line warning %q", w)
			}
		}
		ResolveJobs(o.Jobs, 2)
		if o.MaxLines < 0 || o.MaxChars < 0 || o.MaxArgs < 0 {
			t.Fatalf("a negative count: %+v", o)
		}
		for _, sp := range o.Sources {
			for _, v := range sp.Values {
				if o.isSeparator(v) {
					t.Fatalf("separator %q kept as a value", v)
				}
			}
		}
	})
}

func TestParseCount(t *testing.T) {
	t.Parallel()
	good := map[string]int{"0": 0, "7": 7, "1.5": 2, "2k": 2000, "2K": 2048, "1ki": 1024, "1Mi": 1 << 20, "3m": 3000000,
		"1g": 1e9, "1G": 1 << 30, "0.5k": 500, "99999999999999": math.MaxInt32}
	for in, want := range good {
		if got, err := ParseCount(in); err != nil || got != want {
			t.Errorf("ParseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "1x", "k", "1kk", "1e3", "+3", "1ik"} {
		if _, err := ParseCount(in); err == nil {
			t.Errorf("ParseCount(%q) accepted", in)
		}
	}
}

// --help lists every option the parser accepts, on one line of at most
// 80 columns with its first short and long names, each topic in one
// block.
func TestUsageListsEveryOption(t *testing.T) {
	t.Parallel()
	u := Usage()
	for i, l := range strings.Split(u, "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("--help line %d has %d columns: %q", i+1, n, l)
		}
	}
	for _, f := range flags {
		shown := shownNames(f)
		head := "  " + strings.Join(shown, ", ")
		var found []string
		for _, l := range strings.Split(u, "\n") {
			if strings.HasPrefix(l, head+" ") {
				found = append(found, l)
			}
		}
		if len(found) != 1 {
			t.Errorf("%s: %d lines in --help", f.names[0], len(found))
		}
	}
	seen := map[string]bool{}
	for i, f := range flags {
		if i > 0 && flags[i-1].topic != f.topic {
			if seen[f.topic] {
				t.Errorf("topic %q in two blocks", f.topic)
			}
		}
		seen[f.topic] = true
	}
}
