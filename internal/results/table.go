package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/joblog"
)

// Table writes one row per job to a CSV or TSV file, with GNU parallel's
// columns: Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval,
// Signal, Command, V1 to Vn (the job's values), Stdout and Stderr. The
// header row comes with the first job, its V columns counted from that
// job's values, as in GNU parallel.
type Table struct {
	w      *bufio.Writer
	f      *os.File // nil when writing to a stream fanout does not own
	name   string
	sep    byte
	header bool // the header row is written already
	Job    Job
	// Names, if set, are --header's names of the value columns, in the
	// header row instead of V1 to Vn; an empty or missing one leaves its
	// V name, as in GNU parallel.
	Names []string
}

// CreateTable creates (truncates) the table at path, its columns separated
// by sep (',' or '\t'), or, with appendMode (a resumed run), adds to it: a
// last row cut off by a kill is removed first (its job was not logged as
// done and runs again), and no second header is written.
func CreateTable(path string, sep byte, job Job, appendMode bool) (*Table, error) {
	flags := os.O_RDWR | os.O_CREATE | os.O_APPEND
	if !appendMode {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	size, err := cutTornRow(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results %s: %w", path, err)
	}
	t := &Table{f: f, name: path, sep: sep, header: size > 0, Job: job}
	t.w = bufio.NewWriterSize(f, 64<<10)
	return t, nil
}

// NewTable writes the table to w (--results -.csv: standard output).
func NewTable(w io.Writer, name string, sep byte, job Job) *Table {
	return &Table{w: bufio.NewWriterSize(w, 64<<10), name: name, sep: sep, Job: job}
}

// cutTornRow truncates f after its last whole row and returns the new
// size. A row ends at a newline outside quotes; a quote inside a field is
// doubled, so counting quotes from the start tells which newlines end rows.
func cutTornRow(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, st.Size()), 64<<10)
	var end, off int64
	quoted := false
	for {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		off++
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			end = off
		}
	}
	if end == st.Size() {
		return end, nil
	}
	return end, f.Truncate(end)
}

var columns = []string{"Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command"}

// Receive appends r's row and flushes it, so that a crash loses no
// finished row.
func (t *Table) Receive(r *fanout.Result) error {
	values := t.Job.Values(r.Job)
	if !t.header {
		for i, c := range columns {
			t.field(i > 0, text(c))
		}
		for i := range values {
			name := "V" + strconv.Itoa(i+1)
			if i < len(t.Names) && t.Names[i] != "" {
				name = t.Names[i]
			}
			t.field(true, text(name))
		}
		t.field(true, text("Stdout"))
		t.field(true, text("Stderr"))
		t.w.WriteByte('\n')
		t.header = true
	}
	host := r.Host
	if host == "" {
		host = ":" // GNU parallel's name for this machine
	}
	var sent int64
	if sj, ok := t.Job.(Sender); ok {
		sent = sj.Sent(r.Job)
	}
	b := t.w.AvailableBuffer()
	b = strconv.AppendInt(b, t.Job.Seq(r.Job), 10)
	t.w.Write(b)
	t.field(true, text(host))
	b = t.w.AvailableBuffer()
	b = fmt.Appendf(b, "%c%.3f%c%.3f%c%d%c%d%c%d%c%d", t.sep, float64(r.Start.UnixMilli())/1000, t.sep, r.Runtime.Seconds(),
		t.sep, sent, t.sep, r.Stdout.Len(), t.sep, joblog.Exitval(r), t.sep, int(r.Signal))
	t.w.Write(b)
	t.field(true, text(t.Job.Command(r.Job)))
	for _, v := range values {
		t.field(true, text(v))
	}
	t.field(true, r.Stdout.Reader)
	t.field(true, r.Stderr.Reader)
	t.w.WriteByte('\n')
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("results %s: %w", t.name, err)
	}
	return nil
}

// text is a field's opener for a string.
func text(s string) func() io.Reader { return func() io.Reader { return strings.NewReader(s) } }

// field writes one field as GNU parallel quotes it: in double quotes, its
// own doubled, when it holds a quote, white space, the separator or a NUL;
// as it is otherwise. A job's output may be large, so it is read twice
// (once to decide, once to write) rather than held.
func (t *Table) field(sep bool, open func() io.Reader) {
	if sep {
		t.w.WriteByte(t.sep)
	}
	quote := false
	br := bufio.NewReaderSize(open(), 32<<10)
	for !quote {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		quote = c == '"' || c == t.sep || c == 0 || c == ' ' || c >= '\t' && c <= '\r'
	}
	br.Reset(open())
	if !quote {
		br.WriteTo(t.w)
		return
	}
	t.w.WriteByte('"')
	for {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		if c == '"' {
			t.w.WriteByte('"')
		}
		t.w.WriteByte(c)
	}
	t.w.WriteByte('"')
}

// Close flushes and closes the file.
func (t *Table) Close() error {
	err := t.w.Flush()
	if t.f != nil {
		if cerr := t.f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("results %s: %w", t.name, err)
	}
	return nil
}
