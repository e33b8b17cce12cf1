package cli

import (
	"reflect"
	"testing"
)

// The rewritten strings are what GNU parallel 20221122's
// set_input_source_header makes of them.
func TestRenameColumn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s, name string
		id      int
		parens  string
		want    string
	}{
		{"{a}", "a", 1, "", "{1}"},
		{"x{a}y{a}", "a", 2, "", "x{2}y{2}"},
		{"{a.} {a/} {a//} {a/.}", "a", 3, "", "{3.} {3/} {3//} {3/.}"},
		{"{ab} {a", "a", 1, "", "{ab} {a"},
		{"{a..}", "a", 1, "", "{a..}"}, // not a modifier of {}
		{"{a%x}", "a", 1, "", "{a%x}"}, // --plus's forms keep the name
		{"{=a s/x/y/ =}", "a", 4, "", "{=4 s/x/y/ =}"},
		{"{= a =}", "a", 4, "", "{= a =}"}, // the name must follow {= at once
		{"[[a $_ ]]", "a", 5, "[[]]", "[[5 $_ ]]"},
		{"{a.b}", "a.b", 1, "", "{1}"},
		{"{axb}", "a.b", 1, "", "{axb}"}, // names are literal here
		{"{}", "", 2, "", "{2}"},         // an empty name is GNU parallel's too
		{"{x$1}", "x$1", 1, "", "{1}"},
		{"{$}", "$", 1, "$$", "{1}"},
	}
	for _, tt := range tests {
		left, right := "{=", "=}"
		if tt.parens != "" {
			h := len(tt.parens) / 2
			left, right = tt.parens[:h], tt.parens[h:]
		}
		if got := renameColumn(tt.s, tt.name, tt.id, left, right); got != tt.want {
			t.Errorf("renameColumn(%q, %q, %d) = %q, want %q", tt.s, tt.name, tt.id, got, tt.want)
		}
	}
}

func TestHeaderColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o     Options
		lines []string
		want  []column
	}{
		{Options{}, []string{"a\tb", "c"}, []column{{"a", 1}, {"b", 2}, {"c", 3}}},
		{Options{Colsep: ","}, []string{"a,b"}, []column{{"a", 1}, {"b", 2}}},
		{Options{CSV: true}, []string{"a,b"}, []column{{"a", 1}, {"b", 2}}},
		{Options{}, []string{"", "c"}, []column{{"c", 1}}},
		// files follow, numbered among themselves
		{Options{Sources: []SourceSpec{{Kind: ArgsList}, {Kind: File, Path: "f"}, {Kind: File, Path: "-"}, {Kind: File, Path: "g"}}},
			[]string{"x", "y", "z", "w"}, []column{{"x", 1}, {"y", 2}, {"z", 3}, {"w", 4}, {"f", 1}, {"g", 2}}},
		// --header 0 reads no line
		{Options{Sources: []SourceSpec{{Kind: File, Path: "f"}}}, []string{}, []column{{"f", 1}}},
	}
	for _, tt := range tests {
		o := tt.o
		o.Pipe.HeaderSet = true
		got, err := headerColumns(&o, tt.lines)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v %q: %v, %v; want %v", tt.o, tt.lines, got, err, tt.want)
		}
	}
}
