package tmpfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A temporary file holds its data and leaves no name in its directory.
func TestOpenLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("hello"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 5))
	if err != nil || string(b) != "hello" {
		t.Fatalf("read back %q, %v", b, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("names left in the directory: %v", left)
	}
}

// Check names the directory and what is wrong with it.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := Check(dir); err != nil {
		t.Fatalf("usable directory refused: %v", err)
	}
	for _, bad := range []string{filepath.Join(dir, "missing"), file} {
		err := Check(bad)
		if err == nil {
			t.Fatalf("%s accepted", bad)
		}
		if got := err.Error(); !filepath.IsAbs(bad) || !strings.Contains(got, bad) {
			t.Fatalf("error %q does not name %s", got, bad)
		}
	}
}
