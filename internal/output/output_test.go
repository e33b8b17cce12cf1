package output

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/fanoutdev/fanout"
)

func TestAppendTagged(t *testing.T) {
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
	pool := &fanout.Pool{Limit: limit, Ordered: true, Sink: p, CaptureLimit: 16}
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

func TestLineWriterKeepsLinesWhole(t *testing.T) {
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
