package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func all(t testing.TB, s Source) [][]string {
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

// recs builds records from "a|b" notation: "|" separates values.
func recs(s ...string) [][]string {
	var out [][]string
	for _, r := range s {
		out = append(out, strings.Split(r, "|"))
	}
	return out
}

var (
	tab    = regexp.MustCompile(`\t`)
	space  = regexp.MustCompile(` `)
	commas = regexp.MustCompile(`,+`)
	comma  = regexp.MustCompile(`,`)
)

// The expectations below were checked against GNU parallel 20221122.
func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		f    Format
		want [][]string
	}{
		{"lines", "a\nb\nc\n", Format{}, recs("a", "b", "c")},
		{"no final newline", "a\nb", Format{}, recs("a", "b")},
		{"empty input", "", Format{}, nil},
		{"empty lines are records", "a\n\nb\n", Format{}, recs("a", "", "b")},
		{"only a newline", "\n", Format{}, recs("")},
		{"two newlines", "\n\n", Format{}, recs("", "")},
		{"trailing empty line", "a\nb\n\n", Format{}, recs("a", "b", "")},
		{"CR is kept", "a\r\nb\r\n", Format{}, recs("a\r", "b\r")},
		{"lone CR", "a\rb\n", Format{}, recs("a\rb")},
		{"NUL inside lines becomes \\0", "a\x00b\nc\x00\x00\n", Format{}, recs(`a\0b`, `c\0\0`)},
		{"spaces kept without colsep", " a \n", Format{}, recs(" a ")},
		{"null", "a\x00b\x00", Format{Null: true}, recs("a", "b")},
		{"null, empty last", "a\x00b\x00\x00", Format{Null: true}, recs("a", "b", "")},
		{"null keeps newlines", "a\nb\x00c", Format{Null: true}, recs("a\nb", "c")},
		{"delim", "a,b,c", Format{Delim: ','}, recs("a", "b", "c")},
		{"delim keeps the newline", "a,b\n", Format{Delim: ','}, recs("a", "b\n")},
		{"delim wins over null", "a,b\x00c", Format{Delim: ',', Null: true}, recs("a", `b\0c`)},
		{"delim tab", "a\tb", Format{Delim: '\t'}, recs("a", "b")},
		{"colsep tab", "a\tb\n\tc\t\n\n", Format{Colsep: tab}, recs("a|b", "|c|", "")},
		{"colsep space", " a  b \n", Format{Colsep: space}, recs("|a||b|")},
		{"colsep regex", ",a,,b,\n", Format{Colsep: commas}, recs("|a|b|")},
		{"colsep trims", " x , y \n", Format{Colsep: comma}, recs("x|y")},
		{"colsep trims Perl's \\s only", "\v\fa\u00a0\x85\n", Format{Colsep: comma}, recs("a\u00a0\x85")},
		{"colsep trim n", " x , y \n", Format{Colsep: comma, Trim: TrimNone}, recs(" x | y ")},
		{"colsep trim l", " x , y \n", Format{Colsep: comma, Trim: TrimLeft}, recs("x |y ")},
		{"colsep trim r", " x , y \n", Format{Colsep: comma, Trim: TrimRight}, recs(" x| y")},
		{"trim without colsep", " \ta b\t \n", Format{Trim: TrimBoth}, recs("a b")},
		{"colsep with null", "a b\x00c\x00", Format{Null: true, Colsep: space}, recs("a|b", "c")},
		{"colsep empty regex", "abc\n", Format{Colsep: regexp.MustCompile(``)}, recs("a|b|c|")},
		{"colsep zero-width match", "abc\n", Format{Colsep: regexp.MustCompile(`x*`)}, recs("a|b|c|")},
		{"colsep match at end", "abb\n", Format{Colsep: regexp.MustCompile(`b*`)}, recs("a|")},
		{"colsep match at start", ",a,\n", Format{Colsep: regexp.MustCompile(`,*`)}, recs("|a|")},
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
	}
	for _, tt := range tests {
		for rname, mk := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				// A tiny buffer sends every record through the long-record path.
				for _, size := range []int{16, 64 << 10} {
					got := all(t, newReader(mk(tt.in), "test", tt.f, size))
					if !reflect.DeepEqual(got, tt.want) {
						t.Fatalf("buffer %d: got %q, want %q", size, got, tt.want)
					}
				}
			})
		}
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		f      Format
		want   [][]string
	}{
		{"plain", []string{"a", "", " b "}, Format{}, recs("a", "", " b ")},
		{"none", nil, Format{}, nil},
		{"colsep applies to each value", []string{"a,b", "c"}, Format{Colsep: comma}, recs("a|b", "c")},
		{"colsep trims", []string{" a , b "}, Format{Colsep: comma}, recs("a|b")},
		{"a value holding newlines is several records", []string{"a\nb", "c"}, Format{}, recs("a", "b", "c")},
		{"a delimiter at the end makes an empty record", []string{"a\n", "b"}, Format{}, recs("a", "", "b")},
		{"only delimiters", []string{"\n\n"}, Format{}, recs("", "", "")},
		{"CR stays", []string{"a\r\nb"}, Format{}, recs("a\r", "b")},
		{"-d splits values", []string{",a,,b", "c"}, Format{Delim: ','}, recs("", "a", "", "b", "c")},
		{"-0 keeps newlines", []string{"a\nb"}, Format{Null: true}, recs("a\nb")},
		{"split before colsep", []string{"a,b\nc,d"}, Format{Colsep: comma}, recs("a|b", "c|d")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := all(t, Args(tt.values, tt.f)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestColsepPerl compares the column splitting with Perl's split, which
// GNU parallel runs, on fixed cases and on generated ones, for patterns
// whose syntax both understand. Lazy quantifiers are left out: see
// splitPerl.
func TestColsepPerl(t *testing.T) {
	t.Parallel()
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip("no perl")
	}
	type tc struct{ pattern, line string }
	var cases []tc
	for _, p := range []string{`,`, `,+`, `,*`, ` `, `\s+`, `\t`, ``, `x*`, `b*`, `a|b`, `(?:ab)+`, `^a`, `a\z`, `^,\z`, `^a\z`, `\b`, `[,;]`, `\x2c`} {
		for _, l := range []string{"a,b", ",a,,b,", "abb", "ab ab", "a\tb\t", " a  b ", "aaa", ";,", "abc", "b", "x", "a", ","} {
			cases = append(cases, tc{p, strings.ReplaceAll(l, `\t`, "\t")})
		}
	}
	atoms := []string{"a", "b", ",", "a*", "b+", ",?", "(?:ab)", "a|b", "^", `\z`, `\b`, "[ab]", "x*", "", "(?:a|b)*", "[,x]+", `\s*`}
	r := rand.New(rand.NewPCG(1, 2))
	for len(cases) < 3000 {
		p := ""
		for range r.IntN(3) + 1 {
			p += atoms[r.IntN(len(atoms))]
		}
		l := ""
		for range r.IntN(7) {
			l += string("ab,x "[r.IntN(5)])
		}
		cases = append(cases, tc{p, l})
	}
	var script bytes.Buffer
	script.WriteString("$, = \"\\x01\"; $\\ = \"\\n\";\n")
	for _, c := range cases {
		fmt.Fprintf(&script, "print map { \"[$_]\" } split(/%s/, \"%s\", -1);\n", c.pattern, strings.ReplaceAll(c.line, "\t", `\t`))
	}
	cmd := exec.Command(perl)
	cmd.Stdin = &script
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(cases) {
		t.Fatalf("perl printed %d lines, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		if c.line == "" {
			continue // Perl gives no fields; GNU parallel makes it one empty column
		}
		var b strings.Builder
		for k, col := range all(t, Args([]string{c.line}, Format{Colsep: regexp.MustCompile(c.pattern), Trim: TrimNone}))[0] {
			if k > 0 {
				b.WriteByte(1)
			}
			b.WriteString("[" + col + "]")
		}
		if b.String() != got[i] {
			t.Errorf("split /%s/ %q: perl %q, ours %q", c.pattern, c.line, got[i], b.String())
		}
	}
}

func TestParseDelim(t *testing.T) {
	t.Parallel()
	// What GNU parallel's unquote_printf makes of each.
	good := map[string]string{
		",": ",", "\n": "\n", `\n`: "\n", `\t`: "\t", `\r`: "\r", `\0`: "\x00", `\1`: "\x01",
		`\000`: "\x00", `\054`: ",", `\377`: "\xff", `\8`: "8", `\`: `\`, "\x00": "\x00",
		"ab": "ab", `\\`: `\\`, `\x2c`: `\x2c`, `\a`: `\a`, `\r\n`: "\r\n", `\\n`: "\\\n",
		`\12`: "\x012", `\0000`: "\x000", `\089`: "\x0089", "é": "é", "::": "::",
	}
	for in, want := range good {
		got, err := ParseDelim(in)
		if err != nil || got != want {
			t.Errorf("ParseDelim(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", `\400`} {
		_, err := ParseDelim(in)
		if err == nil {
			t.Errorf("ParseDelim(%q) accepted", in)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "-d") || strings.Contains(msg, "\n") {
			t.Errorf("ParseDelim(%q): %q", in, msg)
		}
	}
}

func TestSetDelim(t *testing.T) {
	t.Parallel()
	var f Format
	if err := f.SetDelim(`\0`); err != nil {
		t.Fatal(err)
	}
	got := all(t, Reader(strings.NewReader("a\nb\x00c"), "test", f))
	if !reflect.DeepEqual(got, recs("a\nb", "c")) {
		t.Fatalf("-d '\\0': got %q", got)
	}
}

// A delimiter of several bytes splits files and ::: values alike, as perl's
// $/ does in GNU parallel: a partial delimiter is text, and one that
// straddles the read buffer's edge still ends a record.
func TestDelimString(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		delim, in string
		want      []string
	}{
		{"::", "a::b::c:d::", []string{"a", "b", "c:d"}},
		{"::", "a::b", []string{"a", "b"}},
		{"XY", "aXYbXYc\n", []string{"a", "b", "c\n"}},
		{"aa", "aaa", []string{"", "a"}},
		{`\r\n`, "a\r\nb\nc\r\n", []string{"a", "b\nc"}},
		{"::", "", nil},
	} {
		var f Format
		if err := f.SetDelim(c.delim); err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for _, w := range c.want {
			want = append(want, []string{w})
		}
		for _, size := range []int{16, 64 << 10} {
			if got := all(t, newReader(strings.NewReader(c.in), "test", f, size)); !reflect.DeepEqual(got, want) {
				t.Errorf("-d %q, %q (buffer %d): got %q, want %q", c.delim, c.in, size, got, want)
			}
		}
		if c.in == "" || c.delim == "aa" {
			// A value that ends in part of the delimiter is cut where the
			// file would be: not the case the list reads it as.
			continue
		}
		// A ::: value is read as the value and one delimiter.
		in := strings.TrimSuffix(c.in, f.DelimString)
		if got := all(t, Args([]string{in}, f)); !reflect.DeepEqual(got, want) {
			t.Errorf("-d %q, ::: %q: got %q, want %q", c.delim, in, got, want)
		}
	}
	long := strings.Repeat("x", 100) + "::" + strings.Repeat("y", 50)
	var f Format
	f.SetDelim("::")
	if got := all(t, newReader(strings.NewReader(long), "test", f, 16)); len(got) != 2 || len(got[0][0]) != 100 || len(got[1][0]) != 50 {
		t.Errorf("records across the buffer: %q", got)
	}
}

func TestParseTrim(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Trim{"n": TrimNone, "l": TrimLeft, "r": TrimRight, "lr": TrimBoth, "rl": TrimBoth} {
		if got, err := ParseTrim(in); err != nil || got != want {
			t.Errorf("ParseTrim(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTrim("x"); err == nil {
		t.Error("ParseTrim accepted x")
	}
}

func TestLongLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 10<<20)
	got := all(t, Reader(strings.NewReader("a\n"+long+"\nb"), "test", Format{}))
	if len(got) != 3 || got[0][0] != "a" || got[1][0] != long || got[2][0] != "b" {
		t.Fatalf("long line not read whole (%d records)", len(got))
	}
	// Long and last, without a delimiter, and split into columns.
	got = all(t, Reader(strings.NewReader(long+"\t"+long), "test", Format{Colsep: tab}))
	if len(got) != 1 || len(got[0]) != 2 || got[0][0] != long || got[0][1] != long {
		t.Fatalf("long last line not read whole")
	}
}

// TestStreams proves, with a real pipe, that records are available before
// the input ends: each write is read back before the writer is closed.
func TestStreams(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, name string, mk func(r io.Reader) Source, want1 []string) {
		t.Run(name, func(t *testing.T) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pr.Close()
			defer pw.Close()
			src := mk(pr)
			if _, err := pw.Write([]byte("first\n")); err != nil {
				t.Fatal(err)
			}
			type result struct {
				rec []string
				err error
			}
			got := make(chan result, 1)
			go func() {
				rec, err := src.Next()
				got <- result{rec, err}
			}()
			select {
			case r := <-got:
				if r.err != nil || !reflect.DeepEqual(r.rec, want1) {
					t.Fatalf("got %q, %v; want %q", r.rec, r.err, want1)
				}
			case <-time.After(10 * time.Second):
				pw.Close() // unblocks the reader so the test can end
				t.Fatal("the first record waited for the end of the input")
			}
			pw.Write([]byte("second"))
			pw.Close()
			if rec, err := src.Next(); err != nil || rec[0] != "second" {
				t.Fatalf("got %q, %v", rec, err)
			}
		})
	}
	check(t, "reader", func(r io.Reader) Source { return Reader(r, "pipe", Format{}) }, []string{"first"})
	check(t, "combine one source", func(r io.Reader) Source {
		return Combine([][]Source{{Reader(r, "pipe", Format{})}})
	}, []string{"first"})
	check(t, "first group of a product", func(r io.Reader) Source {
		return Combine([][]Source{{Reader(r, "pipe", Format{})}, {Args([]string{"x"}, Format{})}})
	}, []string{"first", "x"})
	check(t, "linked", func(r io.Reader) Source {
		return Combine([][]Source{{Reader(r, "pipe", Format{}), Args([]string{"x", "y"}, Format{})}})
	}, []string{"first", "x"})
	check(t, "linked shortest", func(r io.Reader) Source {
		return CombineShortest([][]Source{{Reader(r, "pipe", Format{}), Args([]string{"x", "y"}, Format{})}})
	}, []string{"first", "x"})
	check(t, "batch of one", func(r io.Reader) Source { return Batch(Reader(r, "pipe", Format{}), Packing{Max: 1}) }, []string{"first"})
}

// lines is an endless-looking input generated on the fly, so that reading
// it costs no memory of its own.
type lines struct {
	line []byte
	left int // bytes still to produce
	off  int
}

func (l *lines) Read(p []byte) (int, error) {
	if l.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && l.left > 0 {
		c := copy(p[n:min(len(p), n+l.left)], l.line[l.off:])
		n += c
		l.left -= c
		l.off = (l.off + c) % len(l.line)
	}
	return n, nil
}

// TestFlatMemory streams far more input than the heap may grow by.
func TestFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 256 MB")
	}
	const total = 256 << 20
	line := []byte(strings.Repeat("v", 1000) + "\n")
	for name, mk := range map[string]func(io.Reader) Source{
		"reader": func(r io.Reader) Source { return Reader(r, "gen", Format{}) },
		"product": func(r io.Reader) Source {
			return Combine([][]Source{{Reader(r, "gen", Format{})}, {Args([]string{"x", "y"}, Format{})}})
		},
		"linked shortest": func(r io.Reader) Source {
			return CombineShortest([][]Source{{Reader(r, "gen", Format{}), Reader(&lines{line: line, left: total}, "gen2", Format{})}})
		},
		"batch": func(r io.Reader) Source { return Batch(Reader(r, "gen", Format{}), Packing{Max: 100}) },
	} {
		t.Run(name, func(t *testing.T) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapInuse
			src := mk(&lines{line: line, left: total})
			peak := uint64(0)
			for i := 0; ; i++ {
				if _, err := src.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if i%20000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
			t.Logf("heap grew by %d KB", (int64(peak)-int64(base))>>10)
			if grew := int64(peak) - int64(base); grew > 64<<20 {
				t.Fatalf("heap grew by %d MB reading %d MB", grew>>20, total>>20)
			}
		})
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestReadError(t *testing.T) {
	t.Parallel()
	src := Reader(io.MultiReader(strings.NewReader("a\n"), failing{}), "in.txt", Format{})
	if rec, err := src.Next(); err != nil || rec[0] != "a" {
		t.Fatalf("got %q, %v", rec, err)
	}
	_, err := src.Next()
	if err == nil || !strings.Contains(err.Error(), "in.txt") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	if _, again := src.Next(); again != err {
		t.Fatalf("the error did not stick: %v", again)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "args")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, c, err := Open(path, Format{})
	if err != nil {
		t.Fatal(err)
	}
	if got := all(t, src); !reflect.DeepEqual(got, recs("a", "b")) {
		t.Fatalf("got %q", got)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, c, err := Open("-", Format{}); err != nil || c.Close() != nil {
		t.Fatalf("stdin: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, reason string
	}{
		{filepath.Join(dir, "missing"), "no such file or directory"},
		{dir, "is a directory"},
		{filepath.Join(file, "below"), "not a directory"},
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked")
		if err := os.WriteFile(locked, nil, 0o000); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct{ path, reason string }{locked, "permission denied"})
	}
	for _, tt := range tests {
		_, _, err := Open(tt.path, Format{})
		if err == nil {
			t.Errorf("%s: no error", tt.path)
			continue
		}
		if want := "input file " + tt.path + ": " + tt.reason; err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("a\nb\n"), byte('\n'))
	f.Add([]byte("a,,b"), byte(','))
	f.Add([]byte("\n\n"), byte('\n'))
	f.Add([]byte("x\x00\x00y"), byte(0))
	f.Add([]byte{}, byte(0))
	f.Add(bytes.Repeat([]byte("0123456789"), 10), byte('5'))
	f.Fuzz(func(t *testing.T, in []byte, delim byte) {
		fm := Format{Delim: delim, Null: delim == 0}
		d := string([]byte{delim})
		want := string(in)
		if strings.HasSuffix(want, d) {
			want = want[:len(want)-1]
		}
		// No argument can hold a NUL: with another delimiter, each NUL
		// becomes the two characters \0, which may hold the delimiter.
		var parts []string
		if len(in) > 0 {
			parts = strings.Split(want, d)
		}
		for i, p := range parts {
			if delim != 0 {
				parts[i] = strings.ReplaceAll(p, "\x00", `\0`)
			}
		}
		for _, size := range []int{16, 4096} {
			var got []string
			src := newReader(iotest.HalfReader(bytes.NewReader(in)), "fuzz", fm, size)
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
			if !reflect.DeepEqual(got, parts) {
				t.Fatalf("split: %q, want %q", got, parts)
			}
		}
	})
}

func FuzzColsep(f *testing.F) {
	f.Add("a b c", " ")
	f.Add("k\tv", `\t`)
	f.Add(" x , y ", ",")
	f.Add("abc", "")
	f.Add("abb", "b*")
	f.Add("x", "(")
	f.Fuzz(func(t *testing.T, line, sep string) {
		re, err := regexp.Compile(sep)
		if err != nil {
			return
		}
		if strings.IndexByte(line, 0) >= 0 {
			return // NUL ends the record
		}
		raw := all(t, Args([]string{line}, Format{Colsep: re, Trim: TrimNone, Null: true}))
		if len(raw) != 1 || len(raw[0]) == 0 {
			t.Fatalf("%d records", len(raw))
		}
		cols := raw[0]
		// Go's Split agrees with Perl's but for a zero-width match that ends
		// the line, which ends one more (empty) field in Perl.
		want := re.Split(line, -1)
		if line == "" {
			// GNU parallel makes an empty record one empty column.
			want = []string{""}
		}
		if ms := re.FindAllStringIndex(line, -1); len(ms) > 0 {
			if m := ms[len(ms)-1]; m[0] == len(line) && m[1] == len(line) && len(line) > 0 {
				want = append(want, "")
			}
		}
		if !reflect.DeepEqual(cols, want) {
			t.Fatalf("split /%s/ %q = %q, want %q", sep, line, cols, want)
		}
		// The columns appear in the line in order.
		rest := line
		for _, c := range cols {
			i := strings.Index(rest, c)
			if i < 0 {
				t.Fatalf("column %q is not in order in %q", c, line)
			}
			rest = rest[i+len(c):]
		}
		trimmed := all(t, Args([]string{line}, Format{Colsep: re, Null: true}))
		if len(trimmed) != 1 || len(trimmed[0]) != len(cols) {
			t.Fatalf("trimming changed the columns: %q", trimmed)
		}
		for i, c := range trimmed[0] {
			if c != strings.Trim(cols[i], " \t\n\r\f\v") {
				t.Fatalf("column %q trimmed to %q", cols[i], c)
			}
		}
		// A file gives the same columns as a ::: value, line by line.
		if !strings.Contains(line, "\n") {
			fromFile := all(t, Reader(strings.NewReader(line+"\n"+line), "fuzz", Format{Colsep: re}))
			if len(line) > 0 && !reflect.DeepEqual(fromFile, [][]string{trimmed[0], trimmed[0]}) {
				t.Fatalf("file %q, args %q", fromFile, trimmed)
			}
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

func BenchmarkReaderColsep(b *testing.B) {
	data := strings.Repeat("alpha\tbeta\tgamma\tdelta\n", 10000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		src := Reader(strings.NewReader(data), "bench", Format{Colsep: tab})
		for {
			if _, err := src.Next(); err != nil {
				break
			}
		}
	}
}

func TestReadErrorOfFile(t *testing.T) {
	t.Parallel()
	// Reading a directory fails at the first read, naming it once.
	dir := t.TempDir()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Reader(f, "somedir", Format{}).Next()
	if err == nil || err.Error() != "input somedir: is a directory" {
		t.Fatalf("err = %v", err)
	}
}

// TestMaxRecord checks the limit on a record's length at its edges, for
// each delimiter, through both the buffered and the long-record path.
func TestMaxRecord(t *testing.T) {
	t.Parallel()
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		in   string
		f    Format
		want [][]string
		bad  int64 // the record refused, 0 if none
	}{
		{"at the limit", x(40) + "\n", Format{}, recs(x(40)), 0},
		{"one over", x(41) + "\n", Format{}, nil, 1},
		{"last, at the limit", "a\n" + x(40), Format{}, recs("a", x(40)), 0},
		{"last, one over", "a\n" + x(41), Format{}, recs("a"), 2},
		{"later records are not read", "a\n" + x(41) + "\nb\n", Format{}, recs("a"), 2},
		{"empty records", "\n\n", Format{}, recs("", ""), 0},
		{"null at the limit", x(40) + "\x00" + x(40), Format{Null: true}, recs(x(40), x(40)), 0},
		{"null one over", x(40) + "\x00" + x(41) + "\x00", Format{Null: true}, recs(x(40)), 2},
		{"null, newlines count", x(20) + "\n" + x(20) + "\x00", Format{Null: true}, nil, 1},
		{"delim at the limit", x(40) + ",b", Format{Delim: ','}, recs(x(40), "b"), 0},
		{"delim one over", "b," + x(41), Format{Delim: ','}, recs("b"), 2},
		{"delim never comes", x(39) + "\n" + x(39), Format{Delim: ','}, nil, 1},
		{"colsep counts the whole record", x(20) + "\t" + x(20) + "\n", Format{Colsep: tab}, nil, 1},
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
	}
	for _, tt := range tests {
		tt.f.MaxRecord = 40
		for rname, mk := range readers {
			// Below the limit and above it, the buffer sends records down
			// both paths.
			for _, size := range []int{16, 64 << 10} {
				t.Run(fmt.Sprintf("%s/%s/%d", tt.name, rname, size), func(t *testing.T) {
					checkMax(t, newReader(mk(tt.in), "in", tt.f, size), "in", tt.want, tt.bad)
				})
			}
		}
	}
}

// checkMax reads src and checks its records and the error that ends them.
func checkMax(t *testing.T, src Source, name string, want [][]string, bad int64) {
	t.Helper()
	var got [][]string
	var err error
	for {
		var rec []string
		if rec, err = src.Next(); err != nil {
			break
		}
		got = append(got, rec)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if bad == 0 {
		if err != io.EOF {
			t.Fatalf("err = %v, want io.EOF", err)
		}
		return
	}
	msg := fmt.Sprintf("input %s: record %d is longer than 40 bytes, more than a command line can hold: ", name, bad)
	if !errors.Is(err, ErrLongRecord) || !strings.HasPrefix(err.Error(), msg) {
		t.Fatalf("err = %v, want %q...", err, msg)
	}
	if _, again := src.Next(); again != err {
		t.Fatalf("the error did not stick: %v", again)
	}
}

func TestMaxRecordArgs(t *testing.T) {
	t.Parallel()
	x := strings.Repeat("x", 40)
	f := Format{MaxRecord: 40}
	checkMax(t, Args([]string{"a", x, ""}, f), ":::", recs("a", x, ""), 0)
	checkMax(t, Args([]string{"a", x + "y", "b"}, f), ":::", recs("a"), 2)
	f.Delim = ','
	checkMax(t, Args([]string{"a," + x, "b," + x + "y,c"}, f), ":::", recs("a", x, "b"), 4)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestMaxRecordEndless reads /dev/zero, one endless record whatever the
// delimiter but NUL: the limit ends it after reading about that much. The
// read is cut at 64 MiB so that, were the limit gone, the test fails
// rather than eats the machine's memory.
func TestMaxRecordEndless(t *testing.T) {
	t.Parallel()
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer zero.Close()
	for _, f := range []Format{{}, {Delim: ','}} {
		f.MaxRecord = 128 << 10
		in := &countingReader{r: io.LimitReader(zero, 64<<20)}
		_, err := Reader(in, "/dev/zero", f).Next()
		if !errors.Is(err, ErrLongRecord) {
			t.Fatalf("err = %v", err)
		}
		if in.n > 256<<10 {
			t.Fatalf("read %d bytes to refuse a record over %d", in.n, f.MaxRecord)
		}
	}
}

// FuzzReaderMaxRecord checks a reader with a limit against one without:
// the same records up to the first longer than the limit, then the error.
func FuzzReaderMaxRecord(f *testing.F) {
	f.Add([]byte("a\nbbbb\nc"), byte('\n'), uint8(3))
	f.Add([]byte("aaa,bbbb"), byte(','), uint8(3))
	f.Add(bytes.Repeat([]byte("0123456789"), 10), byte('5'), uint8(20))
	f.Add([]byte("x\x00\x00yy"), byte(0), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, delim byte, limit uint8) {
		fm := Format{Delim: delim, Null: delim == 0}
		want := all(t, newReader(bytes.NewReader(in), "fuzz", fm, 16))
		fm.MaxRecord = int(limit)
		for _, size := range []int{16, 4096} {
			src := newReader(iotest.HalfReader(bytes.NewReader(in)), "fuzz", fm, size)
			for i := 0; ; i++ {
				rec, err := src.Next()
				if i == len(want) {
					if err != io.EOF {
						t.Fatalf("after the last record: %v", err)
					}
					break
				}
				if limit > 0 && len(want[i][0]) > int(limit) {
					if !errors.Is(err, ErrLongRecord) {
						t.Fatalf("record %d of %d bytes over %d: %q, %v", i+1, len(want[i][0]), limit, rec, err)
					}
					break
				}
				if err != nil || rec[0] != want[i][0] {
					t.Fatalf("record %d: %q, %v; want %q", i+1, rec, err, want[i][0])
				}
			}
		}
	})
}

// A NUL byte in a record (other than the delimiter) becomes \0, as in GNU
// parallel, and the caller hears of it for each such record, as GNU
// parallel warns of each.
func TestNULInRecord(t *testing.T) {
	t.Parallel()
	calls := 0
	f := Format{NUL: func() { calls++ }}
	got := all(t, Reader(strings.NewReader("a\x00b\nc\nd\x00\n"), "test", f))
	if !reflect.DeepEqual(got, recs(`a\0b`, "c", `d\0`)) || calls != 2 {
		t.Fatalf("got %q, %d calls", got, calls)
	}
	calls = 0
	if all(t, Reader(strings.NewReader("a\nb\n"), "test", f)); calls != 0 {
		t.Fatalf("%d calls without a NUL", calls)
	}
}

// TestRules checks -E, -r and -L's continuation on files and ::: lists,
// with what GNU parallel 20221122 makes of the same input.
func TestRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		f    Format
		in   string   // a file
		args []string // or a ::: list
		want []string
	}{
		{"-r", Format{SkipEmpty: true}, "a\n\n  \nb\n\t\n", nil, []string{"a", "b"}},
		{"-r :::", Format{SkipEmpty: true}, "", []string{"a", "\n\n", " ", "d"}, []string{"a", "d"}},
		{"-L", Format{Continue: true}, "a \nb\nc  \nd\ne\n", nil, []string{"a b", "c  d", "e"}},
		{"-L :::", Format{Continue: true}, "", []string{"a ", "b", "c"}, []string{"a b", "c"}},
		{"-L at the end", Format{Continue: true}, "a\nb \n", nil, []string{"a", "b "}},
		{"-E", Format{EOF: "STOP"}, "a\nb\nSTOP\nc\n", nil, []string{"a", "b"}},
		{"-E :::", Format{EOF: "b"}, "", []string{"a", "b\nc", "d"}, []string{"a"}},
		{"-E first", Format{EOF: "a"}, "a\nb\n", nil, nil},
		{"-E whole records only", Format{EOF: "b"}, "ab\nb c\n", nil, []string{"ab", "b c"}},
		{"-E while continuing", Format{EOF: "STOP", Continue: true}, "a \nSTOP\nc\n", nil, []string{"a "}},
		{"-r then -L", Format{SkipEmpty: true, Continue: true}, "a \n\nb\n", nil, []string{"a b"}},
	} {
		var src Source
		if c.args != nil {
			src = Args(c.args, c.f)
		} else {
			src = Reader(strings.NewReader(c.in), "test", c.f)
		}
		got := all(t, src)
		var want [][]string
		for _, w := range c.want {
			want = append(want, []string{w})
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", c.name, got, want)
		}
		if _, err := src.Next(); err != io.EOF {
			t.Errorf("%s: after the end: %v", c.name, err)
		}
	}
}
