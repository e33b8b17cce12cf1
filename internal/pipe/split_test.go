package pipe

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// split cuts in into blocks with f and returns each block's data, header
// excluded, as strings.
func split(t testing.TB, in string, size int, f Format, r func(io.Reader) io.Reader) ([]string, string) {
	t.Helper()
	var src io.Reader = strings.NewReader(in)
	if r != nil {
		src = r(src)
	}
	s, err := NewSplitter(src, size, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		b, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out, string(s.Header())
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(b.Header) != string(s.Header()) {
			t.Fatalf("block header %q, splitter's %q", b.Header, s.Header())
		}
		out = append(out, string(b.Data))
		b.Release()
	}
}

var lines = Format{RecEnd: "\n"}

func TestSplit(t *testing.T) {
	seq20 := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
	tests := []struct {
		name string
		in   string
		size int
		f    Format
		want []string
		head string
	}{
		// The cuts GNU parallel makes: the block filled to its size, cut
		// at the last record end in it.
		{"size", seq20, 10, lines, []string{"1\n2\n3\n4\n5\n", "6\n7\n8\n9\n", "10\n11\n12\n", "13\n14\n15\n", "16\n17\n18\n", "19\n20\n"}, ""},
		{"one block", seq20, 1 << 20, lines, []string{seq20}, ""},
		{"no final newline", "1\n2\n3", 1 << 20, lines, []string{"1\n2\n3"}, ""},
		{"no final newline cut", "1\n2\n3", 3, lines, []string{"1\n", "2\n", "3"}, ""},
		{"empty", "", 10, lines, nil, ""},
		{"long record", "aaaaaaaaaaaa\nb\nccccccccccccccccccc\nd\n", 4, lines, []string{"aaaaaaaaaaaa\nb\n", "ccccccccccccccccccc\nd\n"}, ""},
		{"long last record", "a\nbbbbbbbbbbbbbbbbbbbbbbb", 4, lines, []string{"a\n", "bbbbbbbbbbbbbbbbbbbbbbb"}, ""},
		{"records", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 1 << 20, Format{RecEnd: "\n", Records: 3}, []string{"1\n2\n3\n", "4\n5\n6\n", "7\n8\n9\n", "10\n"}, ""},
		{"records beyond the block", "1\n2\n3\n4\n5\n6\n7\n", 2, Format{RecEnd: "\n", Records: 3}, []string{"1\n2\n3\n", "4\n5\n6\n", "7\n"}, ""},
		{"lines", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 1 << 20, Format{Lines: 3}, []string{"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "10\n"}, ""},
		{"lines small block", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 6, Format{Lines: 3}, []string{"1\n2\n3\n", "4\n5\n6\n", "7\n8\n9\n", "10\n"}, ""},
		{"lines records", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 1 << 20, Format{Lines: 3, Records: 2}, []string{"1\n2\n3\n4\n5\n6\n", "7\n8\n9\n10\n"}, ""},
		{"recend", "a1xb2xc3xd4x", 4, Format{RecEnd: "x"}, []string{"a1x", "b2x", "c3x", "d4x"}, ""},
		{"recstart", "Sa1Sb2Sc3Sd4", 4, Format{RecStart: "S"}, []string{"Sa1", "Sb2", "Sc3", "Sd4"}, ""},
		{"recend recstart", "a\nSb\nc\nSd\nS\n", 1 << 20, Format{RecEnd: "\n", RecStart: "S", Records: 1}, []string{"a\n", "Sb\nc\n", "Sd\n", "S\n"}, ""},
		{"recstart at the end waits", "Sa1Sb2S", 4, Format{RecStart: "S"}, []string{"Sa1", "Sb2", "S"}, ""},
		{"regexp", "a1b2c3", 1, Format{RecEnd: "[0-9]", Regexp: true}, []string{"a1", "b2", "c3"}, ""},
		{"regexp records", "a1b2c3", 1 << 20, Format{RecEnd: "[0-9]", Regexp: true, Records: 1}, []string{"a1", "b2", "c3"}, ""},
		{"regexp recstart", "=a\n=b\nx\n=c\n", 1 << 20, Format{RecEnd: `\n`, RecStart: "=", Regexp: true, Records: 1}, []string{"=a\n", "=b\nx\n", "=c\n"}, ""},
		{"rrs", "a1xb2xc3x", 1 << 20, Format{RecEnd: "x", Records: 1, RemoveSep: true}, []string{"a1", "b2", "c3"}, ""},
		{"rrs both", "Sa1xSb2xSc3x", 1 << 20, Format{RecEnd: "x", RecStart: "S", Records: 2, RemoveSep: true}, []string{"a1b2", "c3"}, ""},
		{"rrs regexp", "a1b22c3", 1 << 20, Format{RecEnd: "[0-9]+", Regexp: true, RemoveSep: true}, []string{"abc"}, ""},
		{"no separator", "abcdefg", 3, Format{}, []string{"abc", "def", "g"}, ""},
		{"header lines", "h1\nh2\n1\n2\n3\n", 1 << 20, Format{RecEnd: "\n", Records: 2, HeaderLines: 2}, []string{"1\n2\n", "3\n"}, "h1\nh2\n"},
		{"binary", "a\x00b\nc\x00\n\x00", 2, lines, []string{"a\x00b\n", "c\x00\n", "\x00"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []func(io.Reader) io.Reader{nil, iotest.OneByteReader} {
				got, head := split(t, tt.in, tt.size, tt.f, r)
				if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
					t.Errorf("blocks %q, want %q", got, tt.want)
				}
				if head != tt.head {
					t.Errorf("header %q, want %q", head, tt.head)
				}
			}
		})
	}
}

func TestHeaderRegexp(t *testing.T) {
	f := Format{RecEnd: "\n", Records: 1}
	if err := ParseHeader(":", &f); err != nil {
		t.Fatal(err)
	}
	got, head := split(t, "name\n1\n2\n", 1<<20, f, nil)
	if head != "name\n" || strings.Join(got, "|") != "1\n|2\n" {
		t.Errorf("header %q blocks %q", head, got)
	}
	// A header longer than a block is still found: the input is read a
	// block at a time until the expression matches (GNU parallel's
	// fixed-length records example).
	f = Format{}
	if err := ParseHeader(".{4}", &f); err != nil {
		t.Fatal(err)
	}
	got, head = split(t, "HHHHAAABBBCCCDDD", 3, f, iotest.OneByteReader)
	if head != "HHHH" || strings.Join(got, "|") != "AAA|BBB|CCC|DDD" {
		t.Errorf("long header: header %q blocks %q", head, got)
	}
	name := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(name, []byte("HHHHAAABBBCCCDDD"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := fileBlocks(t, name, 0, 3, f); strings.Join(got, "|") != "HHHHAAA|HHHHBBB|HHHHCCC|HHHHDDD" {
		t.Errorf("long header from a file: blocks (header included) %q", got)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1M": 1 << 20, "100k": 100000, "10": 10, "2K": 2048, "1G": 1 << 30, "1.5M": 3 << 19, "-2": -2, "1m": 1e6} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "1Q", "M", "1e400"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) took it", in)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{`\n`: "\n", `a\tb`: "a\tb", `\0`: "\x00", `\\n`: `\n`, `\q`: `\q`, `x\`: `x\`} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

// isCut reports whether a block may end at p of in under f.
func isCut(in string, p int, f Format) bool {
	return strings.HasSuffix(in[:p], f.RecEnd) && strings.HasPrefix(in[p:], f.RecStart)
}

// FuzzSplit checks, for any input and separators, that the blocks put
// together give the input back, that every block but the last ends on a
// record boundary, and that a block is longer than its size only when no
// boundary could cut it shorter.
func FuzzSplit(f *testing.F) {
	f.Add([]byte("1\n2\n3\n"), "\n", "", 3, 0)
	f.Add([]byte("Sa1xSb2x"), "x", "S", 2, 1)
	f.Add([]byte("aaaa\nb\nc"), "\n", "", 1, 2)
	f.Fuzz(func(t *testing.T, in []byte, end, start string, size, records int) {
		if len(end) > 4 || len(start) > 4 || end == "" && start == "" {
			return
		}
		size = 1 + abs(size)%64
		records = abs(records) % 4
		fm := Format{RecEnd: end, RecStart: start, Records: records}
		got, _ := split(t, string(in), size, fm, iotest.HalfReader)
		if strings.Join(got, "") != string(in) {
			t.Fatalf("blocks %q do not make the input %q", got, in)
		}
		pos := 0
		for i, b := range got {
			if b == "" {
				t.Fatalf("block %d is empty", i)
			}
			pos += len(b)
			if i < len(got)-1 && !isCut(string(in), pos, fm) {
				t.Fatalf("block %d %q ends inside a record of %q", i, b, in)
			}
			if records == 0 && i < len(got)-1 && len(b) > size {
				for p := 1; p < size; p++ {
					if isCut(string(in), pos-len(b)+p, fm) {
						t.Fatalf("block %d %q is longer than %d though it could be cut at %d", i, b, size, p)
					}
				}
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func TestParts(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, in string
		size     int64
		f        Format
		want     []string
	}{
		{"lines", "a\nb\nc\nd\n", 2, lines, []string{"a\nb\n", "c\nd\n"}},
		{"no final newline", "a\nb\nc", 2, lines, []string{"a\nb\n", "c"}},
		{"one block", "a\nb\nc", 100, lines, []string{"a\nb\nc"}},
		{"long record", "aaaaaaaaaaaaaaaaaaaa\nb\n", 3, lines, []string{"aaaaaaaaaaaaaaaaaaaa\n", "b\n"}},
		{"recstart", "SaSbSc", 1, Format{RecStart: "S"}, []string{"Sa", "Sb", "Sc"}},
		{"header", "h\n1\n2\n3\n", 1, Format{RecEnd: "\n", HeaderLines: 1}, []string{"h\n1\n", "h\n2\n", "h\n3\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(dir, tt.name)
			if err := os.WriteFile(name, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			p, err := NewParts(f, tt.size, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for {
				b, err := p.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if _, err := b.WriteTo(&buf); err != nil {
					t.Fatal(err)
				}
				got = append(got, buf.String())
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("blocks %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWritePipe writes blocks of memory and of a file through real pipes,
// the path that lends pages (vmsplice) or moves them (splice) on Linux.
func TestWritePipe(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 100000)
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, b := range []*Block{
		{Header: []byte("head\n"), Data: data},
		{Header: []byte("head\n"), File: f, Off: 17, Len: int64(len(data)) - 17},
		{File: f, Off: 0, Len: int64(len(data))},
	} {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		// What the pipe takes before its reader starts, then the rest.
		pre := b.Prefill(pw)
		if pre < 0 || pre >= b.Size() || b.File == nil && pre == 0 {
			t.Fatalf("Prefill wrote %d of %d bytes into an empty pipe", pre, b.Size())
		}
		got := make(chan []byte)
		go func() {
			all, _ := io.ReadAll(pr)
			pr.Close()
			got <- all
		}()
		n, err := b.WriteFrom(pw, pre)
		pw.Close()
		if err != nil || pre+n != b.Size() {
			t.Fatalf("WriteFrom = %d, %v; want %d", n, err, b.Size()-pre)
		}
		var want bytes.Buffer
		b.writeCopy(&want)
		if all := <-got; !bytes.Equal(all, want.Bytes()) {
			t.Fatalf("the pipe got %d bytes, want %d", len(all), want.Len())
		}
	}
}

// TestWriteClosedPipe: a reader gone makes WriteTo fail with EPIPE, not
// block.
func TestWriteClosedPipe(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer pw.Close()
	b := &Block{Data: bytes.Repeat([]byte("x"), 1<<20)}
	if _, err := b.WriteTo(pw); err == nil {
		t.Fatal("no error writing to a pipe without a reader")
	}
}

// TestSteadyStateAllocs: once the free lists hold a block's buffer, a
// block costs no allocation.
func TestSteadyStateAllocs(t *testing.T) {
	// Plain lines, and --group-by a column split at a literal separator.
	t.Run("lines", func(t *testing.T) { steadyAllocs(t, []byte("0123456789\n"), lines) })
	t.Run("group-by", func(t *testing.T) {
		steadyAllocs(t, []byte("a 0123456789\nb 0123456789\n"), Format{RecEnd: "\n", GroupKey: ColumnKey(space, 1)})
	})
}

func steadyAllocs(t *testing.T, line []byte, f Format) {
	r := &repeatReader{line: line}
	s, err := NewSplitter(r, 4096, f)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		b, _ := s.Next()
		b.Release()
	}
	allocs := testing.AllocsPerRun(100, func() {
		b, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
	})
	if allocs > 0 {
		t.Errorf("%v allocations per block", allocs)
	}
}

// repeatReader repeats line forever.
type repeatReader struct {
	line []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.line[r.off:])
		n += k
		r.off = (r.off + k) % len(r.line)
	}
	return n, nil
}

func BenchmarkSplit(b *testing.B) {
	r := &repeatReader{line: []byte("0123456789abcdefghijklmnopqrstuvwxyz\n")}
	s, err := NewSplitter(r, 1<<20, lines)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		blk, _ := s.Next()
		blk.Release()
	}
}

// A block-timeout splitter passes on the records read so far once no
// input comes for the time: the writer here sends the rest only after
// the first block came out.
func TestBlockTimeout(t *testing.T) {
	pr, pw := io.Pipe()
	s, err := NewSplitter(pr, 1<<20, Format{RecEnd: "\n", Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go pw.Write([]byte("1\n2\n3"))
	b, err := s.Next()
	if err != nil || string(b.Data) != "1\n2\n" {
		t.Fatalf("first block %q, %v; want the whole records", b.Data, err)
	}
	b.Release()
	go func() {
		pw.Write([]byte("\n4\n"))
		pw.Close()
	}()
	b, err = s.Next()
	if err != nil || string(b.Data) != "3\n4\n" {
		t.Fatalf("second block %q, %v", b.Data, err)
	}
	if _, err := s.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last block: %v", err)
	}
}
