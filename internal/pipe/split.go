package pipe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Block is one job's share of the input: the header, then Data, or, for a
// block of a file (--pipepart), Len bytes of File from Off. Write it with
// WriteTo; Release it once no job will read it again.
type Block struct {
	// Header is the input's header, shared by every block: read only.
	Header []byte
	// Data holds the records, for a block read from a stream.
	Data []byte
	// File, Off and Len name the records in a file instead of Data.
	File *os.File
	Off  int64
	Len  int64

	owner *Splitter // whose free list Data's buffer goes back to
	buf   []byte
}

// Size returns the bytes the block gives a job, header included.
func (b *Block) Size() int64 {
	if b.File != nil {
		return int64(len(b.Header)) + b.Len
	}
	return int64(len(b.Header) + len(b.Data))
}

// Release hands the block's buffer back for the next block. The block must
// not be used afterwards; Release of a file's block does nothing.
func (b *Block) Release() {
	if b.owner == nil {
		return
	}
	s := b.owner
	b.owner = nil
	buf := b.buf[:0]
	b.Data, b.buf = nil, nil
	select {
	case s.free <- buf:
	default: // the list is full: the garbage collector takes it
	}
	select {
	case s.blocks <- b:
	default:
	}
}

// Splitter cuts a stream into blocks of about Size bytes of whole records.
// It reads ahead no more than one block; memory is the blocks not yet
// released, each about Size bytes (more only for a record longer than
// that), whose buffers are used again.
type Splitter struct {
	r      io.Reader
	size   int
	f      Format
	cut    cutter
	strip  *stripper // nil without RemoveSep
	header []byte
	cur    []byte // read, not yet handed out
	eof    bool
	err    error
	// With Format.Timeout: the reader that can stop waiting, when the
	// block being filled must be passed on, and whether it passed.
	wait     *waitReader
	deadline time.Time
	expired  bool
	// The free lists: buffers and blocks released, used again so that the
	// steady state allocates nothing per block.
	free   chan []byte
	blocks chan *Block
}

// freeBuffers bounds the buffers a Splitter keeps for reuse.
const freeBuffers = 16

// NewSplitter returns a splitter of r into blocks of about size bytes
// (at least 1).
func NewSplitter(r io.Reader, size int, f Format) (*Splitter, error) {
	c, err := newCutter(&f)
	if err != nil {
		return nil, err
	}
	s := &Splitter{r: r, size: max(size, 1), f: f, cut: c,
		free: make(chan []byte, freeBuffers), blocks: make(chan *Block, freeBuffers)}
	if f.RemoveSep && f.GroupKey == nil {
		if s.strip, err = newStripper(&f); err != nil {
			return nil, err
		}
	}
	if f.Timeout > 0 {
		s.wait = newWaitReader(r)
	}
	s.cur = s.buffer()
	if err := s.readHeader(); err != nil {
		return nil, err
	}
	return s, nil
}

// buffer returns an empty buffer from the free list, or a new one.
func (s *Splitter) buffer() []byte {
	select {
	case b := <-s.free:
		return b
	default:
		return make([]byte, 0, s.size)
	}
}

// fill reads into s.cur until it holds n bytes or the input ends.
func (s *Splitter) fill(n int) {
	if n > cap(s.cur) {
		s.cur = append(s.cur[:cap(s.cur)], make([]byte, n-cap(s.cur))...)[:len(s.cur)]
	}
	for len(s.cur) < n && !s.eof && !s.expired {
		var k int
		var err error
		if s.wait != nil {
			k, s.expired, err = s.wait.read(s.cur[len(s.cur):n], s.deadline)
		} else {
			k, err = s.r.Read(s.cur[len(s.cur):n])
		}
		s.cur = s.cur[:len(s.cur)+k]
		if errors.Is(err, io.EOF) {
			s.eof = true
		} else if err != nil {
			s.eof, s.err = true, fmt.Errorf("reading the input: %w", err)
		}
	}
	if g, ok := s.cut.(*groupCutter); ok {
		g.eof = s.eof // the last line, without a newline, is whole
	}
}

// readHeader takes the header off the start of the input.
func (s *Splitter) readHeader() error {
	f := &s.f
	switch {
	case f.HeaderLines > 0:
		for {
			if p, _ := lineCutter(f.HeaderLines).nth(s.cur, 1); p > 0 {
				s.takeHeader(p)
				return s.err
			}
			if s.eof {
				s.takeHeader(len(s.cur))
				return s.err
			}
			s.fill(len(s.cur) + s.size)
		}
	case f.HeaderRe != nil:
		// As GNU parallel, read a block at a time until the expression
		// matches at the start or the input ends: a header may be longer
		// than a block.
		for {
			s.fill(len(s.cur) + s.size)
			if m := f.HeaderRe.FindIndex(s.cur); m != nil {
				s.takeHeader(m[1])
				break
			}
			if s.eof {
				break
			}
		}
	}
	return s.err
}

func (s *Splitter) takeHeader(n int) {
	s.header = bytes.Clone(s.cur[:n])
	s.cur = s.cur[:copy(s.cur, s.cur[n:])]
}

// Header returns the input's header (nil without one).
func (s *Splitter) Header() []byte { return s.header }

// Next returns the next block, or io.EOF after the last one.
func (s *Splitter) Next() (*Block, error) {
	var p int
	if s.f.Records > 0 {
		p = s.cutRecords()
	} else {
		p = s.cutSize()
	}
	if s.f.GroupErr != nil {
		if err := s.f.GroupErr(); err != nil {
			return nil, err
		}
	}
	if p == 0 {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	return s.emit(p), nil
}

// cutSize fills the buffer to the block size and returns the last cut in
// it. When there is none, the record is longer than the block: the buffer
// grows until it holds a cut, and the block ends at the last one, as GNU
// parallel's grown block does. At the end of the input the rest is a
// block, but for -L, whose last lines that do not make a whole record come
// in a block of their own, as in GNU parallel.
//
// With a Timeout, a block that waited that long for input ends at the
// last cut read by then; with none, the wait starts again for up to a
// block more, as GNU parallel's --block-timeout has it.
func (s *Splitter) cutSize() int {
	s.wait4(s.size)
	for {
		if p := s.cut.last(s.cur); p > 0 && (p == len(s.cur) || !s.eof || s.f.Lines > 0) {
			return p
		}
		if s.eof {
			return len(s.cur)
		}
		if s.expired {
			s.wait4(len(s.cur) + s.size - len(s.cur)%s.size)
			continue
		}
		s.fill(2 * len(s.cur))
	}
}

// wait4 is fill under a new deadline, with a Timeout.
func (s *Splitter) wait4(n int) {
	if s.wait != nil {
		s.deadline, s.expired = time.Now().Add(s.f.Timeout), false
	}
	s.fill(n)
}

// cutRecords returns the cut after Records records, reading on as long as
// the buffer holds fewer; at the end of the input, the rest.
func (s *Splitter) cutRecords() int {
	// Reading a chunk at a time, not a whole block, keeps the bytes that
	// the cut carries over to the next block few when records are small.
	chunk := min(s.size, 64<<10)
	s.fill(chunk)
	for {
		p, _ := s.cut.nth(s.cur, s.f.Records)
		// A cut at the very end may be followed by a record start still
		// to read; only the input's end settles it.
		if p > 0 && (p < len(s.cur) || s.eof) {
			return p
		}
		if s.eof {
			return len(s.cur)
		}
		s.fill(len(s.cur) + max(chunk, len(s.cur)/2))
	}
}

// emit hands out s.cur[:p] as a block, and carries the rest over to a
// buffer of its own: the only bytes copied are those of the one record
// the cut left over.
func (s *Splitter) emit(p int) *Block {
	next := s.buffer()
	next = append(next, s.cur[p:]...)
	var b *Block
	select {
	case b = <-s.blocks:
	default:
		b = new(Block)
	}
	*b = Block{Header: s.header, Data: s.cur[:p], owner: s, buf: s.cur}
	if s.strip != nil {
		b.Data = s.removeSeps(b.Data)
	}
	s.cur = next
	return b
}

// removeSeps strips RecEnd and RecStart from every record of b, in place
// (--rrs).
func (s *Splitter) removeSeps(b []byte) []byte {
	return s.strip.strip(b, s.cut)
}
