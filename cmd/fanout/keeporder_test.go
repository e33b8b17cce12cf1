package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mixedSizes are the sizes of the keep-order jobs' standard output: small,
// around the 256 KiB that a stream keeps in memory, and many MiB. Each is
// different, so that a job's output names its job.
var mixedSizes = []int{
	10, 3000001, 262143, 1, 262144, 5000003, 262145, 700, 0, 1048577,
	262100, 40, 8000009, 300000, 2, 262144 + 4096, 65536, 3000017, 11, 262150,
}

// mixedJob prints its size's worth of lines naming its size, the last one
// cut short, and a third of that on standard error.
const mixedJob = `yes "out {} line" | head -c {}; yes "err {}" | head -c $(({} / 3)) >&2`

// mixedWant is what mixedJob prints for each size, in the order given, on
// standard output and on standard error; with tag, each line starts with
// its job's size and a tab, as with --tag.
func mixedWant(sizes []int, tag bool) (stdout, stderr []byte) {
	body := func(line string, n int) []byte {
		return bytes.Repeat([]byte(line), n/len(line)+1)[:n]
	}
	var o, e []byte
	for _, n := range sizes {
		so := body(fmt.Sprintf("out %d line\n", n), n)
		se := body(fmt.Sprintf("err %d\n", n), n/3)
		if tag {
			so, se = tagLines(so, strconv.Itoa(n)), tagLines(se, strconv.Itoa(n))
		}
		o, e = append(o, so...), append(e, se...)
	}
	return o, e
}

// tagLines puts tag and a tab before every line of b, the unterminated
// last one too.
func tagLines(b []byte, tag string) []byte {
	var out []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n') + 1
		if i == 0 {
			i = len(b)
		}
		out = append(append(append(out, tag...), '\t'), b[:i]...)
		b = b[i:]
	}
	return out
}

// With -k, the output of jobs of every size comes out exactly as their
// concatenation in input order, stdout and stderr each, with and without
// --tag, whether standard output is a pipe, a file or a file opened for
// appending: the job whose turn it is streams, the others wait in memory
// or on disk, and nothing shows the difference.
func TestKeepOrderMixedSizes(t *testing.T) {
	t.Parallel()
	args := []string{"--tmpdir", t.TempDir(), mixedJob, ":::"}
	for _, n := range mixedSizes {
		args = append(args, strconv.Itoa(n))
	}
	for _, tag := range []bool{false, true} {
		wantOut, wantErr := mixedWant(mixedSizes, tag)
		for _, to := range []string{"pipe", "file", "append"} {
			for _, mode := range [][]string{{"-k", "-j1"}, {"-k", "-j3"}, {"-k", "-j8"}} {
				name := fmt.Sprintf("tag=%v/%s/%s", tag, to, strings.Join(mode, ""))
				t.Run(name, func(t *testing.T) {
					a := append(mode, args...)
					if tag {
						a = append([]string{"--tag"}, a...)
					}
					gotOut, gotErr := runTo(t, to, a...)
					sameBytes(t, "stdout", gotOut, wantOut)
					sameBytes(t, "stderr", gotErr, wantErr)
				})
			}
		}
	}
}

// runTo runs the command with standard output to a pipe, a new file or a
// file opened for appending, and returns what it printed on each stream.
func runTo(t *testing.T, to string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	cmd := fanoutCmd(t.TempDir(), args...)
	var o, e bytes.Buffer
	cmd.Stderr = &e
	path := filepath.Join(t.TempDir(), "out")
	switch to {
	case "pipe":
		cmd.Stdout = &o
	case "file", "append":
		flags := os.O_WRONLY | os.O_CREATE
		if to == "append" {
			flags |= os.O_APPEND
		}
		f, err := os.OpenFile(path, flags, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdout = f
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\nstderr: %.500s", err, e.Bytes())
	}
	if to != "pipe" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b, e.Bytes()
	}
	return o.Bytes(), e.Bytes()
}

// sameBytes fails the test where got differs from want, showing where.
func sameBytes(t *testing.T, name string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-40)
	t.Fatalf("%s: %d bytes, want %d; first difference at byte %d:\n got %q\nwant %q", name, len(got), len(want), i,
		got[from:min(len(got), i+40)], want[from:min(len(want), i+40)])
}

// With -k, the job whose turn it is prints while it runs once its output
// outgrows what is kept in memory, rather than when it ends: here the job
// goes on only after its first megabyte has been read from fanout's
// standard output. Its standard error still comes after all of its
// standard output, and the next job's output after that.
func TestKeepOrderStreamsTheJobWhoseTurnItIs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A job that waits for a file gives up after about 30 seconds, so a
	// failing test ends.
	job := `if [ {} = 1 ]; then head -c 1000000 /dev/zero; echo late >&2; ` +
		`i=0; while [ ! -e go ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; echo end; ` +
		`else echo next; fi`
	cmd := fanoutCmd(dir, "-k", "-j2", job, ":::", "1", "2")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPath := filepath.Join(t.TempDir(), "stderr")
	ef, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	cmd.Stderr = ef
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	release := func() { os.WriteFile(filepath.Join(dir, "go"), nil, 0o644) }
	defer cmd.Wait()
	defer release()
	got := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(out, make([]byte, 1000000))
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("reading the first job's output: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the first megabyte did not come out while its job ran")
	}
	if b, _ := os.ReadFile(errPath); len(b) != 0 {
		t.Errorf("standard error came before the job ended: %q", b)
	}
	release()
	rest, _ := io.ReadAll(out)
	err = cmd.Wait()
	stderr, _ := os.ReadFile(errPath)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if string(rest) != "end\nnext\n" || string(stderr) != "late\n" {
		t.Fatalf("after the first megabyte: stdout %q, stderr %q; want \"end\\nnext\\n\", \"late\\n\"", rest, stderr)
	}
}
