package cli

import (
	"testing"

	"github.com/fanoutdev/fanout/internal/replace"
)

// FuzzResultsName parses any --results name as the plan does. A name that
// is a template must render without failing; one that is not must be
// exactly the name given, as GNU parallel tells the two apart by whether
// rendering changes the name.
func FuzzResultsName(f *testing.F) {
	for _, s := range []string{"out", "out/{}", "out/{1}/{2}/", "r/{#}-{%}", "{}", "a{{}}b", "x.csv", "{= $_ =}", "{.}{/}{//}", "{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		o := &Options{Results: name}
		pl := &plan{exprs: &replace.Exprs{}}
		if err := pl.parseJobFiles(o, func(string) string { return "" }); err != nil {
			return // a usage error, reported as such
		}
		if resultsTable(name) != 0 {
			if pl.resTmpl != nil {
				t.Fatalf("%q is a table and a template", name)
			}
			return
		}
		if pl.resTmpl == nil {
			lit, err := replace.Parse([]string{name}, replace.Options{NoAppend: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(lit.AppendPlain(nil, replace.Args{Values: []string{"v"}, Seq: 1, Slot: 1})); got != name {
				t.Fatalf("literal %q renders as %q", name, got)
			}
			return
		}
		pl.resTmpl.AppendPlain(nil, replace.Args{Values: []string{"a/b", ""}, Seq: 3, Slot: 2})
	})
}
