package replace

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func render(t *testing.T, words []string, opt Options, vals ...string) (shell string, argv []string, tmpl *Template) {
	t.Helper()
	tm, err := Parse(words, opt)
	if err != nil {
		t.Fatalf("Parse(%q): %v", words, err)
	}
	a := Args{Values: vals, Seq: 7, Slot: 2}
	return string(tm.AppendShell(nil, a)), tm.Argv(a), tm
}

func TestRender(t *testing.T) {
	tests := []struct {
		words []string
		opt   Options
		vals  []string
		shell string
	}{
		{[]string{"echo", "{}"}, Options{}, []string{"a b"}, "echo 'a b'"},
		{[]string{"echo", "X{}Y"}, Options{}, []string{"1"}, "echo X1Y"},
		{[]string{"echo"}, Options{}, []string{"a", "b"}, "echo a b"},
		{[]string{"echo", "{.}"}, Options{}, []string{"a.b.c"}, "echo a.b"},
		{[]string{"echo", "{/}", "{//}", "{/.}"}, Options{}, []string{"/x/y/z.txt"}, "echo z.txt /x/y z"},
		{[]string{"echo", "{/}", "{//}", "{.}"}, Options{}, []string{"noslash/"}, "echo '' . noslash/"},
		{[]string{"echo", "{/}", "{//}", "{.}"}, Options{}, []string{".hidden"}, "echo .hidden . ''"},
		{[]string{"echo", "{//}"}, Options{}, []string{"a"}, "echo ."},
		{[]string{"echo", "{//}"}, Options{}, []string{"/a"}, "echo /"},
		{[]string{"echo", "{.}"}, Options{}, []string{"a.b/c"}, "echo a.b/c"},
		{[]string{"echo", "{2}", "{1}"}, Options{}, []string{"a", "c"}, "echo c a"},
		{[]string{"echo", "{1.}", "{2/}", "{2//}", "{2/.}"}, Options{}, []string{"x.y", "/p/q.r"}, "echo x q.r /p q"},
		{[]string{"echo", "{-1}"}, Options{}, []string{"a", "b"}, "echo b"},
		{[]string{"echo", "{3}x"}, Options{}, []string{"1"}, "echo x"},
		{[]string{"echo", "{#}-{%}"}, Options{}, []string{"a"}, "echo 7-2"},
		{[]string{"echo", ",,."}, Options{Token: ",,"}, []string{"q"}, "echo q."},
		{[]string{"echo", ",,", "{}", "{.}"}, Options{Token: ",,"}, []string{"q.z"}, "echo q.z {} q"},
		{[]string{"echo", "X{}Y"}, Options{Context: 'X'}, []string{"a", "b"}, "echo XaY XbY"},
		{[]string{"echo", "X{}Y"}, Options{Context: 'm'}, []string{"a", "b"}, "echo Xa bY"},
		{[]string{"echo", "hi"}, Options{NoAppend: true}, []string{"1"}, "echo hi"},
		{[]string{"echo", "{}"}, Options{}, []string{"it's"}, `echo 'it'"'"'s'`},
		{[]string{"echo", "{}"}, Options{}, []string{""}, "echo ''"},
		{[]string{"echo {} && echo again{}"}, Options{}, []string{"x"}, "echo x && echo againx"},
		{[]string{"echo", "{foo}", "{"}, Options{}, []string{"x"}, "echo {foo} { x"},
		{[]string{"echo", "X{}Y", "{.}"}, Options{}, []string{"a'b.c"}, `echo X'a'"'"'b.c'Y 'a'"'"'b'`},
	}
	for _, tt := range tests {
		shell, _, _ := render(t, tt.words, tt.opt, tt.vals...)
		if shell != tt.shell {
			t.Errorf("%q %+v %q: got %q, want %q", tt.words, tt.opt, tt.vals, shell, tt.shell)
		}
	}
}

func TestNeedsShell(t *testing.T) {
	for words, want := range map[string]bool{
		"echo {}":          false,
		"gzip -9 {}":       false,
		"echo {} | cat":    true,
		"exit {}":          true,
		"cd {}":            true,
		"FOO=1 env":        true,
		"{}":               true,
		"echo $HOME":       true,
		"echo 'a'":         true,
		"echo a; echo b":   true,
		"convert {} {.}.x": false,
		"echo *":           true,
		"echo ~":           true,
	} {
		tm, err := Parse([]string{words}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if tm.NeedsShell() != want {
			t.Errorf("NeedsShell(%q) = %v, want %v", words, !want, want)
		}
	}
}

func TestPerlIsAnError(t *testing.T) {
	_, err := Parse([]string{"echo", "{= $_ =}"}, Options{})
	if err == nil || !strings.Contains(err.Error(), "perl") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Parse([]string{"echo", "{="}, Options{}); err != nil {
		t.Fatalf("an unterminated {= is literal text, got %v", err)
	}
}

func TestUsesSlot(t *testing.T) {
	a, _ := Parse([]string{"echo", "{%}"}, Options{})
	b, _ := Parse([]string{"echo", "{#}"}, Options{})
	if !a.UsesSlot() || b.UsesSlot() {
		t.Fatal("UsesSlot wrong")
	}
}

// shellSplit runs the line's words through a real shell and returns the
// argv it builds.
func shellSplit(t testing.TB, line string) []string {
	cmd := exec.Command("/bin/sh", "-c", "set -- "+line+"; for w; do printf '%s\\0' \"$w\"; done")
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	if len(b) == 0 {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// TestArgvMatchesShell checks that running directly gives the program the
// same arguments the shell would give it from the quoted line.
func TestArgvMatchesShell(t *testing.T) {
	templates := [][]string{
		{"echo", "{}"}, {"echo", "X{}Y"}, {"echo", "{.}", "{/}", "{//}", "{/.}"},
		{"echo", "{1}-{2}", "{2.}"}, {"cmd", "--flag={}"}, {"echo"}, {"echo", "{3}"},
		{"echo", "a{}b{}c"},
	}
	values := [][]string{
		{"a b"}, {"it's", "x"}, {""}, {"*", "$HOME"}, {"/x/y.z", "tab\there"}, {},
		{"a\nb", "-n"}, {`back\slash`, `"dq"`},
	}
	for _, ctx := range []byte{0, 'X', 'm'} {
		for _, w := range templates {
			tm, err := Parse(w, Options{Context: ctx})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				a := Args{Values: v, Seq: 1, Slot: 1}
				line := string(tm.AppendShell(nil, a))
				want := shellSplit(t, line)
				if got := tm.Argv(a); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("ctx %q %q %q: Argv %q, shell gives %q from %q", ctx, w, v, got, want, line)
				}
			}
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a":     "a",
		"a b":   "'a b'",
		"it's":  `'it'"'"'s'`,
		"":      "''",
		"a+b/c": "a+b/c",
		"a:b":   "'a:b'",
		"$HOME": "'$HOME'",
	} {
		if got := string(AppendQuote(nil, in)); got != want {
			t.Errorf("quote(%q) = %q, want %q", in, got, want)
		}
	}
}
