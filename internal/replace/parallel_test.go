package replace

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// gnuParallel returns the path of GNU parallel, or skips: the tests below
// compare with the real thing when it is there.
func gnuParallel(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starting perl is slow")
	}
	path, err := exec.LookPath("parallel")
	if err != nil {
		t.Skip("GNU parallel is not installed")
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "GNU parallel") {
		t.Skip("parallel is not GNU parallel")
	}
	return path
}

// TestAgainstGNUParallel renders templates as parallel --dry-run does and
// compares, byte for byte.
func TestAgainstGNUParallel(t *testing.T) {
	t.Parallel()
	path := gnuParallel(t)
	quoting := []string{"a b", "it's", "'", "''", "'a", "a'", "", "$HOME", "~", "é", "a\nb", "*",
		"#x", "x=y", "%^", "a,b:c@d", "-n", `back\slash`, "\t", "a+b/c_d-e.f"}
	var paths []string
	for _, c := range modifierCases {
		paths = append(paths, c.v)
	}
	abc := []string{"a", "b", "c"}
	tests := []struct {
		flags []string // before the command
		words []string
		opt   Options
		vals  []string
		n     int // values per job; 0: all in one job
	}{
		{nil, []string{"echo", "{}", "{.}", "{/}", "{//}", "{/.}"}, Options{}, paths, 1},
		{nil, []string{"echo", "X{}Y", "{#}", "{%}"}, Options{}, quoting, 1},
		{[]string{"-n3"}, []string{"echo", "{}", "{1}", "{2.}", "{-1}", "{-3}", "{-4}", "{-5}", "{-7}", "{0}", "{00}", "{-0}", "{3}",
			"{1 .}", "{1\t/}", "{01}", "{1#}", "{2%}", "{-1#}", "{0.}"}, Options{}, []string{"a.x", "b/c", "d e.f", "g", "h.i/j"}, 3},
		{[]string{"-n2"}, []string{"echo", "{1}-{2}"}, Options{}, []string{"a", "b", "c"}, 2},
		{[]string{"-X"}, []string{"echo", "X{}Y", "{1}Z", "{#}", "Q{1}{}", "{%}"}, Options{Context: 'X'}, abc, 0},
		{[]string{"-X"}, []string{"echo\tX{}Y\tZ{}W", "V{}\nU{}"}, Options{Context: 'X'}, abc, 0},
		{[]string{"-X"}, []string{"echo  X{}Y  W", "x{}y"}, Options{Context: 'X'}, []string{"a b", "", "c"}, 0},
		{[]string{"-X"}, []string{"echo"}, Options{Context: 'X'}, []string{"a b", "c"}, 0},
		{[]string{"-X"}, []string{"echo", "{} \n{}", "{} \nx", "{}", " \n{}", "{} \n", "{}"}, Options{Context: 'X'}, []string{"a", "b"}, 0},
		{nil, []string{"echo", "{1", "}", "{1", ".}", "{"}, Options{}, []string{"a"}, 1},
		{[]string{"-m"}, []string{"echo", "X{.}Y{/}", "{2/}"}, Options{Context: 'm'}, []string{"a.b", "c/d.e"}, 0},
		{[]string{"-I", ",,"}, []string{"echo", ",,", ",,.", "{.}", "{1}", "{1.}", "{,,}", "{}"}, Options{Token: ",,"}, []string{"q.z"}, 1},
		{[]string{"-I", "{x}"}, []string{"echo", "{x}", "{1x}", "{1 x}", "{}"}, Options{Token: "{x}"}, []string{"a.b"}, 1},
		{nil, []string{"echo", "{{}}", "{{.}}", "{}}", "{{}", "{ }", "{foo}", "{/", "{.}.}", "{=", "{+/}"}, Options{}, []string{"q.r"}, 1},
		{nil, []string{"echo", "pre"}, Options{}, []string{"a b", "c"}, 1},
		{nil, []string{"{}", "x{}"}, Options{}, []string{"echo a b"}, 1},
		{nil, []string{"FOO={}", "echo"}, Options{}, []string{"a b"}, 1},
		{nil, []string{""}, Options{}, []string{"a b"}, 1},
	}
	for _, tt := range tests {
		tm := mustParse(t, tt.words, tt.opt)
		var want strings.Builder
		n := tt.n
		if n == 0 {
			n = len(tt.vals)
		}
		seq := int64(1)
		for i := 0; i < len(tt.vals); i += n {
			vals := tt.vals[i:min(i+n, len(tt.vals))]
			want.Write(tm.AppendShell(nil, Args{Values: vals, Seq: seq, Slot: 1}))
			want.WriteByte('\n')
			seq++
		}

		args := []string{"--will-cite", "--dry-run", "-j1", "-k", "-0"}
		if tt.n > 0 {
			args = append(args, "-n"+strconv.Itoa(tt.n))
		}
		args = append(append(args, tt.flags...), tt.words...)
		cmd := exec.Command(path, args...)
		cmd.Env = append(os.Environ(), "PARALLEL_HOME="+t.TempDir(), "PARALLEL_SHELL=/bin/sh")
		cmd.Stdin = strings.NewReader(strings.Join(tt.vals, "\x00") + "\x00")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("parallel %q: %v", args, err)
		}
		if string(out) != want.String() {
			t.Errorf("parallel %q\n got: %q\nwant: %q", args, want.String(), out)
		}
	}
}
