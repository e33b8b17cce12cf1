package pipe

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fileBlocks returns the blocks NewFileSplitter cuts from name, starting
// at off, as the bytes a job gets.
func fileBlocks(t testing.TB, name string, off int64, size int, fm Format) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	p, ok, err := NewFileSplitter(f, size, fm)
	if err != nil || !ok {
		t.Fatalf("NewFileSplitter: %v, %v", ok, err)
	}
	var out []string
	for {
		b, err := p.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf.String())
	}
}

// streamBlocks is the same for a Splitter reading the bytes: the
// reference the file's fast path must agree with.
func streamBlocks(t testing.TB, in string, size int, fm Format) []string {
	t.Helper()
	s, err := NewSplitter(strings.NewReader(in), size, fm)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		b, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b.Header)+string(b.Data))
		b.Release()
	}
}

// FuzzFileSplitter checks that --pipe from a file, which reads only around
// the cuts, gives every job the block that reading the stream gives it.
func FuzzFileSplitter(f *testing.F) {
	f.Add([]byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"), "\n", "", 10, 0, 0)
	f.Add([]byte("h\nSa1xSb2xSc3x"), "x", "S", 4, 1, 0)
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaa\nb\nc"), "\n", "", 3, 0, 2)
	f.Add([]byte("abcdefg"), "", "", 2, 0, 0)
	f.Fuzz(func(t *testing.T, in []byte, end, start string, size, header, off int) {
		if len(end) > 4 || len(start) > 4 {
			return
		}
		size = 1 + abs(size)%70000
		off = abs(off) % (len(in) + 1)
		fm := Format{RecEnd: end, RecStart: start, HeaderLines: abs(header) % 3}
		name := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(name, in, 0o644); err != nil {
			t.Fatal(err)
		}
		got := fileBlocks(t, name, int64(off), size, fm)
		want := streamBlocks(t, string(in[off:]), size, fm)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Fatalf("file blocks %q\nstream blocks %q", got, want)
		}
	})
}

// TestFileSplitterLarge: cuts found by windows read back from the block's
// end, in a file of many windows, with a record longer than a window.
func TestFileSplitterLarge(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 200000; i++ {
		b.WriteString("line of text\n")
		if i == 1000 {
			b.WriteString(strings.Repeat("x", 300000) + "\n")
		}
	}
	in := b.String()
	name := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(name, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1000, 100000, 1 << 20} {
		got := fileBlocks(t, name, 0, size, lines)
		want := streamBlocks(t, in, size, lines)
		if strings.Join(got, "") != in || len(got) != len(want) {
			t.Fatalf("size %d: %d file blocks, %d stream blocks", size, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("size %d: block %d differs: %d bytes, want %d", size, i, len(got[i]), len(want[i]))
			}
		}
	}
}
