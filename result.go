package fanout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/fanoutdev/fanout/internal/tmpfile"
)

// Result is the outcome of one job. A Result handed to a Sink is the
// caller's to keep: the pool never reuses it, nor the memory its output is
// in. Only output that spilled to a temporary file (past the pool's
// CaptureLimit) is released when Receive returns, so that a long run does
// not keep a file open per job; call Keep during Receive to keep it
// readable, then Release when done with it. Reading released output panics
// rather than give back nothing.
type Result struct {
	// Seq is the job's 1-based submission number.
	Seq int64
	// Slot is the 1-based number of the worker that ran the job; no two
	// jobs running at once share a slot.
	Slot int
	// Job is the job as submitted.
	Job *Job
	// Host names the machine that ran the job; empty means this one.
	Host string

	// ExitCode is the process's exit status, or -1 if it was killed by a
	// signal or never ran.
	ExitCode int
	// Signal is the signal that ended the process, or 0.
	Signal syscall.Signal
	// TimedOut reports that the job ran past its Timeout and was terminated.
	TimedOut bool
	// Canceled reports that the job was terminated because its context
	// ended.
	Canceled bool

	// Start is when the process started; Runtime how long it ran.
	Start   time.Time
	Runtime time.Duration

	// UserTime and SystemTime are the CPU time the job's process spent in
	// user and kernel mode, including that of its descendants it waited
	// for, as os.ProcessState's methods report them; zero for a job that
	// never ran, or when the executor does not measure them.
	UserTime, SystemTime time.Duration

	// Stdout and Stderr hold the captured output; they are empty for a
	// stream the job wrote elsewhere (Job.Stdout, Job.Stderr).
	Stdout, Stderr Output

	// Err is set only when the job could not run at all: the program was
	// not found, not executable, its context ended before it started, or
	// the executor itself failed (errors.Is(Err, ErrUnavailable)). A
	// process that ran and failed is not an error: see ExitCode.
	Err error
	// OutputErr is set when captured output could not be kept (a full
	// disk while spilling, for instance); the process itself ran.
	OutputErr error

	kept bool // Keep was called
}

// ErrUnavailable is wrapped by Result.Err when where jobs run failed, not
// the job: the executor could not make a runner, or (for an executor on
// other machines) its workers or broker are gone. The job did not run, and
// that says nothing about its command: a job log leaves it out, so that a
// resumed run runs it.
var ErrUnavailable = errors.New("executor unavailable")

// Keep keeps r's spilled output readable after Receive returns, until
// Release. It is for a Sink that holds on to results; output in memory
// needs no keeping.
func (r *Result) Keep() { r.kept = true }

// Release lets go of r's spilled output, closing its temporary file; the
// pool does it when Receive returns, unless Keep was called. Reading
// released output panics. Release may be called more than once.
func (r *Result) Release() {
	r.Stdout.release()
	r.Stderr.release()
}

// Success reports whether the job ran and exited with status 0.
func (r *Result) Success() bool {
	return r.Err == nil && r.ExitCode == 0 && r.Signal == 0
}

// ExitStatus returns the status a POSIX shell would report for the job:
// its exit code, 128+N when signal N ended it, 127 when the program could
// not be found and 126 when it was found but could not be run. Job logs
// and --halt report jobs this way, as GNU parallel (through its shell) does.
func (r *Result) ExitStatus() int {
	switch {
	case r.Err != nil:
		if errors.Is(r.Err, exec.ErrNotFound) || errors.Is(r.Err, fs.ErrNotExist) {
			return 127
		}
		return 126
	case r.Signal != 0:
		return 128 + int(r.Signal)
	}
	return r.ExitCode
}

// reset prepares r for another attempt of its job, keeping its buffers.
func (r *Result) reset() {
	so, se := r.Stdout, r.Stderr
	*r = Result{}
	r.Stdout, r.Stderr = so, se
	r.Stdout.reset()
	r.Stderr.reset()
}

// memory returns the bytes of output r holds in memory.
func (r *Result) memory() int64 {
	return int64(len(r.Stdout.buf) + len(r.Stderr.buf))
}

// spill moves r's output from memory to disk.
func (r *Result) spill() error {
	for _, o := range []*Output{&r.Stdout, &r.Stderr} {
		if o.f == nil && len(o.buf) > 0 {
			if err := o.spill(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Output is one captured stream of a job: bytes in memory up to a limit,
// then in an unlinked temporary file, so that a job printing gigabytes
// costs no gigabytes of memory and leaves no file behind if this process
// dies.
type Output struct {
	buf      []byte
	f        *os.File
	n        int64
	limit    int
	dir      string
	released bool // spilled, then released: the bytes are gone
}

// release closes the spill file, if there is one.
func (o *Output) release() {
	if o.f != nil {
		o.f.Close()
		o.f = nil
		o.released = true
	}
}

// check panics if o's bytes were released: a result read after its Sink
// returned, without Keep, would otherwise seem to have printed nothing.
func (o *Output) check() {
	if o.released {
		panic("fanout: spilled output read after its result was released; call Result.Keep in Sink.Receive to keep it")
	}
}

// defaultCaptureLimit is the memory a captured stream may use before it
// spills to disk.
const defaultCaptureLimit = 256 << 10

func (o *Output) reset() {
	if o.f != nil {
		o.f.Close()
		o.f = nil
	}
	o.buf = o.buf[:0]
	o.n = 0
}

// Write appends p, spilling to a temporary file past the capture limit.
func (o *Output) Write(p []byte) (int, error) {
	if o.f == nil {
		if len(o.buf)+len(p) <= o.limit {
			o.buf = append(o.buf, p...)
			o.n += int64(len(p))
			return len(p), nil
		}
		if err := o.spill(); err != nil {
			return 0, err
		}
	}
	n, err := o.f.Write(p)
	o.n += int64(n)
	if err != nil {
		return n, fmt.Errorf("spill output to %s: %w", o.tempDir(), err)
	}
	return n, nil
}

func (o *Output) tempDir() string {
	if o.dir != "" {
		return o.dir
	}
	return os.TempDir()
}

// spill moves the buffered bytes to a new unlinked temporary file.
func (o *Output) spill() error {
	// Anonymous: the data lives as long as the descriptor, and no crash
	// can leave the file behind.
	f, err := tmpfile.Open(o.dir)
	if err != nil {
		return fmt.Errorf("spill output: %w", err)
	}
	if _, err := f.Write(o.buf); err != nil {
		f.Close()
		return fmt.Errorf("spill output to %s: %w", o.tempDir(), err)
	}
	o.f = f
	o.buf = o.buf[:0]
	return nil
}

// Len returns the number of bytes captured.
func (o *Output) Len() int64 { return o.n }

// Spilled reports whether the bytes are on disk rather than in memory.
func (o *Output) Spilled() bool { return o.f != nil || o.released }

// Bytes returns the captured bytes. For output that spilled to disk this
// reads it all into memory: prefer WriteTo for output of unknown size.
func (o *Output) Bytes() []byte {
	o.check()
	if o.f == nil {
		return o.buf
	}
	var b bytes.Buffer
	o.WriteTo(&b)
	return b.Bytes()
}

// String returns the captured bytes as a string; see Bytes.
func (o *Output) String() string { return string(o.Bytes()) }

// WriteTo writes the captured bytes to w. On Linux, spilled output is
// copied by the kernel (sendfile) where w is a file, pipe or device.
func (o *Output) WriteTo(w io.Writer) (int64, error) {
	o.check()
	if o.f == nil {
		n, err := w.Write(o.buf)
		return int64(n), err
	}
	done, over, err := o.sendfile(w)
	if over {
		return done, err
	}
	n, err := io.Copy(w, io.NewSectionReader(o.f, done, o.n-done))
	return done + n, err
}

// Reader returns a reader of the captured bytes, independent of other
// readers and of WriteTo.
func (o *Output) Reader() io.Reader {
	o.check()
	if o.f == nil {
		return bytes.NewReader(o.buf)
	}
	return io.NewSectionReader(o.f, 0, o.n)
}
