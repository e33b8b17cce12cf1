package cli

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// Streams are the command's standard streams. Files are handed to jobs
// directly where the output mode allows it.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
	// OutIsTerminal and ErrIsTerminal say whether Out and Err are a
	// terminal; Stdio sets them from the real descriptors, tests as they
	// please.
	OutIsTerminal, ErrIsTerminal bool
}

// Stdio returns the process's own streams.
func Stdio() Streams {
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutIsTerminal: isTerminal(os.Stdout), ErrIsTerminal: isTerminal(os.Stderr)}
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

// console is the run's side of the terminal: its streams, and the one lock
// that every write to them takes. Jobs' output (through the printer),
// warnings, the --halt notice and signal notices all come from different
// goroutines; through the console none can tear another's line.
type console struct {
	Streams
	mu sync.Mutex
}

func newConsole(s Streams) *console { return &console{Streams: s} }

// warnf prints one line on stderr, after "fanout: ".
func (c *console) warnf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.Err, "fanout: "+format+"\n", args...)
}

// errLine prints line on stderr as it is, for -t.
func (c *console) errLine(line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Err.Write(line)
	io.WriteString(c.Err, "\n")
}

// stdout is a writer to Out that takes the console's lock for each write.
func (c *console) stdout() io.Writer { return lockedWriter{c, c.Out} }

type lockedWriter struct {
	c *console
	w io.Writer
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.w.Write(b)
}
