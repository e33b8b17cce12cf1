package fanout_test

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/fanoutdev/fanout"
	"golang.org/x/sys/unix"
)

// Spilled output sent into a pipe (by sendfile) lends the pipe the spill
// file's pages until it is read: nothing may write over them once the
// result is released, though its file is gone. Here nothing reads the
// pipe until every job is done, and each job's bytes are still its own.
func TestSpillSentToPipeIsNotWrittenOver(t *testing.T) {
	t.Parallel()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if _, err := unix.FcntlInt(pw.Fd(), unix.F_SETPIPE_SZ, 1<<20); err != nil {
		t.Skipf("cannot grow a pipe to 1 MiB: %v", err)
	}
	const size = 300000
	sink := fanout.SinkFunc(func(r *fanout.Result) error {
		_, err := r.Stdout.WriteTo(pw)
		return err
	})
	p := &fanout.Pool{Limit: 1, CaptureLimit: 4096, TempDir: t.TempDir(), Sink: sink}
	var want strings.Builder
	for _, c := range "abc" {
		want.WriteString(strings.Repeat(string(c), size))
		if _, err := p.Go(t.Context(), helper(t, "fill", "300000", string(c))); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	got, err := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Fatalf("the pipe holds %d bytes, not each job's own %d: a later job wrote over an earlier one's", len(got), want.Len())
	}
}
