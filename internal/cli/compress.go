package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/fanoutdev/fanout"
)

// compressPrograms are the programs --compress looks for, in GNU parallel
// 20221122's order (fastest first, as it measured them); the first in
// $PATH compresses with "-c -1" and decompresses with "-dc".
var compressPrograms = []string{"pzstd", "lbzip2", "pbzip2", "zstd", "pixz", "lz4", "pigz", "lzop",
	"plzip", "lzip", "gzip", "lrz", "pxz", "bzip2", "lzma", "xz", "clzip"}

// codecFor is --compress, --compress-program and --decompress-program:
// the programs spilled output goes through, run by /bin/sh. A compress
// program implies --compress, and its decompressing is PROGRAM -dc unless
// given; --decompress-program alone does nothing. With none of the programs installed output spills as it is (GNU
// parallel then passes it through cat). nil: no compressing.
func codecFor(o *Options, env func(string) string) (fanout.Codec, error) {
	if o.CompressProgram == "" && !o.Compress {
		return nil, nil // --decompress-program alone does nothing, as in GNU parallel
	}
	c := &shellCodec{compress: o.CompressProgram, decompress: o.DecompressProgram, stderr: os.Stderr}
	if c.compress == "" {
		prog := findProgram(compressPrograms, env("PATH"))
		if prog == "" {
			return nil, nil
		}
		c.compress = prog + " -c -1"
		if c.decompress == "" {
			c.decompress = prog + " -dc"
		}
	}
	if c.decompress == "" {
		c.decompress = c.compress + " -dc"
	}
	return c, nil
}

// findProgram returns the first of names that is an executable in path.
func findProgram(names []string, path string) string {
	for _, name := range names {
		for _, dir := range filepath.SplitList(path) {
			if dir == "" {
				dir = "."
			}
			if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return name
			}
		}
	}
	return ""
}

// shellCodec compresses and decompresses through shell commands, which
// read standard input and write standard output; what they print on
// standard error goes to fanout's.
type shellCodec struct {
	compress, decompress string
	stderr               io.Writer
}

func (c *shellCodec) command(line string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Stderr = c.stderr
	return cmd
}

// Compress starts the compressor, writing to w.
func (c *shellCodec) Compress(w io.Writer) (io.WriteCloser, error) {
	cmd := c.command(c.compress)
	cmd.Stdout = w
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("--compress-program %q: %w", c.compress, err)
	}
	return &codecProc{WriteCloser: in, cmd: cmd, line: c.compress, opt: "--compress-program"}, nil
}

// Decompress starts the decompressor, reading r.
func (c *shellCodec) Decompress(r io.Reader) (io.ReadCloser, error) {
	cmd := c.command(c.decompress)
	cmd.Stdin = r
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("--decompress-program %q: %w", c.decompress, err)
	}
	return &codecReader{r: out, p: codecProc{cmd: cmd, line: c.decompress, opt: "--decompress-program"}}, nil
}

// codecProc is a running compressor: Close ends its input and waits.
type codecProc struct {
	io.WriteCloser
	cmd       *exec.Cmd
	line, opt string
}

func (p *codecProc) Close() error {
	var err error
	if p.WriteCloser != nil {
		err = p.WriteCloser.Close()
	}
	if werr := p.cmd.Wait(); werr != nil {
		return fmt.Errorf("%s %q failed: %w", p.opt, p.line, werr)
	}
	return err
}

// codecReader is a running decompressor's output.
type codecReader struct {
	r io.ReadCloser
	p codecProc
}

func (c *codecReader) Read(b []byte) (int, error) { return c.r.Read(b) }

// Close ends the decompressor: one not read to the end is killed, which
// is no failure.
func (c *codecReader) Close() error {
	var rest [1]byte
	n, _ := c.r.Read(rest[:])
	if n > 0 {
		c.p.cmd.Process.Kill()
		c.p.cmd.Wait()
		return nil
	}
	c.r.Close()
	return c.p.Close()
}
