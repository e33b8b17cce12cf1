// Package output prints jobs' output the way GNU parallel does: grouped
// (each job's stdout whole, then its stderr whole, never interleaved with
// another job's), line-buffered (whole lines from jobs as they run), or
// ungrouped (bytes as they come), optionally with a tag before each line.
package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/tmpfile"
)

// Mode chooses how jobs' output reaches the terminal.
type Mode int

const (
	// Group writes a job's output when it ends, whole (--group).
	Group Mode = iota
	// LineBuffer writes whole lines while jobs run (--line-buffer).
	LineBuffer
	// Ungroup passes bytes through as they come (--ungroup).
	Ungroup
)

// Printer is a fanout.Sink that prints results. For LineBuffer and Ungroup
// jobs must write through the streams Attach gives them.
type Printer struct {
	Mode     Mode
	Out, Err io.Writer
	// Tag, if set, returns the text put before every output line (a tab
	// follows it), as --tag and --tagstring do.
	Tag func(job *fanout.Job) []byte
	// Color, if set, colours each line of a job's output as GNU parallel's
	// --color and --color-failed do (see JobColor): it returns the job's
	// colour, nil for none, given its result, which is nil while the job
	// runs (LineBuffer). With a Color every line ends in a newline, the
	// last one too, even where the colour is nil. Ungroup ignores it.
	Color func(job *fanout.Job, r *fanout.Result) []byte
	// Command, if set, returns the text printed before a job's output
	// (for -v).
	Command func(job *fanout.Job) []byte
	// TempDir is where LineBuffer holds lines too long to keep in memory
	// until they end; empty means os.TempDir().
	TempDir string
	// Lock, if set, is held for every write to Out and Err, so that others
	// writing to the same streams (the command's own messages, a progress
	// bar) never tear a line of a job's output, nor it theirs. Nil means a
	// lock of the printer's own.
	Lock sync.Locker

	mu  sync.Mutex // Lock when it is nil; it guards Out, Err and buf
	buf []byte
	// live is the stream of the one job that streams (see Stream): an
	// Ordered pool streams one job at a time, so one is reused.
	live     liveWriter
	liveFile liveFile
}

func (p *Printer) locker() sync.Locker {
	if p.Lock != nil {
		return p.Lock
	}
	return &p.mu
}

// Attach sets the job's streams for the printer's mode: LineBuffer and
// Ungroup jobs write while they run, Group jobs are captured.
//
// Their command (-v) is printed here, as the job starts, so that it comes
// before the output it streams, as in GNU parallel.
func (p *Printer) Attach(job *fanout.Job) {
	if p.Mode != Group && p.Command != nil {
		p.printCommand(job, nil) // a failed write shows again in the job's output
	}
	switch p.Mode {
	case Ungroup:
		if p.Tag == nil {
			job.Stdout, job.Stderr = p.Out, p.Err
			return
		}
		fallthrough
	case LineBuffer:
		tag := p.tagOf(job)
		color, colored := p.colorOf(job, nil)
		job.Stdout = &lineWriter{p: p, w: p.Out, tag: tag, color: color, colored: colored}
		job.Stderr = &lineWriter{p: p, w: p.Err, tag: tag, color: color, colored: colored}
	}
}

// Finish prints the unfinished last lines of a job that streams its output
// (LineBuffer, or Ungroup with a tag), at once when it ends: called on the
// worker that ran it (fanout.Pool.Observe's Finished), before that worker
// starts another job, it keeps a job's last line ahead of the next job's
// first one. Receive prints them otherwise.
func (p *Printer) Finish(job *fanout.Job) {
	if lw, ok := job.Stdout.(*lineWriter); ok {
		lw.flush()
	}
	if lw, ok := job.Stderr.(*lineWriter); ok {
		lw.flush()
	}
}

// Stream is for fanout.Pool.Stream: a grouped job's standard output goes
// straight to Out from now on, after its command (-v), with its tag before
// each line. It is what keeping the order lets a grouped printer do: the
// job delivered next prints while it runs, and Receive prints only its
// standard error. Other modes print as jobs run already, and colours wait
// for the job's end; Stream returns nil for them.
func (p *Printer) Stream(r *fanout.Result) io.Writer {
	// A colour may depend on how the job ends (--color-failed): that is
	// known only then.
	if p.Mode != Group || p.Color != nil {
		return nil
	}
	var err error
	if p.Command != nil {
		err = p.printCommand(r.Job, r)
	}
	p.live = liveWriter{p: p, tag: p.tagOf(r.Job), start: true, err: err}
	if f, ok := p.Out.(*os.File); ok && p.live.tag == nil && err == nil {
		p.liveFile = liveFile{&p.live, f}
		return &p.liveFile
	}
	return &p.live
}

// Receive prints what the job left to print: all of its output when
// grouped, its unfinished last lines otherwise.
func (p *Printer) Receive(r *fanout.Result) error {
	streamed := r.Stdout.Streamed()
	if p.Mode == Group && p.Command != nil && !streamed {
		if err := p.printCommand(r.Job, r); err != nil {
			return err
		}
	}
	if lw, ok := r.Job.Stdout.(*lineWriter); ok {
		err := lw.flush()
		if lw, ok := r.Job.Stderr.(*lineWriter); ok {
			err = errors.Join(err, lw.flush())
		}
		return err
	}
	tag := p.tagOf(r.Job)
	p.locker().Lock()
	defer p.locker().Unlock()
	if color, ok := p.colorOf(r.Job, r); ok {
		if err := p.writeColored(p.Out, &r.Stdout, color, tag); err != nil {
			return p.streamErr(p.Out, err)
		}
		return p.streamErr(p.Err, p.writeColored(p.Err, &r.Stderr, color, tag))
	}
	if streamed {
		if err := r.Stdout.StreamErr(); err != nil {
			return p.streamErr(p.Out, err)
		}
	} else if err := p.writeTagged(p.Out, &r.Stdout, tag); err != nil {
		return p.streamErr(p.Out, err)
	}
	return p.streamErr(p.Err, p.writeTagged(p.Err, &r.Stderr, tag))
}

// liveWriter writes the output of the job that streams to Out, under the
// printer's lock, with the tag at the start of each line. err is what
// printing its command met, which its first write returns.
type liveWriter struct {
	p     *Printer
	tag   []byte
	start bool // the next byte starts a line
	err   error
}

func (l *liveWriter) Write(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(b) == 0 {
		return 0, nil
	}
	l.p.locker().Lock()
	defer l.p.locker().Unlock()
	if l.tag == nil {
		return l.p.Out.Write(b)
	}
	buf, rest := l.p.buf[:0], b
	if !l.start { // b continues a line begun in the last write
		i := bytes.IndexByte(b, '\n') + 1
		if i == 0 {
			i = len(b)
		}
		buf, rest = append(buf, b[:i]...), b[i:]
	}
	buf = appendTagged(buf, rest, l.tag)
	l.start = b[len(b)-1] == '\n'
	_, err := l.p.Out.Write(buf)
	l.p.keep(buf)
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// liveFile is a liveWriter over a file with no tag to add, which the pool
// writes to in the kernel (splice, sendfile) under the printer's lock.
type liveFile struct {
	*liveWriter
	f *os.File
}

func (l *liveFile) File() *os.File { return l.f }
func (l *liveFile) Lock()          { l.p.locker().Lock() }
func (l *liveFile) Unlock()        { l.p.locker().Unlock() }

// WriteError is a failed write to the printer's standard output or error:
// the run's own output is broken, not a job.
type WriteError struct {
	Stream string // "standard output" or "standard error"
	Err    error
}

func (e *WriteError) Error() string { return e.Stream + ": " + e.Err.Error() }

// Unwrap returns the write's error.
func (e *WriteError) Unwrap() error { return e.Err }

// streamErr names the stream w in err, unless err is nil or names it
// already.
func (p *Printer) streamErr(w io.Writer, err error) error {
	if err == nil || errors.As(err, new(*WriteError)) {
		return err
	}
	name := "standard error"
	if w == p.Out {
		name = "standard output"
	}
	return &WriteError{Stream: name, Err: err}
}

// printCommand prints the job's command line (-v), tagged and coloured
// like the job's output lines, as GNU parallel does; r is the job's
// result, nil while it runs.
func (p *Printer) printCommand(job *fanout.Job, r *fanout.Result) error {
	p.locker().Lock()
	defer p.locker().Unlock()
	line := append(append(p.buf[:0], p.Command(job)...), '\n')
	out, tag := line, p.tagOf(job)
	// The tagged line is built after the plain one, in the same buffer.
	if color, ok := p.colorOf(job, r); ok {
		out = appendColored(line[len(line):], nil, line, color, tag)
	} else if tag != nil {
		out = appendTagged(line[len(line):], line, tag)
	}
	_, err := p.Out.Write(out)
	p.keep(line)
	return p.streamErr(p.Out, err)
}

// keep keeps buf, grown from p.buf, for the next write unless it grew
// large. The caller holds the printer's lock.
func (p *Printer) keep(buf []byte) {
	if cap(buf) > keepBuf {
		buf = nil
	}
	p.buf = buf[:0]
}

func (p *Printer) tempDir() string {
	if p.TempDir != "" {
		return p.TempDir
	}
	return os.TempDir()
}

// tagOf returns the job's tag, nil when the printer has no Tag. An empty
// tag is still a tag: each line gets its tab, as with GNU parallel.
func (p *Printer) tagOf(job *fanout.Job) []byte {
	if p.Tag == nil {
		return nil
	}
	if t := p.Tag(job); t != nil {
		return t
	}
	return []byte{}
}

// writeTagged copies o to w, with tag and a tab before every line.
func (p *Printer) writeTagged(w io.Writer, o *fanout.Output, tag []byte) error {
	if o.Len() == 0 {
		return nil
	}
	if tag == nil {
		_, err := o.WriteTo(w)
		return err
	}
	if !o.Spilled() {
		p.buf = appendTagged(p.buf[:0], o.Bytes(), tag)
		_, err := w.Write(p.buf)
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	start := true
	eachChunk(o.Reader(), func(chunk []byte) {
		if start {
			bw.Write(tag)
			bw.WriteByte('\t')
		}
		bw.Write(chunk)
		start = chunk[len(chunk)-1] == '\n'
	})
	return bw.Flush()
}

// eachChunk calls fn with spilled output read from r in pieces that end
// with a newline, or at 64 KiB within a longer line: a line is never held
// whole, however long. A read error ends the output there.
func eachChunk(r io.Reader, fn func(chunk []byte)) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			fn(chunk)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// appendTagged appends b to dst with tag and a tab before every line.
func appendTagged(dst, b, tag []byte) []byte {
	for len(b) > 0 {
		dst = append(dst, tag...)
		dst = append(dst, '\t')
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i+1]...)
		b = b[i+1:]
	}
	return dst
}

// maxHeld bounds the memory an unfinished line takes; the rest of a longer
// line waits on disk. Every running job's stdout and stderr may hold this
// much, so it stays small next to the capture limit of grouped output.
const maxHeld = 64 << 10

// keepBuf bounds the tagging buffer a printer keeps between writes.
const keepBuf = 1 << 20

// lineWriter passes a running job's output on in whole lines, so that lines
// of jobs running at once never mix. An unfinished line is held until its
// newline or the job's end, however long: in memory while short, then in
// an unlinked temporary file, so a job printing one endless line costs disk
// rather than memory, and other jobs' lines keep flowing meanwhile.
type lineWriter struct {
	p       *Printer
	w       io.Writer
	tag     []byte
	color   []byte // the job's colour, when colored
	colored bool
	partial []byte   // the unfinished line, while it is short
	spill   *os.File // the unfinished line from its start, once long
	spilled int64    // bytes of the line in spill; 0 when it is in partial
	flushed bool     // the job ended and its last line went out
	err     error    // what flushing it met
}

func (l *lineWriter) Write(b []byte) (int, error) {
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		if err := l.hold(b); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	l.p.locker().Lock()
	err := l.writeLines(b[:i+1])
	l.p.locker().Unlock()
	if err != nil {
		return 0, l.p.streamErr(l.w, err)
	}
	if err := l.hold(b[i+1:]); err != nil {
		return 0, err
	}
	return len(b), nil
}

// hold adds b, which has no newline, to the unfinished line.
func (l *lineWriter) hold(b []byte) error {
	if l.spilled == 0 && len(l.partial)+len(b) <= maxHeld {
		l.partial = append(l.partial, b...)
		return nil
	}
	if l.spill == nil {
		// Anonymous: no crash can leave the file behind.
		f, err := tmpfile.Open(l.p.TempDir)
		if err != nil {
			return fmt.Errorf("hold a long line: %w", err)
		}
		l.spill = f
	}
	if l.spilled == 0 && len(l.partial) > 0 {
		if err := l.spillWrite(l.partial); err != nil {
			return err
		}
		l.partial = l.partial[:0]
	}
	return l.spillWrite(b)
}

func (l *lineWriter) spillWrite(b []byte) error {
	n, err := l.spill.Write(b)
	l.spilled += int64(n)
	if err != nil {
		return fmt.Errorf("hold a long line in %s: %w", l.p.tempDir(), err)
	}
	return nil
}

// writeLines writes the unfinished line and then b, whole lines, with the
// tag at the start of each. The caller holds the printer's lock.
func (l *lineWriter) writeLines(b []byte) error {
	if l.spilled > 0 {
		if err := l.writeSpilled(); err != nil {
			return err
		}
		j := bytes.IndexByte(b, '\n') // where the spilled line ends
		if _, err := l.w.Write(b[:j+1]); err != nil {
			return err
		}
		if b = b[j+1:]; len(b) == 0 {
			return nil
		}
	}
	if l.colored {
		// A spilled line's start went out above, uncoloured: lines that
		// long are rare, and colouring them would need a second pass.
		buf := appendColored(l.p.buf[:0], l.partial, b, l.color, l.tag)
		l.partial = l.partial[:0]
		_, err := l.w.Write(buf)
		l.p.keep(buf)
		return err
	}
	if l.tag == nil && len(l.partial) == 0 {
		_, err := l.w.Write(b)
		return err
	}
	buf := l.p.buf[:0]
	if l.tag != nil {
		buf = append(append(buf, l.tag...), '\t')
	}
	buf = append(buf, l.partial...)
	l.partial = l.partial[:0]
	if l.tag == nil {
		buf = append(buf, b...)
	} else {
		j := bytes.IndexByte(b, '\n') // the first line continues the held one
		buf = appendTagged(append(buf, b[:j+1]...), b[j+1:], l.tag)
	}
	_, err := l.w.Write(buf)
	l.p.keep(buf)
	return err
}

// writeSpilled writes the unfinished line held on disk, after its tag, and
// empties the file for the next long line. The caller holds the lock.
func (l *lineWriter) writeSpilled() error {
	if l.tag != nil {
		buf := append(append(l.p.buf[:0], l.tag...), '\t')
		_, err := l.w.Write(buf)
		l.p.keep(buf)
		if err != nil {
			return err
		}
	}
	n := l.spilled
	l.spilled = 0
	if _, err := l.spill.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read back a long line: %w", err)
	}
	// A plain reader of the file, not a section of it, lets the copy
	// happen in the kernel where w is a file.
	if _, err := io.Copy(l.w, io.LimitReader(l.spill, n)); err != nil {
		return err
	}
	if err := l.spill.Truncate(0); err != nil {
		return fmt.Errorf("reuse a long line's file: %w", err)
	}
	_, err := l.spill.Seek(0, io.SeekStart)
	return err
}

// flush writes an unterminated last line when the job ends. Once flushed,
// it returns the same error again: Finish flushes in the worker, Receive
// once more later.
func (l *lineWriter) flush() error {
	if l.flushed {
		return l.err
	}
	l.flushed = true
	l.err = l.flushLast()
	return l.err
}

func (l *lineWriter) flushLast() error {
	defer l.close()
	if l.spilled == 0 && len(l.partial) == 0 {
		return nil
	}
	l.p.locker().Lock()
	defer l.p.locker().Unlock()
	var err error
	if l.spilled > 0 {
		err = l.writeSpilled()
	} else {
		err = l.writeLines(nil)
	}
	return l.p.streamErr(l.w, err)
}

// close lets go of the file of long lines, which the job no longer needs.
func (l *lineWriter) close() {
	if l.spill != nil {
		l.spill.Close()
		l.spill, l.spilled = nil, 0
	}
	l.partial = nil
}
