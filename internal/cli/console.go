package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// Name is the name fanout's messages begin with: the name it was
	// invoked by, so that a link named parallel speaks as GNU parallel
	// does. Empty means "fanout".
	Name string
}

// Stdio returns the process's own streams.
func Stdio() Streams {
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutIsTerminal: isTerminal(os.Stdout), ErrIsTerminal: isTerminal(os.Stderr),
		Name: invokedAs(os.Args)}
}

// invokedAs is the program's name as it was invoked: the last element of
// argv[0].
func invokedAs(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	return filepath.Base(argv[0])
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

// console is the run's side of the terminal: its streams, and the one lock
// that every write to them takes. Jobs' output (through the printer),
// warnings, the --halt notice, signal notices and the progress line all
// come from different goroutines; through the console none can tear
// another's line.
type console struct {
	Streams
	mu sync.Mutex
	// line, if set, is the progress line on the terminal: out and err
	// clear it before they write, and Unlock draws it again.
	line     overlay
	out, err io.Writer // what to write Out and Err through, holding mu
}

// overlay is a line drawn on the terminal under the output.
type overlay interface {
	// Wrap returns a writer to w, a stream shown on the same terminal,
	// that clears the line before each write.
	Wrap(w io.Writer) io.Writer
	// Show draws the line again if a write cleared it.
	Show()
}

func newConsole(s Streams) *console { return &console{Streams: s, out: s.Out, err: s.Err} }

// Lock takes the console's lock, for writing to Out and Err.
func (c *console) Lock() { c.mu.Lock() }

// Unlock draws the progress line again if the writes cleared it, and lets
// go of the lock.
func (c *console) Unlock() {
	if c.line != nil {
		c.line.Show()
	}
	c.mu.Unlock()
}

// overlay puts the line on the terminal of standard error (and of standard
// output, if that is a terminal too), under whatever they print; nil takes
// it off. The caller holds the lock.
func (c *console) overlay(l overlay) {
	c.line, c.out, c.err = l, c.Out, c.Err
	if l != nil {
		c.err = l.Wrap(c.Err)
		if c.OutIsTerminal {
			c.out = l.Wrap(c.Out)
		}
	}
}

// name is what messages begin with.
func (c *console) name() string {
	if c.Name == "" || c.Name == "." || c.Name == "/" {
		return "fanout"
	}
	return c.Name
}

// warnf prints one line on stderr, after the program's name ("fanout: ").
func (c *console) warnf(format string, args ...any) {
	c.Lock()
	defer c.Unlock()
	fmt.Fprintf(c.err, "%s: "+format+"\n", append([]any{c.name()}, args...)...)
}

// warning prints lines on stderr as GNU parallel prints its warnings:
// each after "NAME: Warning: ".
func (c *console) warning(lines ...string) {
	c.Lock()
	defer c.Unlock()
	for _, l := range lines {
		fmt.Fprintf(c.err, "%s: Warning: %s\n", c.name(), l)
	}
}

// status prints lines on stderr as GNU parallel prints its notices: the
// first after "NAME: ", the others as they are (a job's command).
func (c *console) status(lines ...string) {
	c.Lock()
	defer c.Unlock()
	for i, l := range lines {
		if i == 0 {
			fmt.Fprintf(c.err, "%s: ", c.name())
		}
		io.WriteString(c.err, l)
		io.WriteString(c.err, "\n")
	}
}

// errLine prints line on stderr as it is, for -t.
func (c *console) errLine(line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Err.Write(line)
	io.WriteString(c.Err, "\n")
}

// stdout is a writer to Out that takes the console's lock for each write.
func (c *console) stdout() io.Writer { return lockedWriter{c} }

type lockedWriter struct{ c *console }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.c.Lock()
	defer w.c.Unlock()
	return w.c.out.Write(b)
}

// stderr is a writer to Err that takes the console's lock for each write.
func (c *console) stderr() io.Writer { return lockedErr{c} }

type lockedErr struct{ c *console }

func (w lockedErr) Write(b []byte) (int, error) {
	w.c.Lock()
	defer w.c.Unlock()
	return w.c.err.Write(b)
}

// termWidth is the width of the terminal w is, in columns; 0 if w is not a
// terminal, or does not say.
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
