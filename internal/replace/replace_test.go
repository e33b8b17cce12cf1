package replace

import (
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func mustParse(t testing.TB, words []string, opt Options) *Template {
	t.Helper()
	tm, err := Parse(words, opt)
	if err != nil {
		t.Fatalf("Parse(%q, %+v): %v", words, opt, err)
	}
	return tm
}

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		words []string
		opt   Options
		vals  []string
		shell string
		plain string   // "" means same as shell
		argv  []string // nil means not checked
	}{
		{"all", []string{"echo", "{}"}, Options{}, []string{"a b"}, "echo 'a b'", "echo a b", []string{"echo", "a b"}},
		{"all of several", []string{"echo", "{}"}, Options{}, []string{"a b", "c"}, "echo 'a b' c", "echo a b c", []string{"echo", "a b", "c"}},
		{"around", []string{"echo", "X{}Y"}, Options{}, []string{"1"}, "echo X1Y", "", []string{"echo", "X1Y"}},
		{"around several", []string{"echo", "X{}Y"}, Options{}, []string{"a", "b"}, "echo Xa bY", "", []string{"echo", "Xa", "bY"}},
		{"around quoted", []string{"echo", "X{}Y"}, Options{}, []string{"a b"}, "echo X'a b'Y", "echo Xa bY", []string{"echo", "Xa bY"}},
		{"one word", []string{"echo {} && echo again{}"}, Options{}, []string{"x"}, "echo x && echo againx", "", nil},
		{"empty value", []string{"echo", "{}"}, Options{}, []string{""}, "echo ''", "echo ", []string{"echo", ""}},
		{"empty value in word", []string{"echo", "x{}y"}, Options{}, []string{""}, "echo x''y", "echo xy", []string{"echo", "xy"}},
		{"no values", []string{"echo", "x{}y", "{}"}, Options{}, nil, "echo xy ", "", []string{"echo", "xy"}},
		{"quote in value", []string{"echo", "{}"}, Options{}, []string{"it's"}, `echo 'it'"'"'s'`, "echo it's", []string{"echo", "it's"}},
		{"modifier on each value", []string{"echo", "{.}", "{/}"}, Options{}, []string{"a.x", "d/b.y"}, "echo a d/b a.x b.y", "", []string{"echo", "a", "d/b", "a.x", "b.y"}},
		{"seq and slot", []string{"echo", "{#}-{%}"}, Options{}, []string{"a"}, "echo 7-2", "", []string{"echo", "7-2"}},
		{"seq without values", []string{"echo", "{#}"}, Options{}, nil, "echo 7", "", []string{"echo", "7"}},
		{"literal braces", []string{"echo", "{foo}", "{", "}", "{/", "{+/}", "{ }"}, Options{}, []string{"x"}, "echo {foo} { } {/ {+/} { } x", "", nil},
		{"nested braces", []string{"echo", "{{}}", "{{.}}", "{}}", "{{}", "{.}.}"}, Options{}, []string{"q.r"}, "echo {q.r} {q} q.r} {q.r q.}", "", nil},
		{"replacement strings do not span words", []string{"echo", "{1", "}", "{1", ".}"}, Options{}, []string{"a"}, "echo {1 } {1 .} a", "", nil},
		{"unterminated perl is literal", []string{"echo", "{=", "x"}, Options{}, []string{"a"}, "echo {= x a", "", nil},
		{"value with quote and ext", []string{"echo", "X{}Y", "{.}"}, Options{}, []string{"a'b.c"}, `echo X'a'"'"'b.c'Y 'a'"'"'b'`, "echo Xa'b.cY a'b", []string{"echo", "Xa'b.cY", "a'b"}},
		{"tabs and double spaces kept", []string{"echo\t{}  x"}, Options{}, []string{"a b"}, "echo\t'a b'  x", "echo\ta b  x", []string{"echo", "a b", "x"}},

		// Appending when there is no replacement string.
		{"append", []string{"echo"}, Options{}, []string{"a", "b c"}, "echo a 'b c'", "echo a b c", []string{"echo", "a", "b c"}},
		{"append after words", []string{"echo", "pre"}, Options{}, []string{"a"}, "echo pre a", "", []string{"echo", "pre", "a"}},
		{"no append", []string{"echo", "hi"}, Options{NoAppend: true}, []string{"1"}, "echo hi", "", []string{"echo", "hi"}},
		{"seq is a replacement string", []string{"echo", "{#}"}, Options{}, []string{"a"}, "echo 7", "", []string{"echo", "7"}},
		{"empty word", []string{""}, Options{}, []string{"a b"}, " 'a b'", " a b", nil},
		{"no words", nil, Options{}, []string{"echo", "a b"}, "echo a b", "", nil},

		// Input as the command: parallel does not quote then.
		{"leading all", []string{"{}"}, Options{}, []string{"echo a b"}, "echo a b", "", nil},
		{"leading in word", []string{"x{}", "{}"}, Options{}, []string{"echo a b"}, "xecho a b echo a b", "", nil},
		{"leading positional", []string{"{1}", "{2}"}, Options{}, []string{"echo", "a b"}, "echo a b", "", nil},
		{"leading always quoted", []string{"{}"}, Options{AlwaysQuote: true}, []string{"echo a b"}, "'echo a b'", "echo a b", nil},
		{"assignment is quoted", []string{"FOO={}", "env"}, Options{}, []string{"a b"}, "FOO='a b' env", "FOO=a b env", nil},
		{"leading blank is quoted", []string{" {}"}, Options{}, []string{"a b"}, " 'a b'", " a b", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := mustParse(t, tt.words, tt.opt)
			a := Args{Values: tt.vals, Seq: 7, Slot: 2}
			if got := string(tm.AppendShell(nil, a)); got != tt.shell {
				t.Errorf("AppendShell = %q, want %q", got, tt.shell)
			}
			plain := tt.plain
			if plain == "" {
				plain = tt.shell
			}
			if got := string(tm.AppendPlain(nil, a)); got != plain {
				t.Errorf("AppendPlain = %q, want %q", got, plain)
			}
			if tt.argv != nil {
				if got := tm.Argv(a); !reflect.DeepEqual(got, tt.argv) {
					t.Errorf("Argv = %q, want %q", got, tt.argv)
				}
			}
		})
	}
}

// modifierCases are values and what {.} {/} {//} {/.} make of them, as
// GNU parallel 20221122 prints them.
var modifierCases = []struct{ v, noExt, base, dir, baseNoExt string }{
	{"/x/y/z.txt", "/x/y/z", "z.txt", "/x/y", "z"},
	{"a.b/c.d.e", "a.b/c.d", "c.d.e", "a.b", "c.d"},
	{"a/b", "a/b", "b", "a", "b"},
	{"a", "a", "a", ".", "a"},
	{"b.c", "b", "b.c", ".", "b"},
	{".bashrc", "", ".bashrc", ".", ""},
	{"a/", "a/", "", ".", ""},
	{"a/.b", "a/", ".b", "a", ""},
	{"/", "/", "", "/", ""},
	{"//", "//", "", "/", ""},
	{"", "", "", ".", ""},
	{"a/b/", "a/b/", "", "a", ""},
	{"a//b", "a//b", "b", "a", "b"},
	{"./a", "./a", "a", ".", "a"},
	{"a.b/c", "a.b/c", "c", "a.b", "c"},
	{"/a", "/a", "a", "/", "a"},
	{"a.", "a", "a.", ".", "a"},
	{"..", ".", "..", ".", "."},
	{".", "", ".", ".", ""},
	{"a/.", "a/", ".", "a", ""},
	{"dir.x/", "dir.x/", "", ".", ""},
	{"a b.c d", "a b", "a b.c d", ".", "a b"},
	// perl's '.' does not match a newline: s:.*/:: stops at one.
	{"x/a\nb/c", "x/a\nb/c", "a\nb/c", "x/a\nb", "a\nb/c"},
	{"x.d\n", "x", "x.d\n", ".", "x"},
	{"a\nb.c", "a\nb", "a\nb.c", ".", "a\nb"},
	{"/\n/", "/\n/", "\n/", "/", "\n/"},
	{"a/\n", "a/\n", "\n", "a", "\n"},
	{"a/b\nc/d", "a/b\nc/d", "b\nc/d", "a/b\nc", "b\nc/d"},
	{"\n/a", "\n/a", "\na", "\n", "\na"},
	{"a.b\n.c/d", "a.b\n.c/d", "a.b\nd", "a.b\n.c", "a"},
	{"a/b\n", "a/b\n", "b\n", "a", "b\n"},
}

func TestModifiers(t *testing.T) {
	t.Parallel()
	plain := func(words ...string) *Template { return mustParse(t, words, Options{}) }
	tms := []*Template{plain("{.}"), plain("{/}"), plain("{//}"), plain("{/.}")}
	pos := []*Template{plain("{1.}"), plain("{-1/}"), plain("{1 //}"), plain("{1\t/.}")}
	for _, c := range modifierCases {
		want := []string{c.noExt, c.base, c.dir, c.baseNoExt}
		for i := range want {
			a := Args{Values: []string{c.v}}
			if got := string(tms[i].AppendPlain(nil, a)); got != want[i] {
				t.Errorf("%s of %q = %q, want %q", []string{"{.}", "{/}", "{//}", "{/.}"}[i], c.v, got, want[i])
			}
			if got := string(pos[i].AppendPlain(nil, a)); got != want[i] {
				t.Errorf("positional form %d of %q = %q, want %q", i, c.v, got, want[i])
			}
		}
	}
}

func TestPositional(t *testing.T) {
	t.Parallel()
	vals := []string{"a.x", "/p/q.r", "c"}
	for tmpl, want := range map[string]string{
		"{1}":                    "a.x",
		"{2}":                    "/p/q.r",
		"{3}":                    "c",
		"{4}":                    "",
		"{01}":                   "a.x",
		"{-1}":                   "c",
		"{-3}":                   "a.x",
		"{-4}":                   "c", // perl wraps a negative index once
		"{-6}":                   "a.x",
		"{-7}":                   "",
		"{0}":                    "a.x /p/q.r c", // "0" is false to perl: all values
		"{0.}":                   "a /p/q c",
		"{00}":                   "",
		"{-0}":                   "",
		"{1.}":                   "a",
		"{2/}":                   "q.r",
		"{2//}":                  "/p",
		"{2/.}":                  "q",
		"{-2/.}":                 "q",
		"{1 }":                   "a.x",
		"{2 /.}":                 "q",
		"{1\n.}":                 "a",
		"{ 1}":                   "{ 1}",
		"{1x}":                   "{1x}",
		"{1}{2}{9}":              "a.x/p/q.r",
		"{1#}":                   "", // parallel reads it as {11#}: the 11th value's seq
		"{2%}":                   "",
		"{99999999999999999999}": "",
	} {
		tm := mustParse(t, []string{tmpl}, Options{NoAppend: true})
		if got := string(tm.AppendPlain(nil, Args{Values: vals, Seq: 5, Slot: 6})); got != want {
			t.Errorf("%q = %q, want %q", tmpl, got, want)
		}
	}
	eleven := make([]string, 11)
	tm := mustParse(t, []string{"{1#}:{-1%}"}, Options{})
	if got := string(tm.AppendPlain(nil, Args{Values: eleven, Seq: 5, Slot: 6})); got != "5:6" {
		t.Errorf("{1#}:{-1%%} of 11 values = %q, want 5:6", got)
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token string
		words []string
		vals  []string
		want  string
	}{
		{",,", []string{"echo", ",,."}, []string{"q.z"}, "echo q.z."},
		{",,", []string{"echo", ",,", "{}", "{.}", "{1}", "{1.}", "{,,}"}, []string{"q.z"}, "echo q.z {} q {1} q {q.z}"},
		{",,", []string{"echo"}, []string{"a"}, "echo a"},
		{"{x}", []string{"echo", "{x}", "{1x}", "{1 x}", "{}"}, []string{"a.b"}, "echo a.b a.b a.b {}"},
		{"{.}", []string{"echo", "{.}", "{}", "{1.}", "{1}"}, []string{"a.b"}, "echo a.b {} a.b {1}"},
		{"{}x", []string{"echo", "{}x", "{}", "{1}x", "{.}"}, []string{"a.b"}, "echo a.b {} a.b a"},
		{"x", []string{"echo", "x{}", "{.}x"}, []string{"a.b"}, "echo a.b{} aa.b"},
		{"{//}", []string{"echo", "{//}", "{/}", "{1//}"}, []string{"a/b.c"}, "echo a/b.c b.c a/b.c"},
	}
	for _, tt := range tests {
		tm := mustParse(t, tt.words, Options{Token: tt.token})
		if got := string(tm.AppendShell(nil, Args{Values: tt.vals})); got != tt.want {
			t.Errorf("-I %q %q: got %q, want %q", tt.token, tt.words, got, tt.want)
		}
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ctx   byte
		words []string
		vals  []string
		want  string
	}{
		{'X', []string{"echo", "X{}Y"}, []string{"a", "b", "c"}, "echo XaY XbY XcY"},
		{'m', []string{"echo", "X{}Y"}, []string{"a", "b", "c"}, "echo Xa b cY"},
		{'X', []string{"echo", "X{}Y", "{1}Z", "{#}", "Q{1}{}", "{%}"}, []string{"a", "b", "c"}, "echo XaY XbY XcY aZ 1 Qaa Qab Qac 2"},
		{'X', []string{"echo", "X{}Y{}"}, []string{"a", "b"}, "echo XaYa XbYb"},
		{'m', []string{"echo", "X{}Y{}"}, []string{"a", "b"}, "echo Xa bYa b"},
		{'m', []string{"echo", "X{.}Y{/}", "{2/}"}, []string{"a.b", "c/d.e"}, "echo Xa c/dYa.b d.e d.e"},
		{'X', []string{"echo", "{0}", "{00}"}, []string{"a", "b"}, "echo a b "},
		{'X', []string{"echo", "{#}{}"}, []string{"a", "b"}, "echo 1a 1b"},
		{'X', []string{"echo  X{}Y  W"}, []string{"a b", "c"}, "echo  X'a b'Y XcY  W"},
		{'X', []string{"echo"}, []string{"a b", "c"}, "echo 'a b' c"},
		{'X', []string{"echo {} | cat"}, []string{"a b", "c"}, "echo 'a b' c | cat"},
		{'X', []string{"echo", "{}"}, []string{"a", "", "c"}, "echo a '' c"},
		{'X', []string{"echo", "x{}y"}, []string{"a", "", "c"}, "echo xay x''y xcy"},
		{'X', []string{"echo", "x{}y"}, nil, "echo xy"},
		{'X', []string{"{}", "x{}"}, []string{"a b", "c"}, "a b c xa b xc"},
		// A tab ends a group and starts the next; a newline does not end one.
		{'X', []string{"echo\tX{}Y"}, []string{"a", "b"}, "echo\tXaY \tXbY"},
		{'X', []string{"echo X{}Y\tZ{}W"}, []string{"a", "b"}, "echo XaY XbY\tZaW \tZbW"},
		{'X', []string{"echo X{}Y\nZ{}W"}, []string{"a", "b"}, "echo XaY\nZaW XbY\nZbW"},
		// A run of exactly " \n" between replacement strings is one token
		// to parallel, so its space ends no group; between words it does.
		{'X', []string{"echo", "{} \n{}"}, []string{"a", "b"}, "echo a \na b \nb"},
		{'X', []string{"echo", "{} \nx"}, []string{"a", "b"}, "echo a b \nx"},
		{'X', []string{"echo", "{}", " \n{}"}, []string{"a", "b"}, "echo a b  \na  \nb"},
		{'X', []string{"echo", "{} \n", "{}"}, []string{"a", "b"}, "echo a \n b \n a b"},
	}
	for _, tt := range tests {
		tm := mustParse(t, tt.words, Options{Context: tt.ctx})
		if got := string(tm.AppendShell(nil, Args{Values: tt.vals, Seq: 1, Slot: 2})); got != tt.want {
			t.Errorf("-%c %q %q: got %q, want %q", tt.ctx, tt.words, tt.vals, got, tt.want)
		}
	}
	tm := mustParse(t, []string{"convert", "-in", "X{}Y", "{/.}.png"}, Options{Context: 'X'})
	got := tm.Argv(Args{Values: []string{"a b", "c/d.e"}})
	want := []string{"convert", "-in", "Xa bY", "Xc/d.eY", "a b.png", "d.png"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("-X Argv = %q, want %q", got, want)
	}
}

func TestNeedsShell(t *testing.T) {
	t.Parallel()
	for words, want := range map[string]bool{
		"echo {}":                  false,
		"gzip -9 {}":               false,
		"convert {} {/.}.png":      false,
		"cmd --flag={} -x,y a:b@c": false,
		"cmd 100% ^x +y":           false,
		"echo\t{}":                 false,
		"/bin/echo {}":             false,
		"./run {}":                 false,
		"echo {} | cat":            true,
		"echo {} > out":            true,
		"echo a; echo b":           true,
		"echo $HOME":               true,
		"echo 'a'":                 true,
		`echo "a"`:                 true,
		"echo *":                   true,
		"echo ~":                   true,
		"echo a\nb":                true,
		"echo {foo}":               true,
		"echo #x":                  true,
		"echo é":                   true,
		"exit {}":                  true,
		"cd {}":                    true,
		". {}":                     true,
		": {}":                     true,
		"export {}":                true,
		"time {}":                  true,
		"%1":                       true,
		"FOO=1 env":                true,
		"{}":                       true,
		"{1} {2}":                  true,
		"x{}":                      true,
		"{.}/run":                  true,
		" ":                        true,
		"exits {}":                 false,
		"env FOO=1 cmd":            false,
	} {
		tm := mustParse(t, []string{words}, Options{})
		if tm.NeedsShell() != want {
			t.Errorf("NeedsShell(%q) = %v, want %v", words, !want, want)
		}
	}
	if !mustParse(t, []string{""}, Options{NoAppend: true}).NeedsShell() {
		t.Error("an empty command must go to the shell")
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, words := range [][]string{
		{"echo", "{= $_ =}"},
		{"echo", "{==}"},
		{"echo", "a{=b", "=}"},
		{"echo {={= s/a/b/ =}"},
	} {
		tm, err := Parse(words, Options{})
		if err != nil || !tm.UsesPerl() {
			t.Errorf("Parse(%q): %v, perl %v", words, err, tm != nil && tm.UsesPerl())
		}
	}
	for _, words := range [][]string{{"echo", "{="}, {"echo", "=}"}, {"echo {={=}"}, {"{=}"}} {
		if tm, err := Parse(words, Options{}); err != nil || tm.UsesPerl() {
			t.Errorf("Parse(%q): %v; parallel takes it as literal text", words, err)
		}
	}
	if _, err := Parse([]string{"echo"}, Options{Context: 'q'}); err == nil {
		t.Error("unknown context accepted")
	}
}

func TestUsesSlot(t *testing.T) {
	t.Parallel()
	if !mustParse(t, []string{"echo", "{%}"}, Options{}).UsesSlot() || mustParse(t, []string{"echo", "{#}"}, Options{}).UsesSlot() {
		t.Fatal("UsesSlot wrong")
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a":         "a",
		"-_+./09AZ": "-_+./09AZ",
		"a b":       "'a b'",
		"it's":      `'it'"'"'s'`,
		"'":         `"'"`,
		"''":        `"'"''"'"`,
		"'abc":      `"'"'abc'`,
		"abc'":      `'abc'"'"`,
		"a'b'c":     `'a'"'"'b'"'"'c'`,
		"":          "''",
		"a:b":       "'a:b'",
		"a=b":       "'a=b'",
		"a,b":       "'a,b'",
		"$HOME":     "'$HOME'",
		"~":         "'~'",
		"é":         "'é'",
		"a\nb":      "'a\nb'",
		`x"y`:       `'x"y'`,
	} {
		if got := string(AppendQuote(nil, in)); got != want {
			t.Errorf("quote(%q) = %q, want %q", in, got, want)
		}
	}
	if got := string(AppendQuote([]byte("x "), "a b")); got != "x 'a b'" {
		t.Errorf("AppendQuote does not append: %q", got)
	}
}

// shellSplit has a real shell parse each line's words and returns the
// argument vectors it builds, one shell for all lines.
func shellSplit(t testing.TB, lines []string) [][]string {
	t.Helper()
	var script strings.Builder
	for _, l := range lines {
		script.WriteString("set -- " + l + "\nprintf '%s\\0' \"$#\"; for w; do printf '%s\\0' \"$w\"; done\n")
	}
	out, err := exec.Command("/bin/sh", "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, script.String())
	}
	fields := strings.Split(string(out), "\x00")
	var res [][]string
	for i := 0; i < len(fields)-1; {
		n, err := strconv.Atoi(fields[i])
		if err != nil || i+1+n > len(fields) {
			t.Fatalf("bad shell output at %d: %q", i, out)
		}
		res = append(res, fields[i+1:i+1+n])
		i += 1 + n
	}
	if len(res) != len(lines) {
		t.Fatalf("shell gave %d argvs for %d lines", len(res), len(lines))
	}
	return res
}

var argvTemplates = [][]string{
	{"echo", "{}"}, {"echo", "X{}Y"}, {"echo", "{.}", "{/}", "{//}", "{/.}"},
	{"echo", "{1}-{2}", "{2.}", "{-1/}"}, {"cmd", "--flag={}"}, {"echo"}, {"echo", "{3}"},
	{"echo", "a{}b{}c"}, {"echo", "{#}", "{%}{}", "x{1#}y"}, {"echo\t{}\t\tX{.}Y  "},
	{"convert", "{}", "{/.}.png"}, {"echo", "{0}", "{00}", "{-9}"}, {"echo", "{}{}"},
	{"a", "{2}{3}", "{4}"}, {"echo", "p{}", "{}q", "{.}{/}"},
}

var argvValues = [][]string{
	{"a b"}, {"it's", "x"}, {""}, {"", ""}, {"*", "$HOME"}, {"/x/y.z", "tab\there"}, {},
	{"a\nb", "-n"}, {`back\slash`, `"dq"`}, {"'", "''", "a'"}, {"a/", "/", ".b"},
	{"é", "~x", "#", "a=b"}, {"$(echo hi)", "`x`", ";", "|", "&"}, {"-"},
}

// TestArgvMatchesShell checks that running directly gives the program the
// same arguments the shell would give it from the quoted line.
func TestArgvMatchesShell(t *testing.T) {
	t.Parallel()
	type c struct {
		ctx  byte
		w, v []string
		argv []string
	}
	var cases []c
	var lines []string
	for _, ctx := range []byte{0, 'X', 'm'} {
		for _, w := range argvTemplates {
			tm := mustParse(t, w, Options{Context: ctx})
			if tm.NeedsShell() {
				t.Fatalf("%q needs a shell", w)
			}
			for _, v := range argvValues {
				a := Args{Values: v, Seq: 3, Slot: 4}
				lines = append(lines, string(tm.AppendShell(nil, a)))
				cases = append(cases, c{ctx, w, v, tm.Argv(a)})
			}
		}
	}
	for i, want := range shellSplit(t, lines) {
		got := cases[i].argv
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ctx %q %q %q: Argv %q, shell gives %q from %q", cases[i].ctx, cases[i].w, cases[i].v, got, want, lines[i])
		}
	}
}
