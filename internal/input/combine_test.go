package input

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func a(v ...string) Source { return Args(v, Format{}) }

func file(s string) Source { return Reader(strings.NewReader(s), "file", Format{}) }

// The expectations below were checked against GNU parallel 20221122, with
// the command given in each comment.
func TestCombine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		groups [][]Source
		want   [][]string
	}{
		{"none", nil, nil},
		{"one", [][]Source{{a("a", "b")}}, recs("a", "b")},
		{"one empty", [][]Source{{a()}}, nil},
		// ::: a b ::: c d
		{"product", [][]Source{{a("a", "b")}, {a("c", "d")}}, recs("a|c", "a|d", "b|c", "b|d")},
		// ::: a ::: 1 2 ::: x y
		{"three", [][]Source{{a("a")}, {a("1", "2")}, {a("x", "y")}}, recs("a|1|x", "a|1|y", "a|2|x", "a|2|y")},
		// :::: file ::: x y (file from stdin)
		{"file first", [][]Source{{file("l1\nl2\n")}, {a("x", "y")}}, recs("l1|x", "l1|y", "l2|x", "l2|y")},
		{"file later", [][]Source{{a("x", "y")}, {file("l1\nl2")}}, recs("x|l1", "x|l2", "y|l1", "y|l2")},
		// --link ::: a b c ::: 1 2
		{"link wraps", [][]Source{{a("a", "b", "c"), a("1", "2")}}, recs("a|1", "b|2", "c|1")},
		// --link ::: a b c d e ::: 1 2 ::: x y z
		{"link three", [][]Source{{a("a", "b", "c", "d", "e"), a("1", "2"), a("x", "y", "z")}},
			recs("a|1|x", "b|2|y", "c|1|z", "d|2|x", "e|1|y")},
		{"link wraps the first", [][]Source{{a("a"), a("1", "2", "3")}}, recs("a|1", "a|2", "a|3")},
		{"link equal", [][]Source{{a("a", "b"), a("1", "2")}}, recs("a|1", "b|2")},
		{"linked group later", [][]Source{{a("a", "b")}, {a("x", "y", "z"), a("1", "2")}},
			recs("a|x|1", "a|y|2", "a|z|1", "b|x|1", "b|y|2", "b|z|1")},
		// ::: a b ::: (an empty source is one empty value)
		{"empty later", [][]Source{{a("a", "b")}, {a()}}, recs("a|", "b|")},
		// ::: ::: a b
		{"empty first", [][]Source{{a()}, {a("a", "b")}}, recs("|a", "|b")},
		// :::: /dev/null ::: a ::: x y
		{"empty of three", [][]Source{{file("")}, {a("a")}, {a("x", "y")}}, recs("|a|x", "|a|y")},
		// ::: a b :::: /dev/null ::: x y
		{"empty middle", [][]Source{{a("a", "b")}, {file("")}, {a("x", "y")}}, recs("a||x", "a||y", "b||x", "b||y")},
		// ::: ::: (all empty)
		{"all empty", [][]Source{{a()}, {file("")}}, nil},
		{"empty linked", [][]Source{{a("a", "b"), a()}}, recs("a|", "b|")},
		{"empty value is not empty", [][]Source{{a("", "a")}, {a("x")}}, recs("|x", "a|x")},
		{"empty groups are skipped", [][]Source{{}, {a("a")}, {}}, recs("a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := all(t, Combine(tt.groups)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCombineShortest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		groups [][]Source
		want   [][]string
	}{
		// ::: a b :::+ 1 2 ::: x y
		{"plus", [][]Source{{a("a", "b"), a("1", "2")}, {a("x", "y")}}, recs("a|1|x", "a|1|y", "b|2|x", "b|2|y")},
		// ::: a b c :::+ 1 2 ::: x y
		{"first longer", [][]Source{{a("a", "b", "c"), a("1", "2")}, {a("x", "y")}}, recs("a|1|x", "a|1|y", "b|2|x", "b|2|y")},
		// ::: a b :::+ 1 2 3 ::: x y
		{"second longer", [][]Source{{a("a", "b"), a("1", "2", "3")}, {a("x", "y")}}, recs("a|1|x", "a|1|y", "b|2|x", "b|2|y")},
		// ::: a b ::: x y z :::+ 1 2
		{"linked later", [][]Source{{a("a", "b")}, {a("x", "y", "z"), a("1", "2")}}, recs("a|x|1", "a|y|2", "b|x|1", "b|y|2")},
		// ::: a b :::+ 1 2 :::+ p q ::: x y
		{"three linked", [][]Source{{a("a", "b"), a("1", "2"), a("p", "q")}, {a("x", "y")}},
			recs("a|1|p|x", "a|1|p|y", "b|2|q|x", "b|2|q|y")},
		// ::: a b c :::+ 1 2 3 ::: X Y :::+ 11 22 (the manual's example)
		{"manual", [][]Source{{a("a", "b", "c"), a("1", "2", "3")}, {a("X", "Y"), a("11", "22")}},
			recs("a|1|X|11", "a|1|Y|22", "b|2|X|11", "b|2|Y|22", "c|3|X|11", "c|3|Y|22")},
		// ::: a b :::+ (empty)
		{"empty linked", [][]Source{{a("a", "b"), a()}}, recs("a|")},
		// ::: :::+ a b
		{"empty linked first", [][]Source{{a(), a("a", "b")}}, recs("|a")},
		// ::: a b :::+ 1 2 :::
		{"empty after", [][]Source{{a("a", "b"), a("1", "2")}, {a()}}, recs("a|1|", "b|2|")},
		{"streams", [][]Source{{file("a\nb\nc\n"), file("1\n2\n")}}, recs("a|1", "b|2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := all(t, CombineShortest(tt.groups)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// counting records the order in which a source is read.
type counting struct {
	name string
	src  Source
	log  *[]string
}

func (c counting) Next() ([]string, error) {
	rec, err := c.src.Next()
	if err == nil {
		*c.log = append(*c.log, c.name+rec[0])
	}
	return rec, err
}

// TestCombineReadOrder checks that each source is read once, in GNU
// parallel's order, and that the first group is read only as needed.
func TestCombineReadOrder(t *testing.T) {
	t.Parallel()
	var log []string
	c := Combine([][]Source{
		{counting{"a", a("1", "2"), &log}},
		{counting{"b", a("1", "2"), &log}},
		{counting{"c", a("1", "2"), &log}},
	})
	first, err := c.Next()
	if err != nil || !reflect.DeepEqual(first, []string{"1", "1", "1"}) {
		t.Fatalf("first = %q, %v", first, err)
	}
	if want := []string{"a1", "b1", "c1"}; !reflect.DeepEqual(log, want) {
		t.Fatalf("read %q before the first record, want %q", log, want)
	}
	rest := all(t, c)
	if len(rest) != 7 {
		t.Fatalf("%d records after the first", len(rest))
	}
	if want := []string{"a1", "b1", "c1", "c2", "b2", "a2"}; !reflect.DeepEqual(log, want) {
		t.Fatalf("read order %q, want %q", log, want)
	}
}

// TestCombineOwnership checks that callers may keep and change records.
func TestCombineOwnership(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]Source{
		"product":  Combine([][]Source{{a("a", "b")}, {a("x", "y")}}),
		"link":     Combine([][]Source{{a("a", "b", "c"), a("x")}}),
		"shortest": CombineShortest([][]Source{{a("a", "b"), a("x", "y")}, {a("1", "2")}}),
	} {
		var kept [][]string
		for {
			rec, err := src.Next()
			if err != nil {
				break
			}
			kept = append(kept, append([]string(nil), rec...))
			for i := range rec {
				rec[i] = "clobbered"
			}
		}
		for _, rec := range kept {
			for _, v := range rec {
				if v == "clobbered" {
					t.Fatalf("%s: a record shares memory with an earlier one: %q", name, kept)
				}
			}
		}
	}
}

type broken struct{ after int }

func (b *broken) Next() ([]string, error) {
	if b.after == 0 {
		return nil, errors.New("broken source")
	}
	b.after--
	return []string{"v"}, nil
}

func TestCombineErrors(t *testing.T) {
	t.Parallel()
	for name, groups := range map[string]func() [][]Source{
		"first at start":  func() [][]Source { return [][]Source{{&broken{0}}, {a("x")}} },
		"later at start":  func() [][]Source { return [][]Source{{a("x")}, {&broken{0}}} },
		"first later on":  func() [][]Source { return [][]Source{{&broken{1}}, {a("x")}} },
		"later later on":  func() [][]Source { return [][]Source{{a("x")}, {&broken{1}}} },
		"linked":          func() [][]Source { return [][]Source{{a("x", "y"), &broken{1}}} },
		"linked later on": func() [][]Source { return [][]Source{{a("x")}, {a("x", "y"), &broken{1}}} },
	} {
		for _, combine := range []func([][]Source) Source{Combine, CombineShortest} {
			c := combine(groups())
			var err error
			for range 10 {
				if _, err = c.Next(); err != nil {
					break
				}
			}
			if err == nil || err.Error() != "broken source" {
				t.Fatalf("%s: err = %v", name, err)
			}
			if _, again := c.Next(); again != err {
				t.Fatalf("%s: the error did not stick: %v", name, again)
			}
		}
	}
}
