package replace

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

var record = flag.Bool("record", false, "rewrite testdata/plus.golden from GNU parallel")

// plusTemplates are the --plus strings, their positional forms and the
// corner cases of their patterns; plusValues the values they are tried on.
var plusTemplates = []string{
	"{}", "{+/}", "{+.}", "{+..}", "{+...}", "{..}", "{...}", "{/..}", "{/...}",
	"{1+/}", "{-1+.}", "{1 +..}", "{1..}", "{1/...}", "{2..}",
	"{:-dflt}", "{1:-dflt}", "{:2}", "{:0}", "{:99}", "{:1:2}", "{:0:0}", "{:3:99}", "{:99:1}", "{1:1:1}",
	"{#z.*z.}", "{##z.*z.}", "{#a}", "{##[a-c]}", "{#.}", "{1#a}",
	"{%.z.*z}", "{%%.z.*z}", "{%c}", "{%%[.][a-z]*}", "{%.}", "{1%c}", "{%%\\s*}",
	"{/a/X}", "{//a/X}", "{/#a/X}", "{/%c/X}", "{/\\./_}", "{//\\./_}", "{/a/}", "{//[aeiou]/}", "{1//a/X}",
	"{/%a*/X}", "{//a*/X}", "{/%\\s*/X}",
	"{^a}", "{^^a}", "{^[a-z]}", "{^^[a-c]}", "{,A}", "{,,A}", "{,,[A-Z]}", "{1^^b}",
	"{choose_k}", "{uniq}", "{#}", "{%}", "{0%}",
	"x{:-y}z{%.}", "{%a{%b}", "{#}{##}", "{:-}", "{:}", "{/a}", "{^}",
}

var plusValues = []string{
	"a/b.c.d.e", "/x/y.tar.gz", "a", ".bashrc", "a.b", "dir/", "0", "", "é.txt", "a b.c",
	"foo.z.z.z", "z.z.z.foo", "AbcAbc", "x/a\nb/c.d", "a.b\n", "baa", "ba\n", "a\n\n", "it's.c",
}

// TestPlusStrings holds the --plus strings to what GNU parallel 20221122
// printed for them (testdata/plus.golden, written by go test -record).
func TestPlusStrings(t *testing.T) {
	t.Parallel()
	if *record {
		recordPlus(t)
	}
	f, err := os.Open("testdata/plus.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	seq := map[string]int64{}
	for sc.Scan() {
		var tmpl, val, want string
		if _, err := fmt.Sscanf(sc.Text(), "%q %q %q", &tmpl, &val, &want); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		tm := mustParse(t, []string{"echo", tmpl}, Options{Plus: true})
		seq[tmpl]++
		a := Args{Values: []string{val}, Seq: seq[tmpl], Slot: 1, Total: int64(len(plusValues)), Slots: 1}
		if _, err := Evaluate(nil, &a, tm); err != nil {
			t.Fatal(err)
		}
		if got := string(tm.AppendShell(nil, a)); got != want {
			t.Errorf("%q of %q: got %q, parallel gives %q", tmpl, val, got, want)
		}
		n++
	}
	if n < len(plusTemplates)*len(plusValues) {
		t.Errorf("golden file has %d cases, want %d: rerun with -record", n, len(plusTemplates)*len(plusValues))
	}
}

// recordPlus runs GNU parallel on every template and value and writes
// what it prints to testdata/plus.golden.
func recordPlus(t *testing.T) {
	path := gnuParallel(t)
	var out strings.Builder
	for _, tmpl := range plusTemplates {
		cmd := exec.Command(path, "--will-cite", "--plus", "--dry-run", "-j1", "-k", "-0", "echo", tmpl)
		cmd.Env = append(os.Environ(), "PARALLEL_HOME="+t.TempDir())
		cmd.Stdin = strings.NewReader(strings.Join(plusValues, "\x00") + "\x00")
		b, err := cmd.Output()
		// A skipped job ({uniq} of "") counts as failed, even in a dry run.
		if _, ok := err.(*exec.ExitError); ok && len(b) > 0 {
			err = nil
		}
		if err != nil {
			t.Fatalf("parallel %q: %v", tmpl, err)
		}
		// Lines may hold newlines: each job's line is "echo " and more.
		lines := strings.Split("\n"+strings.TrimSuffix(string(b), "\n"), "\necho ")[1:]
		if len(lines) != len(plusValues) {
			t.Fatalf("parallel %q: %d lines for %d values: %q", tmpl, len(lines), len(plusValues), b)
		}
		for i, l := range lines {
			fmt.Fprintf(&out, "%s %s %s\n", strconv.Quote(tmpl), strconv.Quote(plusValues[i]), strconv.Quote("echo "+l))
		}
	}
	if err := os.WriteFile("testdata/plus.golden", []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
