package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/pipe"
)

func mkfifo(name string) error { return unix.Mkfifo(name, 0o600) }

// blockExecutor runs jobs with the runners of inner, giving a job of block
// mode its block on a pipe of its own for every attempt, so that a retried
// job reads the same block again.
type blockExecutor struct {
	inner fanout.Executor
}

func (e *blockExecutor) Runner() (fanout.Runner, error) {
	r, err := e.inner.Runner()
	if err != nil {
		return nil, err
	}
	return &blockRunner{Runner: r}, nil
}

// Signal passes sig on to the inner executor's jobs.
func (e *blockExecutor) Signal(sig syscall.Signal) int {
	if s, ok := e.inner.(signaller); ok {
		return s.Signal(sig)
	}
	return 0
}

type blockRunner struct {
	fanout.Runner
}

// Run feeds the job's stdin while it runs. A job that exits before it read
// all of its block fails as killed by SIGPIPE, as under GNU parallel, whose
// writer to the job dies of it: the job did not see all of its input.
func (br *blockRunner) Run(ctx context.Context, job *fanout.Job, r *fanout.Result) {
	d, _ := job.Data.(*jobData)
	if d == nil || d.feed == nil && d.fifo == "" {
		br.Runner.Run(ctx, job, r)
		return
	}
	var err error
	if d.fifo != "" {
		err = br.runFifo(ctx, job, r, d)
	} else {
		err = br.runPipe(ctx, job, r, d)
	}
	if errors.Is(err, syscall.EPIPE) && r.Err == nil && r.Signal == 0 && !r.TimedOut && !r.Canceled {
		r.Signal = syscall.SIGPIPE
	}
}

func (br *blockRunner) runPipe(ctx context.Context, job *fanout.Job, r *fanout.Result, d *jobData) error {
	pr, pw, err := os.Pipe()
	if err != nil {
		r.ExitCode, r.Err = -1, err
		return nil
	}
	job.Stdin = pr
	feed := d.feed
	if b := d.block; b != nil {
		if growPipe(pw, b.Size()) {
			defer grownPipes.Add(-1)
		}
		// What fits in the pipe goes in before the job starts: a job that
		// exits without reading a block that small did not miss any of it
		// (GNU parallel's writer wins that race nearly always).
		n := b.Prefill(pw)
		if n == b.Size() {
			return br.runWhole(ctx, job, r, pr, pw)
		}
		feed = func(w *os.File) error {
			_, err := b.WriteFrom(w, n)
			return err
		}
	}
	done := make(chan error, 1)
	go func() {
		err := feed(pw)
		pw.Close()
		done <- err
	}()
	br.Runner.Run(ctx, job, r)
	// Once the job is over, closing the last read end ends a write it
	// left blocked with EPIPE.
	pr.Close()
	job.Stdin = nil
	return <-done
}

// runWhole runs a job whose block is all in its pipe: the pipe is closed
// behind it before the job starts, so the job reads it at its own pace,
// never waiting for this process to refill the pipe. A job that leaves
// more unread than GNU parallel's pipe would have held fails as killed by
// SIGPIPE, as its writer would have been.
func (br *blockRunner) runWhole(ctx context.Context, job *fanout.Job, r *fanout.Result, pr, pw *os.File) error {
	pw.Close()
	br.Runner.Run(ctx, job, r)
	left := pipe.Unread(pr)
	pr.Close()
	job.Stdin = nil
	if left > pipe.DefaultPipe {
		return syscall.EPIPE
	}
	return nil
}

// grownPipes counts the pipes grown for blocks now in use. The system
// counts a user's pipe pages: past its soft limit (16384 pages) every new
// pipe of that user, the jobs' own included, is made tiny. The budget
// keeps these well under it.
var grownPipes atomic.Int32

const grownPipesMax = 16

// growPipe grows pw to hold a block of size bytes when that is worth it
// and within the budget.
func growPipe(pw *os.File, size int64) bool {
	if size <= pipe.DefaultPipe {
		return false
	}
	if grownPipes.Add(1) > grownPipesMax || !pipe.Grow(pw, size) {
		grownPipes.Add(-1)
		return false
	}
	return true
}

// runFifo writes the block into the job's named pipe once the job opens
// it. A job that never does leaves the writer waiting in open: when the
// job is over, opening the pipe for reading here releases it. (Had the
// job read its block, the writer would be past its open by then.)
func (br *blockRunner) runFifo(ctx context.Context, job *fanout.Job, r *fanout.Result, d *jobData) error {
	opened := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(d.fifo, os.O_WRONLY, 0)
		close(opened)
		if err != nil {
			done <- err
			return
		}
		_, err = d.block.WriteTo(w)
		w.Close()
		done <- err
	}()
	br.Runner.Run(ctx, job, r)
	select {
	case <-opened:
		return <-done
	default:
	}
	// The job never opened its pipe, so it read none of its block: it
	// fails as one that exits early does.
	rd, err := os.OpenFile(d.fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err == nil {
		<-opened
		rd.Close()
	}
	<-done
	return syscall.EPIPE
}

// blockFeed writes one block.
func blockFeed(b *pipe.Block) func(w *os.File) error {
	return func(w *os.File) error {
		_, err := b.WriteTo(w)
		return err
	}
}

// teeHub is --tee with --pipe: every job gets all of standard input. The
// jobs all run at once; once each has its pipe, one of them copies the
// input to all.
type teeHub struct {
	in    io.Reader
	n     int
	mu    sync.Mutex
	pipes []*os.File
	done  chan struct{}
	over  bool
}

func newTeeHub(in io.Reader, n int) *teeHub {
	return &teeHub{in: in, n: n, done: make(chan struct{})}
}

// feed adds w to the pipes and waits until the input is copied; the last
// job to come copies it. A job that runs again (--retries) after the copy
// gets an empty input.
func (t *teeHub) feed(w *os.File) error {
	t.mu.Lock()
	if t.over {
		t.mu.Unlock()
		return nil
	}
	t.pipes = append(t.pipes, w)
	last := len(t.pipes) == t.n
	if last {
		t.over = true
	}
	t.mu.Unlock()
	if last {
		t.copy()
		close(t.done)
	}
	<-t.done
	return nil
}

func (t *teeHub) copy() {
	buf := make([]byte, 256<<10)
	live := t.pipes
	for len(live) > 0 {
		n, err := t.in.Read(buf)
		if n > 0 {
			keep := live[:0]
			for _, w := range live {
				if _, werr := w.Write(buf[:n]); werr == nil {
					keep = append(keep, w)
				}
			}
			live = keep
		}
		if err != nil {
			return
		}
	}
}

// teeJobs is one job per set of values, each fed all of the input.
type teeJobs struct {
	all  readJobs
	feed func(w *os.File) error
}

func (t *teeJobs) next() (*jobData, error) {
	d, err := t.all.next()
	if err == nil {
		d.feed = t.feed
	}
	return d, err
}
