package report

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileReplaces checks that a report replaces the file whole and
// leaves no temporary file behind.
func TestWriteFileReplaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "run.html")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, sampleRun(5)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.HasSuffix(string(b), "</html>\n") {
		t.Errorf("not a whole page: %.40q...%q", b, b[max(0, len(b)-20):])
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("files left: %v", names)
	}
}

func TestWriteFileError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "run.html")
	err := WriteFile(path, sampleRun(1))
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("got %v, want an error naming %s and no temporary file", err, path)
	}
}

// TestFileRewrites checks that a File is written at Start, rewritten
// while the run goes, and written last with how the run ended.
func TestFileRewrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "run.html")
	c := NewCollector(time.Now())
	f := &File{Path: path, Collector: c, Command: "fanout x", Every: 10 * time.Millisecond}
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	first := readFile(t, path)
	if len(pageData(t, first).Seq) != 0 || !strings.Contains(first, "running: written") {
		t.Errorf("first write: not an empty running report")
	}
	// A job that ends now shows in a later rewrite.
	c.mu.Lock()
	c.jobs = append(c.jobs, Record{Seq: 1, Slot: 1, Command: "job-one"})
	c.mu.Unlock()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(readFile(t, path), "job-one"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the report was never rewritten")
		}
	}
	if err := f.Finish(syscall.SIGTERM, false); err != nil {
		t.Fatal(err)
	}
	last := readFile(t, path)
	if !strings.Contains(last, "stopped by SIGTERM") || !strings.Contains(last, "fanout x") {
		t.Errorf("last write does not say how the run ended")
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("files left: %v", names)
	}
}

func TestFileStartError(t *testing.T) {
	t.Parallel()
	f := &File{Path: filepath.Join(t.TempDir(), "no", "run.html"), Collector: NewCollector(time.Now())}
	if err := f.Start(); err == nil {
		t.Fatal("started with no directory to write to")
	}
	if err := f.Finish(0, false); err == nil {
		t.Fatal("finished with no directory to write to")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
