// Package joblog writes and reads GNU parallel's job log (--joblog): a
// header, then one tab-separated row per finished job. It is built so that
// nothing is lost: every row goes out in a single write(2) on a file opened
// for appending, and a short write (a full disk) is rolled back before the
// error is reported. A kill -9 can still cut a row longer than a page (the
// kernel stops a write to a file between pages for a fatal signal): on
// reading, such a torn last row is left out, and it is cut off before
// rows are appended, so that job simply runs again.
package joblog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/lines"
)

// Header is the first line of a job log.
const Header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

// Entry is one row. A job killed by a signal (a timeout, a termination) has
// Exitval -1 and the signal's number, as GNU parallel logs it; a program
// that could not be found has Exitval 127, as a shell reports it.
type Entry struct {
	Seq     int64
	Host    string // ":" for this machine
	Start   time.Time
	Runtime time.Duration
	Send    int64
	Receive int64
	Exitval int
	Signal  int
	// Command is the command as a shell reads it. Newlines in it are
	// written as the two characters \n, so that a row stays one line; they
	// are not turned back on reading, so that the far more common literal
	// \n of a printf survives --retry-failed.
	Command string
}

// Exitval is the value GNU parallel logs for a job's exit: the exit status;
// -1 for a job that fanout itself terminated (a timeout, a signal to the
// run), beside the signal; 0 for one that died of a signal on its own,
// beside that signal; and the shell's 127 or 126 for a program that could
// not be found or run. The job log and --results use it alike.
func Exitval(r *fanout.Result) int {
	switch {
	case r.Err != nil:
		return r.ExitStatus()
	case r.TimedOut || r.Canceled:
		return -1
	case r.Signal != 0:
		return 0
	}
	return r.ExitCode
}

// Succeeded reports whether the job exited with status 0.
func (e *Entry) Succeeded() bool { return e.Exitval == 0 && e.Signal == 0 }

// AppendEntry formats e as a row, exactly as GNU parallel does.
func AppendEntry(dst []byte, e *Entry) []byte {
	dst = strconv.AppendInt(dst, e.Seq, 10)
	dst = append(dst, '\t')
	if e.Host == "" {
		dst = append(dst, ':')
	} else {
		dst = append(dst, e.Host...)
	}
	dst = append(dst, '\t')
	dst = appendMillis(dst, e.Start.UnixMilli(), 0)
	dst = append(dst, '\t')
	dst = appendMillis(dst, e.Runtime.Milliseconds(), 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, e.Send, 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, e.Receive, 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, int64(e.Exitval), 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, int64(e.Signal), 10)
	dst = append(dst, '\t')
	for i := 0; i < len(e.Command); i++ {
		switch c := e.Command[i]; c {
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '\n')
}

// appendMillis writes ms as seconds with three decimals, right-aligned in
// width characters (GNU parallel pads JobRuntime to 10).
func appendMillis(dst []byte, ms int64, width int) []byte {
	var tmp [32]byte
	b := tmp[:0]
	if ms < 0 {
		b = append(b, '-')
		ms = -ms
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	for i := len(b); i < width; i++ {
		dst = append(dst, ' ')
	}
	return append(dst, b...)
}

// Writer appends rows to a job log.
type Writer struct {
	mu   sync.Mutex
	out  io.Writer
	f    *os.File // out, when it is a file this Writer opened
	path string
	size int64 // the length of the file's whole rows
	buf  []byte
}

// Create opens the job log at path. Without appendMode the log starts
// afresh, as GNU parallel's does; with it (--resume and friends) rows are
// added to what is there. The header is written when the file is empty.
func Create(path string, appendMode bool) (*Writer, error) {
	f, size, err := lines.OpenAppend(path, !appendMode)
	if err != nil {
		return nil, fmt.Errorf("joblog %s: %w", path, unwrapPath(err))
	}
	w := &Writer{out: f, f: f, path: path, size: size}
	if w.size == 0 {
		if err := w.write([]byte(Header)); err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

// NewWriter returns a Writer that puts the header and the rows on out, for
// a log on standard output (GNU parallel's --joblog -). name is used in
// errors. A write that fails halfway cannot be taken back there.
func NewWriter(out io.Writer, name string) (*Writer, error) {
	w := &Writer{out: out, path: name}
	if err := w.write([]byte(Header)); err != nil {
		return nil, err
	}
	return w, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Write appends e's row. Writes are serialised, so Write may be called from
// several goroutines.
func (w *Writer) Write(e *Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = AppendEntry(w.buf[:0], e)
	return w.write(w.buf)
}

// write puts b out in one write(2), and takes back a partial one.
func (w *Writer) write(b []byte) error {
	n, err := w.out.Write(b)
	if err == nil {
		w.size += int64(n)
		return nil
	}
	if n > 0 && w.f != nil {
		// A torn row would be misread on resume: cut it off again.
		w.f.Truncate(w.size)
	}
	return fmt.Errorf("joblog %s: %w", w.path, unwrapPath(err))
}

// Close closes the file, if the Writer opened one.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("joblog %s: %w", w.path, err)
	}
	return nil
}

// Log is a parsed job log.
type Log struct {
	// Torn is the line number of a last row that was cut off before its
	// newline, or 0. Such a row is not among the entries.
	Torn    int
	entries []*Entry
	bySeq   map[int64]*Entry
}

// ReadFile reads the job log at path; a missing file is an empty log, as
// there is nothing to resume.
func ReadFile(path string) (*Log, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Log{bySeq: map[int64]*Entry{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("joblog %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	return Read(f, path)
}

// Read parses a job log. A wrong header or a malformed row is an error
// naming the line: resuming from a log that is not understood would rerun
// or skip the wrong jobs. A last row without its newline is left out and
// reported in Log.Torn.
func Read(r io.Reader, name string) (*Log, error) {
	l := &Log{bySeq: map[int64]*Entry{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return l, nil
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("joblog %s: %w", name, err)
		}
		if err == io.EOF {
			// Only a kill in the middle of writing a row leaves one
			// without its newline: that job's completion was never
			// recorded, and it runs again.
			l.Torn = n
			return l, nil
		}
		if n == 1 {
			if string(line) != Header {
				return nil, fmt.Errorf("joblog %s: line 1: not a job log header; use another --joblog file", name)
			}
			continue
		}
		e, perr := parseRow(line[:len(line)-1])
		if perr != nil {
			return nil, fmt.Errorf("joblog %s: line %d: malformed row: %v", name, n, perr)
		}
		l.entries = append(l.entries, e)
		l.bySeq[e.Seq] = e
	}
}

func parseRow(line []byte) (*Entry, error) {
	cols := strings.SplitN(string(line), "\t", 9)
	if len(cols) != 9 {
		return nil, fmt.Errorf("%d columns, want 9", len(cols))
	}
	e := &Entry{Host: cols[1]}
	var err error
	num := func(i int) int64 {
		if err != nil {
			return 0
		}
		var v int64
		v, err = strconv.ParseInt(cols[i], 10, 64)
		if err != nil {
			err = fmt.Errorf("column %d %q is not a number", i+1, cols[i])
		}
		return v
	}
	secs := func(i int) float64 {
		if err != nil {
			return 0
		}
		var v float64
		v, err = strconv.ParseFloat(strings.TrimSpace(cols[i]), 64)
		if err != nil {
			err = fmt.Errorf("column %d %q is not a number", i+1, cols[i])
		}
		return v
	}
	e.Seq = num(0)
	start := secs(2)
	runtime := secs(3)
	e.Send = num(4)
	e.Receive = num(5)
	e.Exitval = int(num(6))
	e.Signal = int(num(7))
	if err != nil {
		return nil, err
	}
	if e.Seq < 1 {
		return nil, fmt.Errorf("sequence number %d", e.Seq)
	}
	e.Start = time.UnixMilli(int64(start*1000 + 0.5))
	e.Runtime = time.Duration(runtime*1000+0.5) * time.Millisecond
	e.Command = cols[8]
	return e, nil
}

// Entry returns the last row for seq.
func (l *Log) Entry(seq int64) (*Entry, bool) {
	e, ok := l.bySeq[seq]
	return e, ok
}

// Entries returns the rows in file order.
func (l *Log) Entries() []*Entry { return l.entries }
