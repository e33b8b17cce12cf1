package fanout_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fanoutdev/fanout"
)

// gzipCodec compresses with compress/gzip and counts the compressed bytes
// that reach the spill file.
type gzipCodec struct{ written atomic.Int64 }

type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (g *gzipCodec) Compress(w io.Writer) (io.WriteCloser, error) {
	return gzip.NewWriter(countWriter{w, &g.written}), nil
}

func (g *gzipCodec) Decompress(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) }

func TestCodecSpill(t *testing.T) {
	t.Parallel()
	const size = 5 << 20
	codec := &gzipCodec{}
	var viaReader, viaWriteTo string
	var spilled bool
	p := &fanout.Pool{CaptureLimit: 64 << 10, TempDir: t.TempDir(), Codec: codec,
		Sink: fanout.SinkFunc(func(r *fanout.Result) error {
			spilled = r.Stdout.Spilled()
			b, err := io.ReadAll(r.Stdout.Reader())
			if err != nil {
				t.Errorf("Reader: %v", err)
			}
			viaReader = string(b)
			var buf bytes.Buffer
			if _, err := r.Stdout.WriteTo(&buf); err != nil {
				t.Errorf("WriteTo: %v", err)
			}
			viaWriteTo = buf.String()
			return r.OutputErr
		})}
	if _, err := p.Go(context.Background(), helper(t, "fill", strconv.Itoa(size), "x")); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"Reader": viaReader, "WriteTo": viaWriteTo} {
		if len(got) != size || strings.Trim(got, "x") != "" {
			t.Errorf("%s gave %d bytes, want %d x's", name, len(got), size)
		}
	}
	if !spilled {
		t.Error("the output did not spill")
	}
	if n := codec.written.Load(); n == 0 || n > size/100 {
		t.Errorf("%d compressed bytes went to disk for %d bytes of x", n, size)
	}
}

// failCodec's compressor fails at once.
type failCodec struct{}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("compressor gone") }
func (failWriter) Close() error              { return errors.New("compressor failed") }

func (failCodec) Compress(io.Writer) (io.WriteCloser, error)  { return failWriter{}, nil }
func (failCodec) Decompress(io.Reader) (io.ReadCloser, error) { return nil, errors.New("unused") }

func TestCodecFails(t *testing.T) {
	t.Parallel()
	var outErr error
	p := &fanout.Pool{CaptureLimit: 4096, TempDir: t.TempDir(), Codec: failCodec{},
		Sink: fanout.SinkFunc(func(r *fanout.Result) error { outErr = r.OutputErr; return nil })}
	if _, err := p.Go(context.Background(), helper(t, "fill", "100000", "x")); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if outErr == nil || !strings.Contains(outErr.Error(), "compressor failed") {
		t.Errorf("OutputErr = %v, want the compressor's failure", outErr)
	}
}
