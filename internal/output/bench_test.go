package output

import (
	"context"
	"io"
	"testing"

	"github.com/fanoutdev/fanout"
)

// BenchmarkPrinterGroup measures writing a finished job's output, tagged,
// through the printer: the per-job output path of the default mode.
func BenchmarkPrinterGroup(b *testing.B) {
	// One real result to print, kept alive inside its sink call.
	var out io.Writer = io.Discard
	tag := []byte("tag")
	p := &Printer{Out: out, Err: out, Tag: func(*fanout.Job) []byte { return tag }}
	pool := &fanout.Pool{Limit: 1, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if err := p.Receive(r); err != nil {
				return err
			}
		}
		return nil
	})}
	pool.Go(context.Background(), fanout.ShellCommand("printf 'line one\\nline two\\nline three\\n'"))
	if err := pool.Wait(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLineWriterTagged measures a running job's tagged output through
// --line-buffer: the path every read from a job's pipe takes.
func BenchmarkLineWriterTagged(b *testing.B) {
	p := &Printer{Mode: LineBuffer, Out: io.Discard, Err: io.Discard,
		Tag: func(*fanout.Job) []byte { return []byte("tag") }}
	j := &fanout.Job{}
	p.Attach(j)
	chunk := []byte("rest of a line\nline two\nline three\nthe start of one")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := j.Stdout.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
}
