package output

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanoutdev/fanout"
)

func TestAppendTagged(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"a\n", "T\ta\n"},
		{"a\nb\n", "T\ta\nT\tb\n"},
		{"a\nb", "T\ta\nT\tb"},
		{"", ""},
		{"\n", "T\t\n"},
	} {
		if got := string(appendTagged(nil, []byte(tt.in), []byte("T"))); got != tt.want {
			t.Errorf("appendTagged(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// run sends jobs through a real pool into a printer.
func run(t *testing.T, p *Printer, limit int, lines ...string) {
	t.Helper()
	pool := &fanout.Pool{Limit: limit, Ordered: true, Sink: p, CaptureLimit: 16, Observe: func(ev fanout.Event) {
		if ev.Kind == fanout.Finished {
			p.Finish(ev.Job)
		}
	}}
	for _, l := range lines {
		j := fanout.ShellCommand(l)
		j.Data = l
		p.Attach(j)
		if _, err := pool.Go(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := pool.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestModes(t *testing.T) {
	t.Parallel()
	tag := func(j *fanout.Job) []byte { return []byte(strings.Fields(j.Data.(string))[1]) }
	job := func(name string) string {
		return "printf '" + name + "1\\n'; printf '" + name + "2\\n' >&2; printf '" + name + "3'"
	}
	for _, tt := range []struct {
		name     string
		mode     Mode
		tag      func(*fanout.Job) []byte
		out, err string
	}{
		{"group", Group, nil, "a1\na3b1\nb3", "a2\nb2\n"},
		{"group tagged spilled", Group, tag, "'a1\\n';\ta1\n'a1\\n';\ta3'b1\\n';\tb1\n'b1\\n';\tb3", "'a1\\n';\ta2\n'b1\\n';\tb2\n"},
		{"line buffer", LineBuffer, nil, "a1\na3b1\nb3", "a2\nb2\n"},
		{"ungroup", Ungroup, nil, "a1\na3b1\nb3", "a2\nb2\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			p := &Printer{Mode: tt.mode, Tag: tt.tag, Out: &out, Err: &errb}
			run(t, p, 1, job("a"), job("b"))
			if out.String() != tt.out || errb.String() != tt.err {
				t.Fatalf("stdout %q stderr %q; want %q and %q", out.String(), errb.String(), tt.out, tt.err)
			}
		})
	}
}

// TestCommandTagged checks that -v's command line gets the tag, and the
// colour, of the job's output lines, in every mode, as GNU parallel's
// -v --tag and -v --ctag do.
func TestCommandTagged(t *testing.T) {
	t.Parallel()
	tag := func(j *fanout.Job) []byte { return []byte("T") }
	cmd := func(j *fanout.Job) []byte { return []byte("echo a") }
	red := func(*fanout.Job, *fanout.Result) []byte { return []byte("<c>") }
	for _, tt := range []struct {
		name  string
		mode  Mode
		color func(*fanout.Job, *fanout.Result) []byte
		want  string
	}{
		{"group", Group, nil, "T\techo a\nT\ta\n"},
		{"line buffer", LineBuffer, nil, "T\techo a\nT\ta\n"},
		{"group colour", Group, red, "<c>T\techo a\x1b[m\n<c>T\ta\x1b[m\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := &Printer{Mode: tt.mode, Tag: tag, Command: cmd, Color: tt.color, Out: &out, Err: io.Discard}
			run(t, p, 1, "echo a")
			if out.String() != tt.want {
				t.Fatalf("stdout %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestLineWriterKeepsLinesWhole(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := &Printer{Mode: LineBuffer, Out: &out, Err: &out}
	j := &fanout.Job{}
	p.Attach(j)
	w := j.Stdout
	w.Write([]byte("par"))
	w.Write([]byte("tial\nnext"))
	if out.String() != "partial\n" {
		t.Fatalf("got %q, want only the whole line", out.String())
	}
	w.(*lineWriter).flush()
	if out.String() != "partial\nnext" {
		t.Fatalf("after flush %q", out.String())
	}
}

// TestLineWriterHoldsLongLines writes a line far longer than the memory a
// writer may hold, in pieces, while another job prints whole lines: those
// come out at once, and the long line comes out whole, tagged once, from
// an unlinked file.
func TestLineWriterHoldsLongLines(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	dir := t.TempDir()
	p := &Printer{Mode: LineBuffer, Out: &out, Err: &out, TempDir: dir,
		Tag: func(j *fanout.Job) []byte { return []byte(j.Data.(string)) }}
	long, short := &fanout.Job{Data: "L"}, &fanout.Job{Data: "S"}
	p.Attach(long)
	p.Attach(short)
	piece := bytes.Repeat([]byte("x"), 64<<10)
	var want bytes.Buffer
	want.WriteString("L\t")
	for i := range 48 {
		mustWrite(t, long.Stdout, piece)
		want.Write(piece)
		if i == 24 {
			mustWrite(t, short.Stdout, []byte("s1\ns2\n"))
			if got := out.String(); got != "S\ts1\nS\ts2\n" {
				t.Fatalf("the other job's lines: got %d bytes: %.40q...", len(got), got)
			}
			out.Reset()
		}
	}
	lw := long.Stdout.(*lineWriter)
	if cap(lw.partial) > maxHeld || lw.spill == nil {
		t.Fatalf("holds %d bytes in memory, file %v", cap(lw.partial), lw.spill)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("the held line left %d files in the temporary directory", len(ents))
	}
	if out.Len() != 0 {
		t.Fatalf("%d bytes of the unfinished line came out", out.Len())
	}
	mustWrite(t, long.Stdout, []byte("end\nnext\nlast"))
	want.WriteString("end\nL\tnext\n")
	if out.String() != want.String() {
		t.Fatalf("got %d bytes, want the %d of the whole line", out.Len(), want.Len())
	}
	// A second long line reuses the file; the job's end lets it go.
	mustWrite(t, long.Stdout, piece)
	mustWrite(t, long.Stdout, piece)
	if err := lw.flush(); err != nil {
		t.Fatal(err)
	}
	want.WriteString("L\tlast")
	want.Write(piece)
	want.Write(piece)
	if out.String() != want.String() || lw.spill != nil {
		t.Fatalf("after the job's end: got %d bytes, want %d; file %v", out.Len(), want.Len(), lw.spill)
	}
}

func mustWrite(t *testing.T, w io.Writer, b []byte) {
	t.Helper()
	if n, err := w.Write(b); n != len(b) || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
}

// TestLineWriterSpillError checks that a long line that cannot be held
// fails the write with the reason, instead of coming out unfinished.
func TestLineWriterSpillError(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := &Printer{Mode: LineBuffer, Out: &out, Err: &out, TempDir: filepath.Join(t.TempDir(), "missing")}
	j := &fanout.Job{}
	p.Attach(j)
	_, err := j.Stdout.Write(bytes.Repeat([]byte("x"), maxHeld+1))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "hold a long line") {
		t.Fatalf("err = %v", err)
	}
	if out.Len() != 0 {
		t.Fatalf("%d bytes came out", out.Len())
	}
}
