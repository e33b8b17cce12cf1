package cli

import (
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/replace"
)

// pack runs the packer of a command line over values, as a run does, and
// returns the lines it makes, rendered, and the error that ended it.
func pack(t testing.TB, args []string, values []string, slots int) ([]string, error) {
	lines, _, err := packValues(t, args, values, slots)
	return lines, err
}

// packValues is pack, with every value the lines hold, in order.
func packValues(t testing.TB, args []string, values []string, slots int) ([]string, []string, error) {
	t.Helper()
	o, err := Parse(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := makePlan(o, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	maxLen := usableLength(o, 130329, nil)
	src := batch(o, pl, input.Args(values, input.Format{Delim: '\x01'}), slots, maxLen)
	var lines, all []string
	for seq := int64(1); ; seq++ {
		vals, err := src.Next()
		if errors.Is(err, io.EOF) {
			return lines, all, nil
		}
		if err != nil {
			return lines, all, err
		}
		all = append(all, vals...)
		if pl.noValues {
			vals = nil
		}
		lines = append(lines, string(pl.lineTmpl.AppendShell(nil, replace.Args{Values: vals, Seq: seq, Slot: 1})))
	}
}

// TestPackingLimit is the counting rule at its edges: the whole rendered
// line counts, and one as long as -s is too long, as in GNU parallel,
// whose output for each of these is recorded in the xargs testscripts.
func TestPackingLimit(t *testing.T) {
	t.Parallel()
	abcd := []string{"aaa", "bbb", "ccc", "ddd"}
	for _, c := range []struct {
		name   string
		args   []string
		values []string
		want   []string
		err    string
	}{
		{"under: 'echo aaa bbb' is 12", []string{"-s", "13", "-X", "echo"}, abcd, []string{"echo aaa bbb", "echo ccc ddd"}, ""},
		{"at: 12 reaches 12", []string{"-s", "12", "-X", "echo"}, abcd, []string{"echo aaa", "echo bbb", "echo ccc", "echo ddd"}, ""},
		{"over: a single value", []string{"-s", "8", "-X", "echo"}, abcd, nil, "command line too long (8 >= 8) at input 0: aaa"},
		{"-X repeats the context", []string{"-s", "30", "-X", "echo", "pre{}post"}, abcd,
			[]string{"echo preaaapost prebbbpost", "echo precccpost predddpost"}, ""},
		{"-m does not", []string{"-s", "30", "-m", "echo", "pre{}post"}, abcd, []string{"echo preaaa bbb ccc dddpost"}, ""},
		{"-X with {} twice", []string{"-s", "22", "-X", "echo", "{}", "{}"}, abcd, []string{"echo aaa bbb aaa bbb", "echo ccc ddd ccc ddd"}, ""},
		{"quoting grows a value", []string{"-s", "15", "-X", "echo"}, []string{"a'b", "c", "d"},
			[]string{`echo 'a'"'"'b'`, "echo c d"}, ""},
		{"quoting that reaches the limit", []string{"-s", "14", "-X", "echo"}, []string{"a'b", "c"}, nil,
			"command line too long (14 >= 14) at input 0: a'b"},
		{"-q counts three times over", []string{"-s", "30", "-q", "-X", "echo"}, abcd, []string{"echo aaa", "echo bbb", "echo ccc", "echo ddd"}, ""},
		{"{#} with its digits", []string{"-s", "16", "-X", "echo", "{}", "{#}"}, abcd, []string{"echo aaa bbb 1", "echo ccc ddd 2"}, ""},
		{"-N packs by count under the limit", []string{"-s", "30", "-N", "3", "echo", "x{}"}, abcd, []string{"echo xaaa xbbb xccc", "echo xddd"}, ""},
		{"no command: the values are the line", []string{"-s", "8", "-X"}, []string{"a", "b", "c", "d", "e"}, []string{"a b c d", "e"}, ""},
		{"-N0: no values on the line", []string{"-s", "8", "-N0", "echo", "x"}, []string{"a-long-value", "b"}, []string{"echo x", "echo x"}, ""},
		{"one record a line, held all the same", []string{"-s", "8", "echo"}, []string{"aa", "bbb"}, []string{"echo aa"}, "command line too long (8 >= 8) at input 0: bbb"},
	} {
		got, err := pack(t, c.args, c.values, 1)
		if !reflect.DeepEqual(got, c.want) || (err == nil) != (c.err == "") || err != nil && err.Error() != c.err {
			t.Errorf("%s: got %q, %v; want %q, %s", c.name, got, err, c.want, c.err)
		}
	}
}

// FuzzPacking checks the packer with the real meter against the real
// rendering: every value comes out once and in order, no line reaches the
// limit, and only a value too long for a line of its own is refused.
func FuzzPacking(f *testing.F) {
	f.Add("echo pre{}post {}", "aa,b'c,,d e,ffff", uint8(30), uint8(0))
	f.Add("{} x", "a,b,c", uint8(9), uint8(1))
	f.Add("echo {1} {-1} {#}", "it's,x/y.z,'", uint8(25), uint8(2))
	f.Fuzz(func(t *testing.T, cmd, vals string, limit, mode uint8) {
		if strings.ContainsAny(vals, "\x00\x01") || strings.ContainsAny(cmd, "\x00=") || limit == 0 {
			return
		}
		args := append([]string{"-s", string(rune('0'+limit/100)) + string(rune('0'+limit/10%10)) + string(rune('0'+limit%10))},
			[]string{"-X", "-m", "--xargs", "-q"}[mode%4])
		if mode%4 == 3 {
			args = append(args, "-X")
		}
		args = append(append(args, "--"), strings.Fields(cmd)...)
		values := strings.Split(vals, ",")
		o, err := Parse(args, nil)
		if err != nil {
			return
		}
		if _, err := makePlan(o, func(string) string { return "" }); err != nil {
			return
		}
		lines, got, err := packValues(t, args, values, 1+int(mode/4%4))
		for _, l := range lines {
			n := len(l)
			if o.Quote {
				continue // counted three times over, not as rendered
			}
			if n >= int(limit) {
				t.Fatalf("line %q is %d long, limit %d", l, n, limit)
			}
		}
		var tl *input.LineTooLongError
		if err != nil && !errors.As(err, &tl) {
			t.Fatal(err)
		}
		if !slices.Equal(got, values[:len(got)]) {
			t.Fatalf("values out of order: %q of %q", got, values)
		}
		if err == nil && len(got) != len(values) || err != nil && tl.Record[0] != values[len(got)] {
			t.Fatalf("%d of %d values out, then %v", len(got), len(values), err)
		}
	})
}
