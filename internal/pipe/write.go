package pipe

import (
	"io"
	"os"
)

// WriteTo writes the block, header first, to w. A pipe (*os.File) gets it
// with as few copies as the system allows: on Linux the pages of Data are
// lent to the pipe (vmsplice) and a file's block moves from the page cache
// (splice), so Data must stay unchanged until the reader has consumed it,
// which the caller ensures by releasing the block only after the job has
// ended. WriteTo may be called again: it writes the whole block each time.
func (b *Block) WriteTo(w io.Writer) (int64, error) {
	if f, ok := w.(*os.File); ok {
		if n, err, done := b.writePipe(f); done {
			return n, err
		}
	}
	return b.writeCopy(w)
}

// Prefill writes as much of the block into the pipe f as it takes without
// waiting, and returns how much: written before the job starts, a block
// that fits in the pipe is the job's whatever the job does. WriteFrom
// writes the rest.
func (b *Block) Prefill(f *os.File) int64 { return b.prefill(f) }

// WriteFrom is WriteTo without the first skip bytes.
func (b *Block) WriteFrom(w io.Writer, skip int64) (int64, error) {
	c := *b
	h := min(skip, int64(len(c.Header)))
	c.Header, skip = c.Header[h:], skip-h
	if c.File != nil {
		c.Off, c.Len = c.Off+skip, c.Len-skip
	} else {
		c.Data = c.Data[skip:]
	}
	return c.WriteTo(w)
}

// CopyTo writes the block, header first, to w with plain writes, so that
// the block may be released as soon as it returns: a reader that consumes
// it later sees the bytes as they were (WriteTo lends Data's pages, which
// a released block's next use would overwrite).
func (b *Block) CopyTo(w io.Writer) (int64, error) { return b.writeCopy(w) }

// writeCopy is the portable path: plain writes.
func (b *Block) writeCopy(w io.Writer) (int64, error) {
	n, err := w.Write(b.Header)
	total := int64(n)
	if err != nil {
		return total, err
	}
	if b.File == nil {
		n, err = w.Write(b.Data)
		return total + int64(n), err
	}
	m, err := io.Copy(w, io.NewSectionReader(b.File, b.Off, b.Len))
	return total + m, err
}

// DefaultPipe is the size of a pipe as the system makes it on Linux, and
// GNU parallel's to its jobs: how much of a block a job may leave unread
// and still be taken to have had it all.
const DefaultPipe = 64 << 10

// maxPipe is the largest pipe an unprivileged process may ask for by
// default (/proc/sys/fs/pipe-max-size).
const maxPipe = 1 << 20

// Grow makes the pipe f hold at least n bytes where the system allows
// it, and reports whether it does: a block that fits is written whole
// before its job starts, and the job reads it without waiting for this
// process to refill the pipe.
func Grow(f *os.File, n int64) bool { return grow(f, n) }

// Unread returns how many bytes are still in the pipe f (either end).
func Unread(f *os.File) int64 { return unread(f) }
