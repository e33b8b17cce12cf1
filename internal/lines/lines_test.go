package lines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenAppendCutsTornLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("y", 10000) // a torn line longer than one read
	for name, tt := range map[string]struct{ in, want string }{
		"empty":          {"", ""},
		"whole":          {"a\nb\n", "a\nb\n"},
		"torn":           {"a\nb\nc", "a\nb\n"},
		"torn long":      {"a\n" + long, "a\n"},
		"only torn":      {"abc", ""},
		"only torn long": {long, ""},
		"long then torn": {long + "\n" + "z", long + "\n"},
	} {
		path := filepath.Join(t.TempDir(), "f")
		os.WriteFile(path, []byte(tt.in), 0o644)
		f, size, err := OpenAppend(path, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if size != int64(len(tt.want)) {
			t.Errorf("%s: size %d, want %d", name, size, len(tt.want))
		}
		f.WriteString("new\n")
		f.Close()
		if b, _ := os.ReadFile(path); string(b) != tt.want+"new\n" {
			t.Errorf("%s: file %q, want %q", name, b, tt.want+"new\n")
		}
	}
}

func TestOpenAppendTruncates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("old\n"), 0o644)
	f, size, err := OpenAppend(path, true)
	if err != nil || size != 0 {
		t.Fatalf("size %d, %v", size, err)
	}
	f.Close()
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Fatalf("file %q, want empty", b)
	}
}
