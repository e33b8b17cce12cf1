package pipe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Parts cuts a file into blocks of about Size bytes of whole records by
// seeking (--pipepart): only the bytes around each cut are read here, and
// each block names its range of the file, for the job's writer to move
// straight from the file (Block.WriteTo).
type Parts struct {
	f    *os.File
	size int64
	end  int64 // the file's size
	pos  int64
	cut  cutter
	// stream cuts as a Splitter does (--pipe from a file): the last cut
	// within Size, not the first after it. readTo and eof are where that
	// Splitter would have read to, and whether it would have met the end:
	// its cuts depend on them.
	stream bool
	readTo int64
	eof    bool
	header []byte
	win    []byte
	group  func(line []byte) []byte // Format.GroupKey
	gerr   func() error             // Format.GroupErr
}

// partsWindow is how much is read at a time around a cut.
const partsWindow = 64 << 10

// NewParts returns the blocks of f, about size bytes each (at least 1).
// f's size is taken now; f is read with ReadAt only. Format's Records,
// Lines and RemoveSep are not used: they need every record read.
func NewParts(f *os.File, size int64, fm Format) (*Parts, error) {
	fm.Records, fm.Lines, fm.RemoveSep, fm.CSV = 0, 0, false, false
	c, err := newCutter(&fm)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() && st.Mode()&os.ModeDevice == 0 {
		return nil, fmt.Errorf("%s: --pipepart needs a file it can seek in, not a pipe or a terminal: use --pipe", f.Name())
	}
	end := st.Size()
	if st.Mode()&os.ModeDevice != 0 {
		if end, err = f.Seek(0, io.SeekEnd); err != nil {
			return nil, err
		}
	}
	p := &Parts{f: f, end: end, cut: c, group: fm.GroupKey, gerr: fm.GroupErr}
	if fm.SkipFirstLine {
		if err := p.skipLine(); err != nil {
			return nil, err
		}
	}
	if _, err := p.readHeader(&fm, partsWindow); err != nil {
		return nil, err
	}
	p.SetSize(size)
	return p, nil
}

// Header returns the file's header (nil without one).
func (p *Parts) Header() []byte { return p.header }

// Size returns the bytes of the file after its header.
func (p *Parts) Size() int64 { return p.end - int64(len(p.header)) }

// SetSize changes the size of the blocks still to come.
func (p *Parts) SetSize(n int64) { p.size = max(n, 1) }

// readHeader takes the header from the start. Lines are looked for in a
// window that doubles; an expression, as GNU parallel does, in one that
// grows by window bytes until it matches or holds the whole file. It
// returns how far it read for the expression.
func (p *Parts) readHeader(fm *Format, window int64) (int64, error) {
	if fm.HeaderLines <= 0 && fm.HeaderRe == nil {
		return 0, nil
	}
	for n := window; ; {
		b, eof, err := p.read(p.pos, n)
		if err != nil {
			return 0, err
		}
		h := -1
		if fm.HeaderLines > 0 {
			h, _ = lineCutter(fm.HeaderLines).nth(b, 1)
		} else if m := fm.HeaderRe.FindIndex(b); m != nil {
			h = m[1]
		}
		if h < 0 && eof && fm.HeaderLines > 0 {
			h = len(b)
		}
		if h >= 0 || eof {
			if h > 0 {
				p.header = append([]byte(nil), b[:h]...)
			}
			p.pos += int64(max(h, 0))
			return n, nil
		}
		if fm.HeaderLines > 0 {
			n *= 2
		} else {
			n += window
		}
	}
}

// skipLine moves past the first line, newline included; a file without
// one has nothing left.
func (p *Parts) skipLine() error {
	for n := int64(partsWindow); ; n *= 2 {
		b, eof, err := p.read(p.pos, n)
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			p.pos += int64(i) + 1
			return nil
		}
		if eof {
			p.pos = p.end
			return nil
		}
	}
}

// read reads up to n bytes from off, and reports whether they reach the
// end of the file.
func (p *Parts) read(off, n int64) ([]byte, bool, error) {
	n = min(n, p.end-off)
	if int64(cap(p.win)) < n {
		p.win = make([]byte, n)
	}
	b := p.win[:n]
	k, err := p.f.ReadAt(b, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, fmt.Errorf("reading %s: %w", p.f.Name(), err)
	}
	return b[:k], off+int64(k) >= p.end || k < len(b), nil
}

// Next returns the next block, or io.EOF after the last.
func (p *Parts) Next() (*Block, error) {
	if p.pos >= p.end {
		return nil, io.EOF
	}
	var stop int64
	var err error
	if p.group != nil {
		stop, err = p.groupCut(p.pos)
		if err == nil && p.gerr != nil {
			err = p.gerr()
		}
	} else if p.stream {
		stop, err = p.cutWithin()
	} else {
		stop, err = p.cutAfter(p.pos + p.size)
	}
	if err != nil {
		return nil, err
	}
	b := &Block{Header: p.header, File: p.f, Off: p.pos, Len: stop - p.pos}
	p.pos = stop
	return b, nil
}

// cutAfter returns the first cut after e (but after the block's
// start), reading a window around e that grows until it holds one; the
// end of the file when there is none.
func (p *Parts) cutAfter(e int64) (int64, error) {
	if e >= p.end {
		return p.end, nil
	}
	ws := max(p.pos, e-int64(min(p.cut.overlap(), 1<<40)))
	for n := int64(partsWindow); ; n *= 2 {
		b, eof, err := p.read(ws, e-ws+n)
		if err != nil {
			return 0, err
		}
		// As in GNU parallel, the block ends with the first separator
		// that starts at or after e.
		from := int(e - ws)
		if lc, ok := p.cut.(*literalCutter); ok {
			from += lc.end - 1
		}
		if c := p.cut.first(b, max(from, 0)); c > 0 && (c < len(b) || eof) {
			return ws + int64(c), nil
		}
		if eof {
			return p.end, nil
		}
	}
}

// NewFileSplitter returns blocks of f from its current offset cut as a
// Splitter reading f would cut them, without reading more of f than the
// bytes around each cut: a job's block then moves straight from the file
// (--pipe with a file as standard input). It reports false, and nil, when
// f is not a regular file, or when f's format needs every record read
// (Records, Lines, RemoveSep, Regexp, CSV, GroupKey).
func NewFileSplitter(f *os.File, size int, fm Format) (*Parts, bool, error) {
	if fm.Records > 0 || fm.Lines > 0 || fm.RemoveSep || fm.Regexp || fm.CSV || fm.GroupKey != nil {
		return nil, false, nil
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, false, nil
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, false, nil
	}
	c, err := newCutter(&fm)
	if err != nil {
		return nil, false, err
	}
	start := min(off, st.Size())
	p := &Parts{f: f, end: st.Size(), pos: start, readTo: start, cut: c, stream: true, size: int64(max(size, 1))}
	// A Splitter looks for a header expression a block at a time.
	read, err := p.readHeader(&fm, p.size)
	if err != nil {
		return nil, false, err
	}
	// What the Splitter read to find the header: the blocks an expression
	// took to match; for lines, blocks until they hold them.
	switch h := p.pos - start; {
	case fm.HeaderRe != nil:
		p.fillTo(start + read)
	case fm.HeaderLines > 0 && h < int64(p.size):
		p.fillTo(start + p.size)
	case fm.HeaderLines > 0:
		p.fillTo(start + (h+p.size-1)/p.size*p.size)
	}
	if fm.HeaderLines > 0 && p.pos == p.end {
		p.fillTo(p.end + 1) // fewer lines than the header's: read to the end
	}
	return p, true, nil
}

// cutWithin is a Splitter's cut (see Splitter.cutSize), made by reading
// only around the cuts: the last within the bytes the Splitter would hold,
// which grow twice over while they hold none.
func (p *Parts) cutWithin() (int64, error) {
	p.fillTo(p.pos + p.size)
	for {
		c, err := p.lastCut(p.pos, p.readTo)
		if err != nil {
			return 0, err
		}
		if c > 0 && (c == p.readTo || !p.eof) {
			return c, nil
		}
		if p.eof {
			return p.readTo, nil
		}
		p.fillTo(p.pos + 2*(p.readTo-p.pos))
	}
}

// fillTo is a Splitter's fill up to t: it meets the end only by asking
// for bytes past it.
func (p *Parts) fillTo(t int64) {
	switch {
	case t <= p.readTo:
	case t > p.end:
		p.readTo, p.eof = p.end, true
	default:
		p.readTo = t
	}
}

// lastCut returns the last cut in (lo, hi], reading windows back from hi
// that overlap by a separator's length, or -1.
func (p *Parts) lastCut(lo, hi int64) (int64, error) {
	ov := int64(p.cut.overlap())
	for wHi := hi; ; {
		wLo := max(lo, wHi-partsWindow)
		b, _, err := p.read(wLo, wHi-wLo)
		if err != nil {
			return 0, err
		}
		if c := p.cut.last(b); c > 0 {
			return wLo + int64(c), nil
		}
		if wLo == lo {
			return -1, nil
		}
		wHi = wLo + ov
	}
}
