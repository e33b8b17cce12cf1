package input

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func all(t *testing.T, s Source) [][]string {
	t.Helper()
	var out [][]string
	for {
		rec, err := s.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func recs(s ...string) [][]string {
	var out [][]string
	for _, r := range s {
		out = append(out, strings.Split(r, "|"))
	}
	return out
}

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		f    Format
		want [][]string
	}{
		{"lines", "a\nb\nc\n", Format{}, recs("a", "b", "c")},
		{"no final newline", "a\nb", Format{}, recs("a", "b")},
		{"empty", "", Format{}, nil},
		{"empty lines", "a\n\nb\n", Format{}, recs("a", "", "b")},
		{"only newline", "\n", Format{}, recs("")},
		{"null", "x\x00y\x00", Format{Null: true}, recs("x", "y")},
		{"delim", "a,b,c", Format{Delim: ','}, recs("a", "b", "c")},
		{"nul inside lines", "a\x00b\n", Format{}, recs("a\x00b")},
		{"colsep", "1 2\n3 4\n", Format{Colsep: regexp.MustCompile(" ")}, recs("1|2", "3|4")},
		{"colsep tab", "k\tv\n", Format{Colsep: regexp.MustCompile(`\t`)}, recs("k|v")},
		{"colsep regex", "a,,b\n", Format{Colsep: regexp.MustCompile(`,+`)}, recs("a|b")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := all(t, Reader(strings.NewReader(tt.in), "test", tt.f))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLongLine(t *testing.T) {
	long := strings.Repeat("x", 10<<20)
	got := all(t, Reader(strings.NewReader("a\n"+long+"\nb"), "test", Format{}))
	if len(got) != 3 || got[1][0] != long || got[2][0] != "b" {
		t.Fatalf("long line not read whole (%d records)", len(got))
	}
}

func TestParseDelim(t *testing.T) {
	for in, want := range map[string]byte{",": ',', `\n`: '\n', `\t`: '\t', `\0`: 0, `\\`: '\\', `\x1f`: 0x1f, `\047`: '\''} {
		got, err := ParseDelim(in)
		if err != nil || got != want {
			t.Errorf("ParseDelim(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseDelim("ab"); err == nil {
		t.Error("ParseDelim accepted two characters")
	}
}

func TestCombine(t *testing.T) {
	a := func(v ...string) Source { return Args(v, Format{}) }
	tests := []struct {
		name   string
		groups [][]Source
		want   [][]string
	}{
		{"one", [][]Source{{a("a", "b")}}, recs("a", "b")},
		{"product", [][]Source{{a("a", "b")}, {a("1", "2")}}, recs("a|1", "a|2", "b|1", "b|2")},
		{"three", [][]Source{{a("a")}, {a("1", "2")}, {a("x", "y")}}, recs("a|1|x", "a|1|y", "a|2|x", "a|2|y")},
		{"link wraps", [][]Source{{a("a", "b", "c"), a("1", "2")}}, recs("a|1", "b|2", "c|1")},
		{"plus", [][]Source{{a("a", "b"), a("1", "2")}, {a("x", "y")}}, recs("a|1|x", "a|1|y", "b|2|x", "b|2|y")},
		{"empty later group", [][]Source{{a("a")}, {a()}}, nil},
		{"empty first", [][]Source{{a()}, {a("x")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := all(t, Combine(tt.groups)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	a := func() Source { return Args([]string{"a", "b", "c", "d", "e"}, Format{}) }
	if got := all(t, Batch(a(), 2, 0)); !reflect.DeepEqual(got, recs("a|b", "c|d", "e")) {
		t.Fatalf("-n2: %q", got)
	}
	if got := all(t, Batch(a(), 1<<30, 4)); !reflect.DeepEqual(got, recs("a|b", "c|d", "e")) {
		t.Fatalf("bytes 4: %q", got)
	}
	long := Args([]string{"aaaaaa", "b"}, Format{})
	if got := all(t, Batch(long, 1<<30, 4)); !reflect.DeepEqual(got, recs("aaaaaa", "b")) {
		t.Fatalf("an oversized record must stand alone: %q", got)
	}
}

// TestStreams proves the first record is available before the input ends.
func TestStreams(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	src := Reader(pr, "pipe", Format{})
	pw.Write([]byte("first\n"))
	rec, err := src.Next() // blocks forever if the reader waits for EOF
	if err != nil || rec[0] != "first" {
		t.Fatalf("got %q, %v", rec, err)
	}
	pw.Write([]byte("second"))
	pw.Close()
	if rec, _ := src.Next(); rec[0] != "second" {
		t.Fatalf("got %q", rec)
	}
	// The first group of a combination streams too.
	pr2, pw2, _ := os.Pipe()
	defer pr2.Close()
	c := Combine([][]Source{{Reader(pr2, "pipe", Format{})}, {Args([]string{"x"}, Format{})}})
	pw2.Write([]byte("a\n"))
	if rec, err := c.Next(); err != nil || !reflect.DeepEqual(rec, []string{"a", "x"}) {
		t.Fatalf("got %q, %v", rec, err)
	}
	pw2.Close()
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Open(filepath.Join(dir, "missing"), Format{})
	if err == nil || !strings.Contains(err.Error(), "missing") || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := Open(dir, Format{}); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("a\nb\n"), byte('\n'))
	f.Add([]byte("a,,b"), byte(','))
	f.Add([]byte{}, byte(0))
	f.Fuzz(func(t *testing.T, in []byte, delim byte) {
		fm := Format{Delim: delim, Null: delim == 0}
		var got []string
		src := Reader(strings.NewReader(string(in)), "fuzz", fm)
		for {
			rec, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rec) != 1 {
				t.Fatalf("record of %d values without colsep", len(rec))
			}
			got = append(got, rec[0])
		}
		d := string([]byte{delim})
		joined := strings.Join(got, d)
		want := string(in)
		if len(got) > 0 && strings.HasSuffix(want, d) {
			want = want[:len(want)-1]
		}
		if joined != want {
			t.Fatalf("split then join: %q, want %q", joined, want)
		}
	})
}

func FuzzColsep(f *testing.F) {
	f.Add("a b c", " ")
	f.Add("k\tv", `\t`)
	f.Add("x", "(")
	f.Fuzz(func(t *testing.T, line, sep string) {
		re, err := regexp.Compile(sep)
		if err != nil {
			return
		}
		recs := all(t, Args([]string{line}, Format{Colsep: re}))
		if len(recs) != 1 {
			t.Fatalf("%d records", len(recs))
		}
		if re.String() != "" && !re.MatchString("") && strings.Join(recs[0], "") != re.ReplaceAllString(line, "") {
			t.Fatalf("columns %q lost bytes of %q", recs[0], line)
		}
	})
}

func BenchmarkReader(b *testing.B) {
	data := strings.Repeat("/data/some/path/file-000123.txt\n", 10000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		src := Reader(strings.NewReader(data), "bench", Format{})
		for {
			if _, err := src.Next(); err != nil {
				break
			}
		}
	}
}
