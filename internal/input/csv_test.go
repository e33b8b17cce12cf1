package input

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The expected fields are what GNU parallel 20221122's --csv (Text::CSV)
// gives for each record.
func TestSplitCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rec, sep string
		want     []string // nil: not CSV
	}{
		{"", ",", []string{""}},
		{"a", ",", []string{"a"}},
		{"a,b,c", ",", []string{"a", "b", "c"}},
		{"a,", ",", []string{"a", ""}},
		{",", ",", []string{"", ""}},
		{",,", ",", []string{"", "", ""}},
		{`"a,b",c`, ",", []string{"a,b", "c"}},
		{`"a""b",,c`, ",", []string{`a"b`, "", "c"}},
		{`""`, ",", []string{""}},
		{`"",""`, ",", []string{"", ""}},
		{"\"multi\nline\",x", ",", []string{"multi\nline", "x"}},
		{"\"a\r\nb\",c", ",", []string{"a\r\nb", "c"}},
		{" a , b ", ",", []string{" a ", " b "}},
		{`a;"b;c"`, ";", []string{"a", "b;c"}},
		{"a::b", "::", []string{"a", "b"}},
		{"a,b", "", []string{"a", "b"}},
		{`a,"b`, ",", nil},
		{`a,b"c,d`, ",", nil},
		{`"x"y,z`, ",", nil},
		{` "a",b`, ",", nil},
		{`"a" ,b`, ",", nil},
		{"a,b\r", ",", nil},
		{"a\nb", ",", nil},
	}
	for _, tt := range tests {
		got, err := SplitCSV(tt.rec, tt.sep)
		if tt.want == nil {
			if !errors.Is(err, ErrCSV) {
				t.Errorf("SplitCSV(%q, %q) = %q, %v; want ErrCSV", tt.rec, tt.sep, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitCSV(%q, %q) = %q, %v; want %q", tt.rec, tt.sep, got, err, tt.want)
		}
	}
}

// A CSV source joins lines while a quoted field is open, keeping the
// delimiter; the end-of-file string is looked for on each line.
func TestCSVRecords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		f    Format
		want [][]string
	}{
		{"a,b\nc,d\n", Format{}, [][]string{{"a", "b"}, {"c", "d"}}},
		{"\"x\ny\",z\nq\n", Format{}, [][]string{{"x\ny", "z"}, {"q"}}},
		{"\"x\n\ny\",z\n", Format{}, [][]string{{"x\n\ny", "z"}}},
		{"a;\"b;c\";d;", Format{Delim: ';'}, [][]string{{"a"}, {"b;c"}, {"d"}}},
		{"a,b\nEND\nc\n", Format{EOF: "END"}, [][]string{{"a", "b"}}},
		{"\"a\nEND\nb\"\n", Format{EOF: "END"}, [][]string{{"a\nEND\nb"}}},
		{" a , b \n", Format{Trim: TrimBoth}, [][]string{{"a", "b"}}},
		{"a\n\nb\n", Format{SkipEmpty: true}, [][]string{{"a"}, {"b"}}},
	}
	for _, tt := range tests {
		f := tt.f
		f.CSV = true
		var got [][]string
		src := Reader(strings.NewReader(tt.in), "in", f)
		for {
			rec, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%q: %v", tt.in, err)
			}
			got = append(got, rec)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A quoted field left open at the end of the input is an error naming the
// input, and the source reads no further.
func TestCSVOpenQuote(t *testing.T) {
	t.Parallel()
	for _, src := range []Source{
		Reader(strings.NewReader("a\n\"b,c\nd\n"), "in", Format{CSV: true}),
		Args([]string{"a", "\"b,c", "d"}, Format{CSV: true}),
	} {
		if rec, err := src.Next(); err != nil || rec[0] != "a" {
			t.Fatalf("first record: %q, %v", rec, err)
		}
		_, err := src.Next()
		if !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), `"\"b,c\nd"`) {
			t.Fatalf("open quote: %v", err)
		}
		if _, again := src.Next(); again == nil {
			t.Fatal("the source read on after its error")
		}
	}
}

func TestColumns(t *testing.T) {
	t.Parallel()
	tab := regexp.MustCompile("\t")
	tests := []struct {
		line string
		want []string
	}{
		{"", []string{}},
		{"a", []string{"a"}},
		{"a\tb", []string{"a", "b"}},
		{"a\t\tb", []string{"a", "", "b"}},
		{"\ta", []string{"", "a"}},
		{"a\t\t", []string{"a"}}, // Perl's split drops empty fields at the end
	}
	for _, tt := range tests {
		if got := Columns(tab, tt.line); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Columns(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// FirstRecord takes the raw line, before the rules and splitting, and the
// records go on after it.
func TestFirstRecord(t *testing.T) {
	t.Parallel()
	f := Format{Colsep: regexp.MustCompile(","), EOF: "h,1"}
	for _, src := range []Source{
		Reader(strings.NewReader("h,1\nb,2\n"), "in", f),
		Args([]string{"h,1", "b,2"}, f),
	} {
		line, ok, err := FirstRecord(src)
		if line != "h,1" || !ok || err != nil {
			t.Fatalf("FirstRecord = %q, %v, %v", line, ok, err)
		}
		rec, err := src.Next()
		if err != nil || !reflect.DeepEqual(rec, []string{"b", "2"}) {
			t.Fatalf("then Next = %q, %v", rec, err)
		}
		if _, ok, err := FirstRecord(src); ok || err != nil {
			t.Fatalf("at the end: %v, %v", ok, err)
		}
	}
}

// Shuffle keeps every record.
func TestShuffle(t *testing.T) {
	t.Parallel()
	var vals []string
	for i := range 50 {
		vals = append(vals, strings.Repeat("x", i))
	}
	src, err := Shuffle(Args(vals, Format{}))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		seen[rec[0]] = true
	}
	if len(seen) != len(vals) {
		t.Fatalf("%d records of %d", len(seen), len(vals))
	}
}

// quoteCSV writes fields as a CSV record, quoting each that needs it.
func quoteCSV(fields []string, sep string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString(sep)
		}
		if f == "" || strings.ContainsAny(f, "\"\r\n") || strings.Contains(f, sep) {
			b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
		} else {
			b.WriteString(f)
		}
	}
	return b.String()
}

// FuzzSplitCSV checks that any record splits without a panic, that a
// record of quoted fields splits back into them, and that a record
// without line breaks splits as encoding/csv splits it.
func FuzzSplitCSV(f *testing.F) {
	for _, s := range []string{"", "a,b", `"a,b",c`, `"a""b"`, "\"x\ny\"", `a,"b`, `a"b`, ",,", `"",x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		fields, err := SplitCSV(rec, ",")
		if err == nil {
			back, err := SplitCSV(quoteCSV(fields, ","), ",")
			if err != nil || !reflect.DeepEqual(back, fields) {
				t.Fatalf("%q: fields %q, quoted back %q, %v", rec, fields, back, err)
			}
		}
		if rec == "" || strings.ContainsAny(rec, "\r\n") || strings.TrimSpace(rec) == "" || rec[0] == '#' {
			return
		}
		r := csv.NewReader(strings.NewReader(rec))
		r.FieldsPerRecord = -1
		std, stdErr := r.Read()
		if (err == nil) != (stdErr == nil) || err == nil && !reflect.DeepEqual(fields, std) {
			t.Fatalf("%q: SplitCSV %q, %v; encoding/csv %q, %v", rec, fields, err, std, stdErr)
		}
	})
}
