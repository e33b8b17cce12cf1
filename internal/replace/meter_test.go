package replace

import (
	"strings"
	"testing"
)

func TestQuotedLen(t *testing.T) {
	for _, s := range []string{"", "a", "a b", "'", "''", "'a", "a'", "'a'", "it's", "$x", "a'b'c", "\n"} {
		if got, want := QuotedLen(s), len(AppendQuote(nil, s)); got != want {
			t.Errorf("QuotedLen(%q) = %d, want %d (%s)", s, got, want, AppendQuote(nil, s))
		}
	}
}

// TestMeter holds the meter to the length of the line AppendShell renders,
// value by value, for the shapes of line -X, -m and -n make.
func TestMeter(t *testing.T) {
	cases := []struct {
		words []string
		ctx   byte
	}{
		{[]string{"echo"}, 0},
		{[]string{"echo"}, 'X'},
		{[]string{"echo", "{}"}, 'm'},
		{[]string{"echo", "pre{}post"}, 'X'},
		{[]string{"echo", "pre{}post"}, 'm'},
		{[]string{"echo", "{}", "{}"}, 'X'},
		{[]string{"echo {} {.}; x={/} {#}"}, 'X'},
		{[]string{"echo", "{1}", "{-1}", "{3//}", "{%}", "{2#}"}, 'X'},
		{[]string{"echo", "a{1}b{}c"}, 'X'},
		{[]string{"{}"}, 0},
		{[]string{"{}", "x"}, 'X'},
		{[]string{"echo\tx{}y z"}, 'X'},
	}
	values := []string{"a", "it's", "", "dir/f.txt", "a b", "'", "x\ny/z.q", "-n"}
	for _, c := range cases {
		for _, qw := range []bool{false, true} {
			tm, err := Parse(c.words, Options{Context: c.ctx, QuoteWords: qw})
			if err != nil {
				t.Fatal(err)
			}
			m := tm.Meter()
			m.SlotLen = 2
			for _, seq := range []int64{1, 12345} {
				m.Reset()
				for i := range values {
					m.Add(values[i : i+1])
					check(t, tm, m, values[:i+1], seq, qw)
					if i > 0 {
						m.Undo()
						check(t, tm, m, values[:i], seq, qw)
						m.Add(values[i : i+1])
					}
				}
			}
		}
	}
}

func check(t *testing.T, tm *Template, m *Meter, vals []string, seq int64, qw bool) {
	t.Helper()
	a := Args{Values: vals, Seq: seq, Slot: 10}
	want := len(tm.AppendShell(nil, a))
	if qw {
		want = 3 * len(tm.AppendPlain(nil, a))
	}
	if got := m.Len(vals, seq); got != want {
		t.Fatalf("%v -q=%v with %q: Len = %d, the line is %d: %s", tm.parts, qw, vals, got, want, tm.AppendShell(nil, a))
	}
}

// FuzzMeter holds the meter to the rendered line for any template and
// values, added one record at a time and taken back.
func FuzzMeter(f *testing.F) {
	f.Add("echo {} x{}y {#} {2/.}", "{}", "a,b c,'d,,e/f.g", byte(0))
	f.Add("{} {%} {-1}", ",,", "a,\n,x", byte(1))
	f.Add("cmd\t{.}z {//}", "", "x.y/z,,", byte(2))
	f.Fuzz(func(t *testing.T, tmpl, token, vals string, ctx byte) {
		opt := Options{Token: token, Context: []byte{0, 'X', 'm'}[ctx%3], NoAppend: ctx&4 != 0, QuoteWords: ctx&8 != 0}
		tm, err := Parse(strings.Split(tmpl, " "), opt)
		if err != nil {
			return
		}
		m := tm.Meter()
		m.SlotLen = 1
		values := strings.Split(vals, ",")
		for i := range values {
			m.Add(values[i : i+1])
			a := Args{Values: values[:i+1], Seq: 7, Slot: 3}
			want := len(tm.AppendShell(nil, a))
			if opt.QuoteWords {
				want = 3 * len(tm.AppendPlain(nil, a))
			}
			if got := m.Len(values[:i+1], 7); got != want {
				t.Fatalf("Len = %d, the line is %d: %q", got, want, tm.AppendShell(nil, a))
			}
		}
	})
}
