package output

import (
	"bytes"
	"testing"

	"github.com/fanoutdev/fanout"
)

// The latest line is the last one ended by a newline, or by a carriage
// return where a write has no newline, as GNU parallel's --latest-line
// takes it; an unfinished last line counts once the job is over.
func TestLatestLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		writes []string
		line   string // after the writes
		last   string // once the job is over
	}{
		{[]string{"a\nb\n"}, "b", "b"},
		{[]string{"a\nb"}, "a", "b"},
		{[]string{"par", "tial\nnext"}, "partial", "next"},
		{[]string{"10%\r20%\r30"}, "20%", "30"},
		{[]string{"a\nb\rc"}, "a", "c"},
		{[]string{"x"}, "", "x"},
		{[]string{"one\n", "\n"}, "", ""},
	} {
		var out bytes.Buffer
		d := &Latest{Out: &out}
		job := &fanout.Job{}
		d.Attach(job)
		for _, w := range tt.writes {
			job.Stdout.Write([]byte(w))
		}
		if got := string(job.Stdout.(*latestStream).j.line); got != tt.line {
			t.Errorf("%q: latest line %q, want %q", tt.writes, got, tt.line)
		}
		d.Receive(&fanout.Result{Job: job})
		if got := out.String(); got != tt.last+"\n" {
			t.Errorf("%q: printed %q at the end, want %q", tt.writes, got, tt.last+"\n")
		}
	}
}

// On a terminal, rows are drawn as GNU parallel draws them: the cursor
// goes up to a row or down to a new one, and back below the last row.
func TestLatestDraw(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	d := &Latest{Out: &out, Size: func() (int, int) { return 24, 20 },
		Tag: func(j *fanout.Job) []byte { return []byte(j.Data.(string)) }}
	a, b := &fanout.Job{Data: "a"}, &fanout.Job{Data: "b"}
	d.Attach(a)
	d.Attach(b)
	a.Stdout.Write([]byte("a1\n"))
	b.Stderr.Write([]byte("b1\n"))
	a.Stdout.Write([]byte("a2 is longer than the terminal\n"))
	want := "\ra       a1 \n" + "\rb       b1 \n" + "\033[A\033[A\ra       a2 is longe>\n\n"
	if out.String() != want {
		t.Fatalf("drew %q, want %q", out.String(), want)
	}
}

func TestUntab(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"a\tb": "a       b", "\t": "        ", "12345678\tx": "12345678        x", "é\tx": "é       x"} {
		if got := string(untab([]byte(in))); got != want {
			t.Errorf("untab(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLatestWrite: any writes, cut anywhere, leave a latest line with no
// line break in it, and drawing it never panics however narrow the
// terminal.
func FuzzLatestWrite(f *testing.F) {
	f.Add([]byte("a\nb\rc\td"), 3, 5)
	f.Add([]byte("\r\r\n\n"), 0, 1)
	f.Fuzz(func(t *testing.T, b []byte, cut, cols int) {
		var out bytes.Buffer
		d := &Latest{Out: &out, Size: func() (int, int) { return 3, cols % 200 },
			Tag: func(*fanout.Job) []byte { return []byte("t\tg") }}
		job := &fanout.Job{}
		d.Attach(job)
		if cut < 0 || cut > len(b) {
			cut = len(b) / 2
		}
		job.Stdout.Write(b[:cut])
		job.Stdout.Write(b[cut:])
		if bytes.ContainsAny(job.Stdout.(*latestStream).j.line, "\n") {
			t.Fatalf("latest line %q", job.Stdout.(*latestStream).j.line)
		}
		d.Receive(&fanout.Result{Job: job})
	})
}
