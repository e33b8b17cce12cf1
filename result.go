package fanout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
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
			if err := o.seal(); err != nil {
				return err
			}
		}
	}
	return nil
}

// seal ends the compressing of both streams' spilled output: the job
// writes no more.
func (r *Result) seal() error {
	err := r.Stdout.seal()
	if e := r.Stderr.seal(); err == nil {
		err = e
	}
	return err
}

// Output is one captured stream of a job: bytes in memory up to a limit,
// then in an unlinked temporary file, so that a job printing gigabytes
// costs no gigabytes of memory and leaves no file behind if this process
// dies.
//
// The standard output of the job a pool delivers next may stream instead
// (see Pool.Stream): once it outgrows the capture limit, its bytes
// go to the stream's writer as they come, and the Output keeps only their
// count.
type Output struct {
	buf      []byte
	f        *os.File
	n        int64
	limit    int
	dir      string
	released bool // spilled, then released: the bytes are gone

	// With a Codec, spilled bytes go through cw, the compressor, until
	// seal; the file then holds zsize bytes, compressed. readers are the
	// decompressing readers Reader handed out, ended on release.
	codec   Codec
	cw      io.WriteCloser
	zerr    error // the compressor failed
	zsize   int64
	readers []*zipReader

	// turn, until the job's turn is taken, is how the pool tells when it
	// comes; res is the result this is the standard output of.
	turn *turn
	res  *Result
	// stream is where the bytes go once the job streams; serr is the
	// first error writing there met, after which the rest is dropped.
	stream   io.Writer
	streamed bool
	serr     error
}

// turn is a pool's record of whose output may stream, where the order of
// delivery is known: the job it delivers next, once every earlier result
// is out.
type turn struct {
	next atomic.Int64
	open func(r *Result) io.Writer
}

// kernelWriter is a stream's writer over a file, which takes bytes from a
// pipe or a file in the kernel; its lock is held around each such copy.
type kernelWriter interface {
	io.Writer
	sync.Locker
	File() *os.File
}

// take starts streaming if the job's turn has come and the pool's Stream
// gives a writer, after writing there what was captured so far. It is
// called only where output would otherwise go to disk, so a job that
// prints little never pays for it. It reports whether o streams.
func (o *Output) take() bool {
	if o.streamed {
		return true
	}
	if o.turn == nil || o.turn.next.Load() != o.res.Seq {
		return false
	}
	w := o.turn.open(o.res)
	o.turn = nil // asked once
	if w == nil {
		return false
	}
	o.stream, o.streamed = w, true
	var err error
	if o.f != nil && o.codec != nil {
		_, err = o.unzipTo(w)
		o.dropFile()
	} else if o.f != nil {
		_, err = o.copyOut(w)
		o.dropFile()
	} else {
		_, err = w.Write(o.buf)
		o.buf = o.buf[:0]
	}
	o.serr = err
	return true
}

// writeStream writes p to the stream. An error is the stream's, not the
// job's: it is kept for StreamErr, and the rest of the output dropped,
// which lets the job run on to its end like one whose output is kept.
func (o *Output) writeStream(p []byte) (int, error) {
	if o.serr == nil {
		n, err := o.stream.Write(p)
		o.n += int64(n)
		o.serr = err
	}
	return len(p), nil
}

// copyOut writes the spilled bytes to w, in the kernel where w is a file
// that can take them so.
func (o *Output) copyOut(w io.Writer) (int64, error) {
	if o.codec != nil {
		return o.unzipTo(w)
	}
	kw, ok := w.(kernelWriter)
	if !ok {
		return o.WriteTo(w)
	}
	kw.Lock()
	defer kw.Unlock()
	done, over, err := o.sendfile(kw.File())
	if over {
		return done, err
	}
	n, err := io.Copy(kw.File(), io.NewSectionReader(o.f, done, o.n-done))
	return done + n, err
}

// release closes the spill file, if there is one.
func (o *Output) release() {
	if o.f != nil {
		o.dropFile()
		o.released = true
	}
}

// dropFile closes the spill file, after ending its compressing and the
// decompressing of its readers.
func (o *Output) dropFile() {
	if o.cw != nil {
		o.cw.Close()
		o.cw = nil
	}
	for _, z := range o.readers {
		z.close()
	}
	o.readers = nil
	o.f.Close()
	o.f = nil
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
		o.dropFile()
	}
	o.zerr = nil
	o.buf = o.buf[:0]
	o.n = 0
	o.stream, o.streamed, o.serr = nil, false, nil
}

// Write appends p, spilling to a temporary file past the capture limit,
// or streaming then if it is the job's turn.
func (o *Output) Write(p []byte) (int, error) {
	if o.f == nil && !o.streamed && len(o.buf)+len(p) <= o.limit {
		o.buf = append(o.buf, p...)
		o.n += int64(len(p))
		return len(p), nil
	}
	if o.take() {
		return o.writeStream(p)
	}
	if o.f == nil {
		if err := o.spill(); err != nil {
			return 0, err
		}
	}
	if o.zerr != nil {
		return 0, o.zerr // the compressor failed: the rest is lost too
	}
	if o.cw != nil {
		n, err := o.cw.Write(p)
		o.n += int64(n)
		if err != nil {
			return n, o.compressFailed(err)
		}
		return n, nil
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
	var w io.Writer = f
	if o.codec != nil {
		if o.cw, err = o.codec.Compress(f); err != nil {
			f.Close()
			return fmt.Errorf("spill output: compress: %w", err)
		}
		w = o.cw
	}
	o.f = f
	if _, err := w.Write(o.buf); err != nil {
		if o.cw != nil {
			return o.compressFailed(err)
		}
		o.f = nil
		f.Close()
		return fmt.Errorf("spill output to %s: %w", o.tempDir(), err)
	}
	o.buf = o.buf[:0]
	return nil
}

// Len returns the number of bytes captured.
func (o *Output) Len() int64 { return o.n }

// Spilled reports whether the bytes are on disk rather than in memory.
func (o *Output) Spilled() bool { return o.f != nil || o.released }

// Streamed reports whether the bytes went to the pool's Stream as they
// came: the Output then holds none of them, only their count (Len).
func (o *Output) Streamed() bool { return o.streamed }

// StreamErr returns the error that writing streamed output met, if any;
// the output from there on was dropped.
func (o *Output) StreamErr() error { return o.serr }

// Bytes returns the captured bytes. For output that spilled to disk this
// reads it all into memory: prefer WriteTo for output of unknown size.
// Streamed output has none.
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
	if o.codec != nil {
		return o.unzipTo(w)
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
	if o.codec != nil {
		rc, err := o.unzipped()
		if err != nil {
			return errReader{err}
		}
		z := &zipReader{rc: rc}
		o.readers = append(o.readers, z)
		return z
	}
	return io.NewSectionReader(o.f, 0, o.n)
}
