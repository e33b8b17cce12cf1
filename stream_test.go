package fanout_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fanoutdev/fanout"
)

// streamSink prints an Ordered pool's results to out, standard output
// only, in the pool's order, and takes the output of the job whose turn it
// is through Stream, as a printer does.
type streamSink struct {
	out      io.Writer
	streamed []int64 // the jobs that streamed
	lens     []int64 // each result's Stdout.Len
	first    string  // a file made when the first job streams
}

func (s *streamSink) stream(r *fanout.Result) io.Writer {
	s.streamed = append(s.streamed, r.Seq)
	if r.Seq == 1 && s.first != "" {
		os.WriteFile(s.first, nil, 0o644)
	}
	return s.out
}

func (s *streamSink) Receive(r *fanout.Result) error {
	s.lens = append(s.lens, r.Stdout.Len())
	if r.Stdout.Streamed() {
		return r.Stdout.StreamErr()
	}
	_, err := r.Stdout.WriteTo(s.out)
	return err
}

// lockedFile is a stream writer over a file, which the pool writes to in
// the kernel.
type lockedFile struct {
	sync.Mutex
	f *os.File
}

func (l *lockedFile) Write(b []byte) (int, error) {
	l.Lock()
	defer l.Unlock()
	return l.f.Write(b)
}

func (l *lockedFile) File() *os.File { return l.f }

// An Ordered pool with Stream prints the same bytes in the same order as
// without it, streaming the jobs whose output outgrew the capture limit
// while they had their turn, whether the writer takes bytes through Write
// or in the kernel, into a file. The first job, whose turn it is from the
// start, can end only once it streams.
func TestOrderedStream(t *testing.T) {
	t.Parallel()
	sizes := []int{300000, 10, 5, 2000000, 4096, 4097, 0, 1000000}
	var want bytes.Buffer
	for i, n := range sizes {
		want.WriteString(strings.Repeat(string(rune('a'+i)), n))
	}
	for _, c := range []struct {
		kernel bool
		limit  int
	}{{false, 3}, {true, 3}, {false, 1}, {true, 1}} {
		kernel := c.kernel
		t.Run(fmt.Sprintf("kernel=%v/limit=%d", c.kernel, c.limit), func(t *testing.T) {
			t.Parallel()
			f, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var w io.Writer = struct{ io.Writer }{f}
			if kernel {
				w = &lockedFile{f: f}
			}
			sink := &streamSink{out: w, first: filepath.Join(t.TempDir(), "first")}
			p := &fanout.Pool{Limit: c.limit, Ordered: true, CaptureLimit: 4096, Sink: sink, Stream: sink.stream}
			for i, n := range sizes {
				job := helper(t, "fill", strconv.Itoa(n), string(rune('a'+i)))
				if i == 0 {
					job.Args = append(job.Args, "gate", sink.first)
				}
				if _, err := p.Go(context.Background(), job); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Wait(); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(f.Name())
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("printed %d bytes, want %d (streamed jobs %v)", len(got), want.Len(), sink.streamed)
			}
			for i, seq := range sink.streamed {
				if i > 0 && seq <= sink.streamed[i-1] || sizes[seq-1] <= 4096 {
					t.Errorf("streamed jobs %v: out of order, or one that fits in memory", sink.streamed)
				}
			}
			for i, n := range sizes {
				if sink.lens[i] != int64(n) {
					t.Errorf("job %d: Stdout.Len %d, want %d", i+1, sink.lens[i], n)
				}
			}
		})
	}
}

// Stream is never called where the next result is not known to be the
// job's whose turn it is: with Attempts, as a failed attempt's output is
// not delivered, and in an unordered pool, even one running one job at a
// time.
func TestStreamNotWhereTheOrderIsUnknown(t *testing.T) {
	t.Parallel()
	for _, p := range []*fanout.Pool{
		{Limit: 1, Ordered: true, Attempts: 2},
		{Limit: 1},
		{Limit: 2},
	} {
		var out bytes.Buffer
		sink := &streamSink{out: &out}
		p.CaptureLimit, p.Sink, p.Stream = 4096, sink, sink.stream
		for range 2 {
			if _, err := p.Go(context.Background(), helper(t, "fill", "100000", "x")); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Wait(); err != nil {
			t.Fatal(err)
		}
		if len(sink.streamed) != 0 || out.Len() != 200000 {
			t.Fatalf("Limit %d, Ordered %v, Attempts %d: streamed %v, printed %d bytes", p.Limit, p.Ordered, p.Attempts, sink.streamed, out.Len())
		}
	}
}
