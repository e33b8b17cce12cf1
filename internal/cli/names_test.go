package cli

import (
	"os"
	"strings"
	"testing"
)

// gnuOption is one line of testdata/gnu-options.txt.
type gnuOption struct {
	names []string // without dashes; the first is canonical
	value string   // "", "=s", ":s", "=i", ...
}

// dashed is a GNU name as written on a command line.
func dashed(n string) string {
	if len(n) == 1 {
		return "-" + n
	}
	return "--" + n
}

func readGNUOptions(t *testing.T) []gnuOption {
	t.Helper()
	data, err := os.ReadFile("testdata/gnu-options.txt")
	if err != nil {
		t.Fatal(err)
	}
	var opts []gnuOption
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		spec, value := line, ""
		if i := strings.IndexAny(line, "=:"); i >= 0 {
			spec, value = line[:i], line[i:]
		}
		opts = append(opts, gnuOption{names: strings.Split(spec, "|"), value: value})
	}
	if len(opts) < 150 {
		t.Fatalf("only %d options in testdata/gnu-options.txt", len(opts))
	}
	return opts
}

// Every option of GNU parallel is either accepted or refused with a
// reason; all its spellings lead to the same option of fanout; one that
// is accepted takes a value exactly when GNU parallel's does.
func TestGNUOptionsAreKnown(t *testing.T) {
	t.Parallel()
	ix := optIndex()
	for _, g := range readGNUOptions(t) {
		var first *knownOption
		for _, n := range g.names {
			name := dashed(n)
			o := exact(ix, name)
			if o == nil {
				t.Errorf("%s (GNU parallel's %s) is neither accepted nor refused: add it to flags, aliases or refusals", name, g.names[0])
				continue
			}
			if first == nil {
				first = o
			} else if o != first {
				t.Errorf("%s leads to %s, but %s to %s: GNU parallel's spellings of one option must lead to one", name, o.names[0], dashed(g.names[0]), first.names[0])
			}
			if o.flag != nil && (o.flag.arg != "" && o.flag.optional == nil) != strings.HasPrefix(g.value, "=") {
				t.Errorf("%s: fanout takes a value %v, GNU parallel's is %q", name, o.flag.arg != "", g.value)
			}
			if o.flag != nil && (o.flag.optional != nil) != strings.HasPrefix(g.value, ":") {
				t.Errorf("%s: fanout's value is optional %v, GNU parallel's is %q", name, o.flag.optional != nil, g.value)
			}
		}
	}
}

// exact finds the option a name on the command line stands for, written
// out in full.
func exact(ix *optionIndex, name string) *knownOption {
	if len(name) == 2 {
		return ix.short[name]
	}
	return ix.long[longKey(strings.TrimPrefix(name, "--"))]
}

// No name is both accepted and refused, or spelt twice anywhere; every
// alias stands for an accepted name.
func TestNoNameAcceptedAndRefused(t *testing.T) {
	t.Parallel()
	where := map[string]string{}
	claim := func(name, by string) {
		if !strings.HasPrefix(name, "-") || name == "-" || name == "--" {
			t.Errorf("%s: %q is not an option name", by, name)
		}
		if prev, ok := where[name]; ok {
			t.Errorf("%s is both %s and %s", name, prev, by)
		}
		where[name] = by
	}
	for _, f := range flags {
		for _, n := range f.names {
			claim(n, "accepted (flags)")
		}
	}
	for a, target := range aliases {
		claim(a, "an alias of "+target)
		if where[target] != "accepted (flags)" {
			t.Errorf("alias %s stands for %s, which is not in flags", a, target)
		}
	}
	for _, r := range refusals {
		if r.reason == "" || strings.Contains(r.reason, "\n") {
			t.Errorf("%s: the reason must be one line", r.names)
		}
		for _, n := range strings.Fields(r.names) {
			claim(n, "refused ("+r.reason+")")
		}
	}
	// Two dashes and a single letter would collide with its short form.
	for n := range where {
		if strings.HasPrefix(n, "--") && len(n) == 3 {
			t.Errorf("%s: write single letters with one dash", n)
		}
	}
}

func hasName(o *knownOption, name string) bool {
	for _, n := range o.names {
		if n == name {
			return true
		}
	}
	return false
}

// fanoutOnly reports whether o has a name GNU parallel does not.
func fanoutOnly(o *knownOption, gnuNames map[string]bool) bool {
	for _, n := range o.names {
		if !gnuNames[longKey(strings.TrimLeft(n, "-"))] {
			return true
		}
	}
	return false
}

// The messages for names that are refused, unknown, misspelt, ambiguous or
// abbreviated.
func TestOptionMessages(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"--jbos 3 echo":          "unknown option --jbos; did you mean --jobs?",
		"--keep-ordr echo":       "unknown option --keep-ordr; did you mean --keep-order?",
		"--lnie-buffer echo":     "unknown option --lnie-buffer; did you mean --line-buffer?",
		"--frobnicate echo":      "unknown option --frobnicate",
		"--xyz echo":             "unknown option --xyz",
		"-keep-order echo":       "", // -k, then -e with the value "ep-order"
		"-Qeep-order echo":       "unknown option -Q in -Qeep-order",
		"-Qlink echo":            "unknown option -Q in -Qlink",
		"-group echo":            "-g is not supported: retired in GNU parallel too (use --group); did you mean --group?",
		"-joblg x echo":          "", // -j "oblg": a -j that fails later, as in GNU parallel
		"-tag echo":              "", // -t, then -a g
		"--shard 1 echo":         "",
		"--groupby 1 echo":       "",
		"--spread echo":          "", // --spreadstdin, by its prefix
		"-S host echo":           "-S is not supported: fanout runs jobs on this machine only; scale-out over NATS is planned instead",
		"--sshlogin=host echo":   "--sshlogin is not supported: fanout runs jobs on this machine only",
		"-kS host echo":          "-S is not supported",
		"--re echo":              "option --re is ambiguous: ",
		"--lin echo":             "option --lin is ambiguous: --line-buffer, --link, --linkinputsource; write more of its name",
		"--tm echo":              "option --tm is ambiguous",
		"--verbose echo":         "",
		"-g echo":                "-g is not supported: retired in GNU parallel too (use --group)",
		"--keep-order=yes echo":  "option --keep-order takes no value",
		"--tag-string= echo":     "option --tag-string needs a value",
		"--completion tcsh":      "",
		"--X echo":               "", // --x, which is -x
		"--\x01 echo":            `unknown option "--\x01"`,
		"--max-procs=x -j3 echo": "",
	} {
		_, err := parse(strings.Fields(args), nil, noFiles)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", args, err)
		case want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)):
			t.Errorf("%q: error %v, want %q", args, err, want)
		}
	}
}

// Abbreviated, upper-case and aliased names set what the full name sets.
func TestSpellings(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]func(*Options) bool{
		"--keep":                 func(o *Options) bool { return o.KeepOrder },
		"--KEEP-ORDER":           func(o *Options) bool { return o.KeepOrder },
		"--keeporder":            func(o *Options) bool { return o.KeepOrder },
		"--k":                    func(o *Options) bool { return o.KeepOrder },
		"--K":                    func(o *Options) bool { return o.KeepOrder },
		"--linebuffered":         func(o *Options) bool { return o.LineBuffer },
		"--line-buffered":        func(o *Options) bool { return o.LineBuffer },
		"--line-b":               func(o *Options) bool { return o.LineBuffer },
		"--col-sep ,":            func(o *Options) bool { return o.Colsep == "," },
		"--colsep=,":             func(o *Options) bool { return o.Colsep == "," },
		"--halt-on-error 2":      func(o *Options) bool { return o.Halt.When == HaltNow },
		"--haltonerror=1":        func(o *Options) bool { return o.Halt.When == HaltSoon },
		"--max-procs 3":          func(o *Options) bool { return o.Jobs == "3" },
		"--maxprocs=3":           func(o *Options) bool { return o.Jobs == "3" },
		"-P3":                    func(o *Options) bool { return o.Jobs == "3" },
		"--JOBS=3":               func(o *Options) bool { return o.Jobs == "3" },
		"--j 3":                  func(o *Options) bool { return o.Jobs == "3" },
		"--argfile f":            func(o *Options) bool { return len(o.Sources) == 1 && o.Sources[0].Path == "f" },
		"--dr":                   func(o *Options) bool { return o.DryRun },
		"--dry":                  func(o *Options) bool { return o.DryRun },
		"--result r":             func(o *Options) bool { return o.Results == "r" },
		"--resumef":              func(o *Options) bool { return o.ResumeFailed },
		"--nn --willcite":        func(o *Options) bool { return true },
		"--shellcompletion bash": func(o *Options) bool { return o.Completion == "bash" },
		"--tmpd /t":              func(o *Options) bool { return o.TmpDir == "/t" },
		"--term-s TERM,1":        func(o *Options) bool { return len(o.TermSeq) == 1 },
		"--ma 2":                 nil, // ambiguous: --max-args, --max-procs, ...
	} {
		o, err := parse(append(strings.Fields(args), "echo"), nil, noFiles)
		if want == nil {
			if err == nil {
				t.Errorf("%q accepted", args)
			}
			continue
		}
		if err != nil || !want(o) {
			t.Errorf("%q: %+v, %v", args, o, err)
		}
	}
}

func noFiles(string) ([]byte, error) { return nil, os.ErrNotExist }

// Every prefix resolves as GNU parallel's own parser resolved it
// (testdata/gnu-prefixes.txt, recorded from Getopt::Long itself): to an
// option that has the name it found, or ambiguous, or unknown. A prefix
// unknown there may lead to one of fanout's own options (--man).
func TestPrefixesAsRecorded(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/gnu-prefixes.txt")
	if err != nil {
		t.Fatal(err)
	}
	gnuNames := map[string]bool{}
	for _, g := range readGNUOptions(t) {
		for _, n := range g.names {
			gnuNames[longKey(n)] = true
		}
	}
	ix := optIndex()
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		prefix, verdict, _ := strings.Cut(line, "\t")
		o, _, err := ix.lookupLong(prefix)
		switch want, found := strings.CutPrefix(verdict, "OK "); {
		case found && err != nil:
			t.Errorf("--%s: GNU parallel takes it as --%s; fanout: %v", prefix, want, err)
		case found && !hasName(o, dashed(want)):
			t.Errorf("--%s: GNU parallel takes it as %s; fanout as %s", prefix, dashed(want), o.names[0])
		case verdict == "AMBIG" && err == nil:
			t.Errorf("--%s: ambiguous in GNU parallel; fanout takes it as %s", prefix, o.names[0])
		case verdict == "UNKNOWN" && err == nil && !fanoutOnly(o, gnuNames):
			t.Errorf("--%s: unknown to GNU parallel; fanout takes it as %s", prefix, o.names[0])
		}
	}
	if n < 1500 {
		t.Fatalf("only %d prefixes recorded", n)
	}
}
