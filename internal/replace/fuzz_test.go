package replace

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// FuzzQuote checks the round trip through a real shell: a quoted value
// printed by sh comes back byte for byte.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", "a b", "it's", "'", "''", `"`, "$(x)", "`x`", "\n", "a\tb", "é", "\xff", "-n", "*", "~", "!", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			t.Skip("argv cannot carry NUL")
		}
		line := "printf %s " + string(AppendQuote(nil, s))
		out, err := exec.Command("/bin/sh", "-c", line).Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", line, err)
		}
		if string(out) != s {
			t.Fatalf("quote(%q) came back as %q", s, out)
		}
	})
}

// FuzzParse checks that any template parses or fails with one line, and
// renders deterministically without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"echo {}", "{= x =}", "{=", "{1.}{-2//}{/.}", "{#}{%}{}", "X{}Y {3} {0} {-0}", "{{}}", "}{", ",, {}"} {
		f.Add(s, "a b", "c.d/e", byte(0))
	}
	f.Fuzz(func(t *testing.T, tmpl, v1, v2 string, ctx byte) {
		tm, err := Parse([]string{tmpl}, Options{Context: ctx % 3 * 'X' / 2})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		a := Args{Values: []string{v1, v2}, Seq: 3, Slot: 1}
		first := tm.AppendShell(nil, a)
		if !bytes.Equal(first, tm.AppendShell(nil, a)) {
			t.Fatal("AppendShell is not deterministic")
		}
		tm.AppendPlain(nil, a)
		tm.Argv(a)
		tm.NeedsShell()
	})
}
