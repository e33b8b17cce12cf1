// Package output prints jobs' output the way GNU parallel does: grouped
// (each job's stdout whole, then its stderr whole, never interleaved with
// another job's), line-buffered (whole lines from jobs as they run), or
// ungrouped (bytes as they come), optionally with a tag before each line.
package output

import (
	"bufio"
	"bytes"
	"io"
	"sync"

	"github.com/fanoutdev/fanout"
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
	// Command, if set, returns the text printed before a job's output
	// (for -v).
	Command func(job *fanout.Job) []byte

	mu  sync.Mutex // guards Out and Err for jobs writing while they run
	buf []byte     // reused by Receive, which the pool calls serially
}

// Attach sets the job's streams for the printer's mode: LineBuffer and
// Ungroup jobs write while they run, Group jobs are captured.
//
// Their command (-v) is printed here, as the job starts, so that it comes
// before the output it streams, as in GNU parallel.
func (p *Printer) Attach(job *fanout.Job) {
	if p.Mode != Group && p.Command != nil {
		p.printCommand(job) // a failed write shows again in the job's output
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
		job.Stdout = &lineWriter{p: p, w: p.Out, tag: tag}
		job.Stderr = &lineWriter{p: p, w: p.Err, tag: tag}
	}
}

// Receive prints what the job left to print: all of its output when
// grouped, its unfinished last lines otherwise.
func (p *Printer) Receive(r *fanout.Result) error {
	if p.Mode == Group && p.Command != nil {
		if err := p.printCommand(r.Job); err != nil {
			return err
		}
	}
	if lw, ok := r.Job.Stdout.(*lineWriter); ok {
		if err := lw.flush(); err != nil {
			return err
		}
		if lw, ok := r.Job.Stderr.(*lineWriter); ok {
			return lw.flush()
		}
		return nil
	}
	tag := p.tagOf(r.Job)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.writeTagged(p.Out, &r.Stdout, tag); err != nil {
		return err
	}
	return p.writeTagged(p.Err, &r.Stderr, tag)
}

// printCommand prints the job's command line (-v).
func (p *Printer) printCommand(job *fanout.Job) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(append(p.buf[:0], p.Command(job)...), '\n')
	_, err := p.Out.Write(p.buf)
	return err
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
	br := bufio.NewReaderSize(o.Reader(), 64<<10)
	start := true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if start {
				bw.Write(tag)
				bw.WriteByte('\t')
			}
			bw.Write(chunk)
			start = chunk[len(chunk)-1] == '\n'
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			break
		}
	}
	return bw.Flush()
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

// maxPartial bounds the unfinished line a lineWriter holds.
const maxPartial = 1 << 20

// lineWriter passes a running job's output on in whole lines, so that lines
// of jobs running at once never mix.
type lineWriter struct {
	p       *Printer
	w       io.Writer
	tag     []byte
	partial []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		l.partial = append(l.partial, b...)
		if len(l.partial) >= maxPartial {
			// A line this long would hold unbounded memory: pass it on
			// unfinished, as the bytes of one job still stay together.
			return len(b), l.flush()
		}
		return len(b), nil
	}
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	var err error
	if l.tag == nil && len(l.partial) == 0 {
		_, err = l.w.Write(b[:i+1])
	} else {
		out := append(l.partial, b[:i+1]...)
		if l.tag != nil {
			out = appendTagged(nil, out, l.tag)
		}
		_, err = l.w.Write(out)
	}
	l.partial = append(l.partial[:0], b[i+1:]...)
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// flush writes an unterminated last line when the job ends.
func (l *lineWriter) flush() error {
	if len(l.partial) == 0 {
		return nil
	}
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	out := l.partial
	if l.tag != nil {
		out = appendTagged(nil, out, l.tag)
	}
	_, err := l.w.Write(out)
	l.partial = l.partial[:0]
	return err
}
