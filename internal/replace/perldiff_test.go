package replace_test

import (
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/fanoutdev/fanout/internal/perl"
	"github.com/fanoutdev/fanout/internal/replace"
)

// diffCases are replacement strings computed in Go, each with the key of
// the rule it is an instance of.
var diffCases = []struct{ word, key string }{
	{"{}", "{}"}, {"{.}", "{.}"}, {"{/}", "{/}"}, {"{//}", "{//}"}, {"{/.}", "{/.}"},
	{"{#}", "{#}"}, {"{%}", "{%}"},
	{"{+/}", "{+/}"}, {"{+.}", "{+.}"}, {"{+..}", "{+..}"}, {"{+...}", "{+...}"},
	{"{..}", "{..}"}, {"{...}", "{...}"}, {"{/..}", "{/..}"}, {"{/...}", "{/...}"},
	{"{choose_k}", "{choose_k}"}, {"{uniq}", "{uniq}"}, {"{##}", "{##}"}, {"{0%}", "{0%}"}, {"{0#}", "{0#}"},
	{"{:-dflt}", "{:-([^}]+?)}"}, {"{:2}", `{:(\d+?)}`}, {"{:0}", `{:(\d+?)}`}, {"{:1:2}", `{:(\d+?):(\d+?)}`}, {"{:3:9}", `{:(\d+?):(\d+?)}`},
	{"{#a*}", "{#([^#}][^}]*?)}"}, {"{#[a-c].}", "{#([^#}][^}]*?)}"}, {"{#.*\\.}", "{#([^#}][^}]*?)}"},
	{"{##a*}", "{##([^#}][^}]*?)}"}, {"{##.*\\.}", "{##([^#}][^}]*?)}"},
	{"{%.b*}", "{%([^}]+?)}"}, {"{%\\..*}", "{%([^}]+?)}"}, {"{%\\s}", "{%([^}]+?)}"},
	{"{%%\\..*}", "{%%([^}]+?)}"}, {"{%%[.][a-z]*}", "{%%([^}]+?)}"}, {"{%%\\s*}", "{%%([^}]+?)}"},
	{"{/a/X}", "{/([^#%}/]+?)/([^}]*?)}"}, {"{/[.]b*/}", "{/([^#%}/]+?)/([^}]*?)}"},
	{"{/#a/X}", "{/#([^}]+?)/([^}]*?)}"}, {"{/#.?/X}", "{/#([^}]+?)/([^}]*?)}"},
	{"{/%c/X}", "{/%([^}]+?)/([^}]*?)}"}, {"{/%a*/X}", "{/%([^}]+?)/([^}]*?)}"}, {"{/%\\s*/X}", "{/%([^}]+?)/([^}]*?)}"},
	{"{//a/X}", "{//([^}]+?)/([^}]*?)}"}, {"{//[ab]+/X}", "{//([^}]+?)/([^}]*?)}"}, {"{//./_}", "{//([^}]+?)/([^}]*?)}"},
	{"{^a}", "{^([^}]+?)}"}, {"{^^[a-c]}", "{^^([^}]+?)}"}, {"{^^.}", "{^^([^}]+?)}"},
	{"{,A}", "{,([^}]+?)}"}, {"{,,[A-Z]+}", "{,,([^}]+?)}"},
}

var diff struct {
	once  sync.Once
	err   error
	in    *perl.Interp
	goT   []*replace.Template
	perlT []*replace.Template
}

// diffSetup parses each case twice, once as fanout computes it and once
// with its rule redefined (--rpl) by its own perl code, and starts one
// perl for all of them.
func diffSetup(t testing.TB) {
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("no perl")
	}
	diff.once.Do(func() {
		exprs := &replace.Exprs{}
		for _, c := range diffCases {
			code, native := replace.RuleCode(c.key)
			if !native {
				diff.err = &os.PathError{Op: "rule", Path: c.key, Err: os.ErrNotExist}
				return
			}
			g, err := replace.Parse([]string{c.word}, replace.Options{Plus: true, NoAppend: true})
			if err != nil {
				diff.err = err
				return
			}
			p, err := replace.Parse([]string{c.word}, replace.Options{Plus: true, NoAppend: true, Exprs: exprs, Rpl: []string{c.key + " " + code}})
			if err != nil {
				diff.err = err
				return
			}
			if g.UsesPerl() || !p.UsesPerl() {
				diff.err = &os.PathError{Op: "parse", Path: c.word, Err: os.ErrInvalid}
				return
			}
			diff.goT, diff.perlT = append(diff.goT, g), append(diff.perlT, p)
		}
		diff.in, diff.err = perl.Start(exprs.List(), perl.Config{Path: os.Getenv("PATH")})
	})
	if diff.err != nil {
		t.Fatal(diff.err)
	}
}

// checkDiff renders case i both ways and compares.
func checkDiff(t *testing.T, i int, vals []string, seq int64, slot int) {
	t.Helper()
	mk := func() replace.Args {
		return replace.Args{Values: vals, Seq: seq, Slot: slot, Total: seq + 3, Slots: slot + 2}
	}
	ga, pa := mk(), mk()
	gskip, err := replace.Evaluate(nil, &ga, diff.goT[i])
	if err != nil {
		t.Fatal(err)
	}
	pskip, err := replace.Evaluate(diff.in, &pa, diff.perlT[i])
	if err != nil {
		t.Fatal(err)
	}
	got, want := string(diff.goT[i].AppendShell(nil, ga)), string(diff.perlT[i].AppendShell(nil, pa))
	if got != want || gskip != pskip {
		t.Errorf("%s of %q: Go gives %q (skip %v), perl %q (skip %v)", diffCases[i].word, vals, got, gskip, want, pskip)
	}
}

// TestPlusAgainstPerl holds every replacement string computed in Go to
// GNU parallel's perl code for it, run by perl, on values chosen for
// their corners.
func TestPlusAgainstPerl(t *testing.T) {
	t.Parallel()
	diffSetup(t)
	vals := []string{"", "a", "0", "a/b.c.d.e", "/x/y.tar.gz", ".bashrc", "dir/", "a.b\n", "x/a\nb/c.d", "a\n\n",
		"baa", "ba\n", "AbcAbc", "é.txt", "\xff.\xfe", "a b.c", "it's", "c", "a..b", "/", "//", "...", "a\n.b\nc.d"}
	for i := range diffCases {
		for _, v := range vals {
			checkDiff(t, i, []string{v}, 1, 1)
		}
		checkDiff(t, i, []string{"a", "b", "c"}, 12, 3)
		checkDiff(t, i, []string{"b", "a"}, 999, 10)
		checkDiff(t, i, []string{"a", "a"}, 1000, 99)
		checkDiff(t, i, []string{"", "x"}, 5, 1)
	}
}

// FuzzPlusAgainstPerl does the same on any values.
func FuzzPlusAgainstPerl(f *testing.F) {
	for i := range diffCases {
		f.Add(uint8(i), "a/b.c.d", "x.y", int64(1), 1)
		f.Add(uint8(i), "AbcAbc\n", "", int64(10), 3)
	}
	f.Fuzz(func(t *testing.T, i uint8, v1, v2 string, seq int64, slot int) {
		diffSetup(t)
		if seq < 0 || seq > 1<<40 || slot < 0 || slot > 1<<20 {
			t.Skip()
		}
		n := int(i) % len(diffCases)
		checkDiff(t, n, []string{v1}, seq, slot)
		checkDiff(t, n, []string{v1, v2}, seq, slot)
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if diff.in != nil {
		diff.in.Close()
	}
	os.Exit(code)
}
