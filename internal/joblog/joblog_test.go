package joblog

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAppendEntryMatchesGNUParallel(t *testing.T) {
	t.Parallel()
	// Rows captured from GNU parallel 20221122.
	tests := []struct {
		e    Entry
		want string
	}{
		{Entry{Seq: 1, Start: time.UnixMilli(1795578319562), Runtime: time.Millisecond, Receive: 3, Exitval: 1, Command: "echo xa; exit 1"},
			"1\t:\t1795578319.562\t     0.001\t0\t3\t1\t0\techo xa; exit 1\n"},
		{Entry{Seq: 2, Start: time.UnixMilli(1795578319668), Runtime: 1338 * time.Millisecond, Exitval: -1, Signal: 15, Command: "sleep 3"},
			"2\t:\t1795578319.668\t     1.338\t0\t0\t-1\t15\tsleep 3\n"},
		{Entry{Seq: 10, Host: "h", Start: time.UnixMilli(5), Runtime: 12345678 * time.Millisecond, Command: "a\nb\tc"},
			"10\th\t0.005\t 12345.678\t0\t0\t0\t0\ta\\nb\tc\n"},
	}
	for _, tt := range tests {
		if got := string(AppendEntry(nil, &tt.e)); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	good := Header + "1\t:\t1.000\t     0.001\t0\t3\t1\t0\techo a\n" + "2\t:\t2.000\t     0.002\t0\t0\t0\t0\techo\tb\n" + "1\t:\t3.000\t     0.001\t0\t0\t0\t0\techo a\n"
	l, err := Read(strings.NewReader(good), "jl")
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := l.Entry(1); !e.Succeeded() || len(l.Entries()) != 3 {
		t.Fatalf("entry 1 %+v, %d rows", e, len(l.Entries()))
	}
	if e, _ := l.Entry(2); e.Command != "echo\tb" {
		t.Fatalf("command %q", e.Command)
	}
	for name, tt := range map[string]struct{ in, want string }{
		"empty file":   {"", ""},
		"header only":  {Header, ""},
		"wrong header": {"Seq\tHost\n", "line 1: not a job log header"},
		"not a log":    {"hello world\n", "line 1: not a job log header"},
		"few columns":  {Header + "1\t:\t1.0\n", "line 2: malformed row: 3 columns"},
		"bad seq":      {Header + "x\t:\t1.0\t1.0\t0\t0\t0\t0\tc\n", "line 2: malformed row: column 1"},
		"bad exitval":  {Header + "1\t:\t1.0\t1.0\t0\t0\tzz\t0\tc\n", "column 7"},
		"zero seq":     {Header + "0\t:\t1.0\t1.0\t0\t0\t0\t0\tc\n", "sequence number 0"},
	} {
		_, err := Read(strings.NewReader(tt.in), "jl")
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "joblog jl: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want %q", name, err, tt.want)
		}
	}
	// A last row without its newline was cut off by a kill: it is left
	// out, so that job runs again, and reported.
	torn := Header + "1\t:\t1.0\t1.0\t0\t0\t0\t0\tc\n2\t:\t1.0\t1.0\t0\t0\t0\t0\techo " + strings.Repeat("x", 100<<10)
	if l, err := Read(strings.NewReader(torn), "jl"); err != nil || l.Torn != 3 || len(l.Entries()) != 1 {
		t.Fatalf("torn last row: %v, Torn %d, %d rows", err, l.Torn, len(l.Entries()))
	}
	if l, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err != nil || len(l.Entries()) != 0 {
		t.Fatalf("missing file: %v", err)
	}
}

func TestWriterAppendsAndTruncates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "jl")
	for i, appendMode := range []bool{false, true, true, false} {
		w, err := Create(path, appendMode)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&Entry{Seq: int64(i + 1), Command: "x"}); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	l, err := ReadFile(path)
	if err != nil || len(l.Entries()) != 1 {
		t.Fatalf("after truncating again: %d rows, %v", len(l.Entries()), err)
	}
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "Seq\t") != 1 {
		t.Fatalf("header written twice:\n%s", b)
	}
}

// TestFullDiskRollsBackTornRow writes rows to a tiny tmpfs until it is
// full: the write that fails must leave no partial row behind.
func TestFullDiskRollsBackTornRow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir).Run(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	defer exec.Command("umount", dir).Run()
	path := filepath.Join(dir, "jl")
	w, err := Create(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	long := strings.Repeat("x", 1000)
	var werr error
	n := 0
	for ; n < 1000; n++ {
		if werr = w.Write(&Entry{Seq: int64(n + 1), Command: long}); werr != nil {
			break
		}
	}
	if !errors.Is(werr, syscall.ENOSPC) || !strings.Contains(werr.Error(), "joblog "+path) {
		t.Fatalf("err = %v, want ENOSPC naming the log", werr)
	}
	l, err := ReadFile(path)
	if err != nil {
		t.Fatalf("log unreadable after a full disk: %v", err)
	}
	if len(l.Entries()) != n {
		t.Fatalf("log has %d rows, want the %d written whole", len(l.Entries()), n)
	}
}

// FuzzRoundTrip checks that Read gives back what Write wrote.
func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(1), int64(1700000000123), int64(1500), 0, 0, "echo 'a b'")
	f.Add(int64(7), int64(0), int64(0), -1, 15, "tab\there")
	f.Fuzz(func(t *testing.T, seq, startMs, runMs int64, exit, sig int, cmd string) {
		if seq < 1 || startMs < 0 || startMs > 1e13 || runMs < 0 || runMs > 1e12 || strings.ContainsAny(cmd, "\n\r") {
			return
		}
		e := Entry{Seq: seq, Host: ":", Start: time.UnixMilli(startMs), Runtime: time.Duration(runMs) * time.Millisecond, Exitval: exit, Signal: sig, Command: cmd}
		l, err := Read(bytes.NewReader(append([]byte(Header), AppendEntry(nil, &e)...)), "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := l.Entry(seq)
		if got.Seq != e.Seq || !got.Start.Equal(e.Start) || got.Runtime != e.Runtime || got.Exitval != e.Exitval || got.Signal != e.Signal || got.Command != e.Command {
			t.Fatalf("got %+v, want %+v", *got, e)
		}
	})
}

// FuzzRead checks that any input parses or fails with one line.
func FuzzRead(f *testing.F) {
	f.Add([]byte(Header + "1\t:\t1.0\t1.0\t0\t0\t0\t0\tc\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Read(bytes.NewReader(b), "fuzz"); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}

func BenchmarkAppendEntry(b *testing.B) {
	e := Entry{Seq: 123456, Start: time.Now(), Runtime: 1234 * time.Millisecond, Receive: 42, Command: "gzip -9 /data/logs/access.log"}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEntry(buf[:0], &e)
	}
}

// Rows appended to a log whose last row was torn start on a line of their
// own: the torn row is cut off first.
func TestCreateCutsTornRow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "jl")
	os.WriteFile(path, []byte(Header+"1\t:\t1.0\t1.0\t0\t0\t0\t0\tc\n2\t:\t1."), 0o644)
	w, err := Create(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&Entry{Seq: 2, Command: "c"}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	l, err := ReadFile(path)
	if err != nil || l.Torn != 0 || len(l.Entries()) != 2 {
		t.Fatalf("%v, Torn %d, %d rows", err, l.Torn, len(l.Entries()))
	}
}
