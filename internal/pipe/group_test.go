package pipe

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

var space = regexp.MustCompile(" ")

func groupFormat(col, records int) Format {
	return Format{RecEnd: "\n", GroupKey: ColumnKey(space, col), Records: records}
}

func TestGroupSplit(t *testing.T) {
	in := "a 1\na 2\nb 3\nb 4\nc 5\n"
	tests := []struct {
		name string
		in   string
		size int
		f    Format
		want []string
	}{
		{"one group a block", in, 1 << 20, groupFormat(1, 1), []string{"a 1\na 2\n", "b 3\nb 4\n", "c 5\n"}},
		{"two groups a block", in, 1 << 20, groupFormat(1, 2), []string{"a 1\na 2\nb 3\nb 4\n", "c 5\n"}},
		{"all fit", in, 1 << 20, groupFormat(1, 0), []string{in}},
		// Cut at the last change of key within the block's size.
		{"size", in, 8, groupFormat(1, 0), []string{"a 1\na 2\n", "b 3\nb 4\nc 5\n"}},
		// A group longer than the block grows it.
		{"long group", "a 1\na 2\na 3\nb 4\nb 5\nb 6\n", 5, groupFormat(1, 0), []string{"a 1\na 2\na 3\n", "b 4\nb 5\nb 6\n"}},
		// The last column keeps the newline: a last line without one has
		// a key of its own, as in GNU parallel.
		{"last column", "a 1\na 1", 1 << 20, groupFormat(2, 1), []string{"a 1\n", "a 1"}},
		{"second column", "x 1\ny 1\nz 2\n", 1 << 20, groupFormat(2, 1), []string{"x 1\ny 1\n", "z 2\n"}},
		{"past the last column", "a\nb\n", 1 << 20, groupFormat(3, 1), []string{"a\nb\n"}},
		{"keys repeat apart", "a\nb\na\n", 1 << 20, Format{GroupKey: func(l []byte) []byte { return l }, Records: 1}, []string{"a\n", "b\n", "a\n"}},
	}
	for _, tt := range tests {
		got, _ := split(t, tt.in, tt.size, tt.f, nil)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: blocks %q, want %q", tt.name, got, tt.want)
		}
		// Read a byte at a time, the blocks are the same.
		got, _ = split(t, tt.in, tt.size, tt.f, iotest.OneByteReader)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s, a byte at a time: blocks %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestColumnKey(t *testing.T) {
	tab := regexp.MustCompile("\t")
	spaces := regexp.MustCompile(` +`)
	tests := []struct {
		sep  *regexp.Regexp
		col  int
		line string
		want string
	}{
		{tab, 1, "a\tb\n", "a"},
		{tab, 2, "a\tb\n", "b\n"},
		{tab, 3, "a\tb\n", ""},
		{tab, 0, "a\tb\n", "a"},
		{tab, 1, "\tb\n", ""},
		{spaces, 2, "a   b  c\n", "b"},
		{spaces, 3, "a   b  c\n", "c\n"},
		{spaces, -1, "a b c\n", "b"}, // GNU parallel takes one more off
		{spaces, 4, "a b c\n", ""},
	}
	for _, tt := range tests {
		if got := ColumnKey(tt.sep, tt.col)([]byte(tt.line)); string(got) != tt.want {
			t.Errorf("ColumnKey(%q, %d)(%q) = %q, want %q", tt.sep, tt.col, tt.line, got, tt.want)
		}
	}
}

func TestAwkColumnKey(t *testing.T) {
	for _, tt := range []struct {
		col  int
		line string
		want string
	}{
		{1, "  1 a\n", "1"}, {2, "  1 a\n", "a"}, {3, "  1 a\n", ""},
		{1, "3  b\n", "3"}, {2, "3 \t b\n", "b"}, {-1, "a b c\n", "b"}, {1, "\n", ""},
	} {
		if got := AwkColumnKey(tt.col)([]byte(tt.line)); string(got) != tt.want {
			t.Errorf("AwkColumnKey(%d)(%q) = %q, want %q", tt.col, tt.line, got, tt.want)
		}
	}
}

// TestPartsGroup checks --pipepart --group-by against GNU parallel
// 20221122's cuts of the same files.
func TestPartsGroup(t *testing.T) {
	tests := []struct {
		in   string
		size int64
		want []string
	}{
		{"a 1\na 2\nb 3\nb 4\nc 5\n", 5, []string{"a 1\na 2\nb 3\nb 4\n", "c 5\n"}},
		{"k v\na 1\na 2\nb 3\nb 4\nc 5\n", 5, []string{"k v\na 1\na 2\n", "b 3\nb 4\nc 5\n"}},
		{"a 1\na 2\nb 3\nb 4\nc 5\n", 1 << 20, []string{"a 1\na 2\nb 3\nb 4\nc 5\n"}},
	}
	for _, tt := range tests {
		if got := partBlocks(t, tt.in, tt.size, groupFormat(1, 0)); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q by %d: blocks %q, want %q", tt.in, tt.size, got, tt.want)
		}
	}
}

func partBlocks(t testing.TB, in string, size int64, f Format) []string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(name, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	p, err := NewParts(fh, size, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		b, err := p.Next()
		if err != nil {
			return out
		}
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf.String())
	}
}

// FuzzGroupSplit checks the cuts of --group-by: every line lands in
// exactly one block, in order; a block ends only where the key changes;
// with -N each block holds that many groups (the last fewer); and the
// file's cuts cover it whole, each at a line start.
func FuzzGroupSplit(f *testing.F) {
	f.Add("a 1\na 2\nb 3\nb 4\nc 5\n", 5, 0)
	f.Add("a 1\na 1", 3, 1)
	f.Add("\n\n x\nx\n", 1, 2)
	f.Fuzz(func(t *testing.T, in string, size, records int) {
		size = 1 + abs(size)%64
		records = abs(records) % 4
		fm := groupFormat(1, records)
		key := fm.GroupKey
		got, _ := split(t, in, size, fm, iotest.HalfReader)
		if strings.Join(got, "") != in {
			t.Fatalf("blocks %q do not make the input %q", got, in)
		}
		for i := 0; i+1 < len(got); i++ {
			a, b := got[i], got[i+1]
			if !strings.HasSuffix(a, "\n") {
				t.Fatalf("block %q ends inside a line", a)
			}
			last := a[strings.LastIndexByte(a[:len(a)-1], '\n')+1:]
			first := b
			if j := strings.IndexByte(b, '\n'); j >= 0 {
				first = b[:j+1]
			}
			if bytes.Equal(key([]byte(last)), key([]byte(first))) {
				t.Fatalf("blocks %q and %q split a group", a, b)
			}
		}
		if records > 0 {
			for i, b := range got {
				if n := groups(key, b); n != records && (i < len(got)-1 || n > records) {
					t.Fatalf("block %q holds %d groups, want %d", b, n, records)
				}
			}
		}
		parts := partBlocks(t, in, int64(size), groupFormat(1, 0))
		if strings.Join(parts, "") != in {
			t.Fatalf("file blocks %q do not make the input %q", parts, in)
		}
		for _, b := range parts[:max(len(parts)-1, 0)] {
			if !strings.HasSuffix(b, "\n") {
				t.Fatalf("file block %q ends inside a line", b)
			}
		}
	})
}

// groups counts the runs of lines with the same key in b.
func groups(key func([]byte) []byte, b string) int {
	n := 0
	var prev []byte
	for i, l := range strings.SplitAfter(b, "\n") {
		if l == "" {
			continue
		}
		k := key([]byte(l))
		if i == 0 || !bytes.Equal(k, prev) {
			n++
		}
		prev = bytes.Clone(k)
	}
	return n
}
