package fanout

import (
	"errors"
	"fmt"
	"io"
)

// Codec compresses output that spills to disk (see Pool.CaptureLimit) on
// its way there, and decompresses it on its way back: a job printing a lot
// behind a slow one then costs less disk, at the price of the time to
// compress it (GNU parallel's --compress). A nil Codec stores the bytes
// as they are.
type Codec interface {
	// Compress returns a writer whose bytes reach w compressed. Close
	// writes what is left and reports whether compressing failed.
	Compress(w io.Writer) (io.WriteCloser, error)
	// Decompress returns the bytes r holds, decompressed. Close ends the
	// decompressing, read to the end or not, and reports its failure.
	Decompress(r io.Reader) (io.ReadCloser, error)
}

// seal ends the compressing of spilled output, once no more is written:
// the file then holds all of it, compressed. It is a no-op without a
// Codec or before a spill.
func (o *Output) seal() error {
	if o.cw == nil {
		return nil
	}
	err := o.cw.Close()
	o.cw = nil
	size, serr := o.f.Seek(0, io.SeekEnd)
	o.zsize = size
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("compress spilled output: %w", err)
	}
	return nil
}

// compressFailed is the error of a write to the compressor: the
// compressor's own failure, once it is waited for. It does not wrap a
// broken pipe, which would read as the end of fanout's own output.
func (o *Output) compressFailed(err error) error {
	if cerr := o.cw.Close(); cerr != nil {
		err = cerr
	}
	o.cw = nil
	o.zerr = fmt.Errorf("compress spilled output: %v", err)
	return o.zerr
}

// unzipped returns a reader of the spilled output, decompressed; closing
// it ends the decompressing.
func (o *Output) unzipped() (io.ReadCloser, error) {
	if err := o.seal(); err != nil {
		return nil, err
	}
	if o.zerr != nil {
		return nil, o.zerr
	}
	rc, err := o.codec.Decompress(io.NewSectionReader(o.f, 0, o.zsize))
	if err != nil {
		return nil, fmt.Errorf("decompress spilled output: %w", err)
	}
	return rc, nil
}

// unzipTo writes the spilled output, decompressed, to w.
func (o *Output) unzipTo(w io.Writer) (int64, error) {
	rc, err := o.unzipped()
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, rc)
	if cerr := rc.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("decompress spilled output: %w", cerr)
	}
	return n, err
}

// zipReader reads decompressed output and ends the decompressing at the
// end of it; Output.release ends one not read to the end.
type zipReader struct {
	rc   io.ReadCloser
	done bool
}

func (z *zipReader) Read(p []byte) (int, error) {
	if z.done {
		return 0, io.EOF
	}
	n, err := z.rc.Read(p)
	if errors.Is(err, io.EOF) {
		z.done = true
		if cerr := z.rc.Close(); cerr != nil {
			return n, fmt.Errorf("decompress spilled output: %w", cerr)
		}
	}
	return n, err
}

func (z *zipReader) close() {
	if !z.done {
		z.done = true
		z.rc.Close()
	}
}

// errReader is a reader that fails at once.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
