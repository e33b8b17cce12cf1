package replace

import (
	"bytes"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// gnuQuote is GNU parallel's shell_quote_scalar_default, step by step, to
// hold AppendQuote to the same output.
func gnuQuote(s string) string {
	safe := true
	for i := 0; i < len(s); i++ {
		safe = safe && safeQuoted(s[i])
	}
	if s == "" {
		return "''"
	}
	if safe {
		return s
	}
	q := "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
	q = strings.TrimPrefix(q, "''")
	return strings.TrimSuffix(q, "''")
}

// FuzzQuote checks the round trip through a real shell: a quoted value
// printed by sh comes back byte for byte.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", "a b", "it's", "'", "''", "'a'", `"`, "$(x)", "`x`", "\n", "a\tb",
		"é", "\xff", "-n", "*", "~", "!", "\\", "%s", "a'\"'b", "${x:-y}", "\\'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := string(AppendQuote(nil, s))
		if want := gnuQuote(s); q != want {
			t.Fatalf("quote(%q) = %q, parallel gives %q", s, q, want)
		}
		if strings.IndexByte(s, 0) >= 0 {
			t.Skip("argv cannot carry NUL")
		}
		line := "printf %s " + q
		out, err := exec.Command("/bin/sh", "-c", line).Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", line, err)
		}
		if string(out) != s {
			t.Fatalf("quote(%q) = %q came back as %q", s, q, out)
		}
	})
}

// echoEval evaluates every perl expression to its value, as "$_" does.
type echoEval struct{}

func (echoEval) Eval(j *PerlJob) error {
	for _, c := range j.Calls {
		j.Results = append(j.Results, Result{Value: j.Values[c.Arg]})
	}
	return nil
}

// FuzzParse checks that any template parses or fails with one line, renders
// deterministically without panicking, and, when it runs without a shell,
// gives the argv a real shell would build from its quoted line.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"echo {}", "{= x =}", "{=", "{1.}{-2//}{/.}", "{#}{%}{}", "X{}Y {3} {0} {-0}",
		"{{}}", "}{", ",, {}", "echo\tX{}Y  {1 /.}", "cmd --a={} {-9} {1#}", "gzip -9 {} > {.}.gz",
		"{+/}{..}{2/...}{##}{0#}{0%}", "{:-x}{:2}{1:1:2}", "{#a*}{%%b}{/a/b}{//c*/d}{/#x/}{/%y/z}", "{^a}{^^b}{,C}{,,D}",
		"{%a{%b}", "{=2 s/a/b/ =}{= $_ =}", "{choose_k}{uniq}{slot}", "{/(?<=a)b/X}"} {
		f.Add(s, "", "a b", "c.d/e", byte(0))
		f.Add(s, ",,", "it's", "", byte(1))
		f.Add(s, "{x}", "\n/", "-", byte(2))
	}
	f.Fuzz(func(t *testing.T, tmpl, token, v1, v2 string, ctx byte) {
		opt := Options{Token: token, Context: []byte{0, 'X', 'm'}[ctx%3], NoAppend: ctx&4 != 0, Plus: ctx&8 != 0}
		if ctx&16 != 0 {
			opt.Rpl = []string{token + " s/a/b/"}
		}
		tm, err := Parse([]string{tmpl}, opt)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for _, vals := range [][]string{{v1, v2}, {v1}, nil} {
			a := Args{Values: vals, Seq: 3, Slot: 1, Total: 5, Slots: 2}
			if _, err := Evaluate(echoEval{}, &a, tm); err != nil {
				t.Fatal(err)
			}
			line := tm.AppendShell(nil, a)
			if !bytes.Equal(line, tm.AppendShell([]byte("x"), a)[1:]) {
				t.Fatal("AppendShell is not deterministic")
			}
			tm.AppendPlain(nil, a)
			argv := tm.Argv(a)
			if tm.NeedsShell() || strings.ContainsRune(v1+v2, 0) || len(vals) != 2 {
				continue
			}
			if want := shellSplit(t, []string{string(line)})[0]; !reflect.DeepEqual(argv, want) {
				t.Fatalf("Argv %q, shell gives %q from %q", argv, want, line)
			}
		}
	})
}
