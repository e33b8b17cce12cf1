// Package results keeps every job's output for later, as GNU parallel's
// --results does: a directory tree per job (DIR/1/value/2/value/{seq,
// stdout,stderr}), or, for a name ending in .json, one JSON object per line
// per job.
package results

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/joblog"
	"github.com/fanoutdev/fanout/internal/lines"
)

// Sender is a Job that knows the bytes a job was sent on its stdin (a
// block of --pipe); without it Send is 0.
type Sender interface {
	Sent(j *fanout.Job) int64
}

// Job describes what the sink needs of a job beyond its Result.
type Job interface {
	// Values are the job's input values, in source order.
	Values(j *fanout.Job) []string
	// Command is the command as a shell would read it.
	Command(j *fanout.Job) string
	// Seq is the job's number in the input, which a resumed run keeps
	// (the pool numbers only the jobs it was given).
	Seq(j *fanout.Job) int64
}

// Dir writes each job's output into a directory tree named by its inputs.
type Dir struct {
	Root string
	// Sources is the number of values of one record, to number the levels
	// when a job packs several records (-n, -X): the numbers start again
	// at 1 for each record. Zero numbers every value of the job in turn,
	// as for one record of several sources or --colsep columns.
	Sources int
	// Names, if set, are --header's names of a record's columns, which
	// name its levels instead of their numbers (an empty or missing name
	// leaves the number); the levels are then in the order of their
	// names, as GNU parallel sorts them: by their value as a number first
	// (0 for a word), then as text.
	Names []string
	Job   Job
}

// Receive writes r's seq, stdout and stderr files.
func (d *Dir) Receive(r *fanout.Result) error {
	dir := d.path(d.Job.Values(r.Job))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "stdout"), &r.Stdout); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, "stderr"), &r.Stderr); err != nil {
		return err
	}
	seq := bytes.NewReader(strconv.AppendInt(nil, d.Job.Seq(r.Job), 10))
	return writeFile(filepath.Join(dir, "seq"), seq)
}

// Done reports whether a job of these values has its output in the tree
// already (its stdout file exists), for --resume without a job log.
func (d *Dir) Done(values []string) bool {
	return Done(d.path(values) + "/")
}

// Done reports whether the job whose rendered --results name is path has
// its output there already: its stdout file exists, as GNU parallel's
// --resume checks. Files writes stdout last, so it is whole.
func Done(path string) bool {
	stdout, _, _ := Names(path)
	st, err := os.Stat(stdout)
	return err == nil && st.Mode().IsRegular()
}

// path returns the job's directory: a level for each value, numbered by
// the source it came from.
func (d *Dir) path(values []string) string {
	n := d.Sources
	if n <= 0 {
		n = max(len(values), 1)
	}
	parts := []string{d.Root}
	if d.Names == nil {
		for i, v := range values {
			parts = append(parts, strconv.Itoa(i%n+1), escape(v))
		}
		return filepath.Join(parts...)
	}
	names := make([]string, n)
	order := make([]int, n)
	for k := range names {
		names[k], order[k] = strconv.Itoa(k+1), k
		if k < len(d.Names) && d.Names[k] != "" {
			names[k] = d.Names[k]
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := names[order[a]], names[order[b]]
		if nx, ny := leadingNumber(x), leadingNumber(y); nx != ny {
			return nx < ny
		}
		return x < y
	})
	for rec := 0; rec < len(values); rec += n {
		for _, k := range order {
			if rec+k < len(values) {
				parts = append(parts, names[k], escape(values[rec+k]))
			}
		}
	}
	return filepath.Join(parts...)
}

// leadingNumber is the value Perl gives a string as a number: that of the
// decimal number it starts with, after blanks; 0 if none.
func leadingNumber(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	digits := func() {
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
	}
	digits()
	if end < len(s) && s[end] == '.' {
		end++
		digits()
	}
	if end+1 < len(s) && (s[end] == 'e' || s[end] == 'E') {
		mant := end
		end++
		if s[end] == '+' || s[end] == '-' {
			end++
		}
		start := end
		digits()
		if end == start {
			end = mant
		}
	}
	v, _ := strconv.ParseFloat(s[:end], 64)
	return v
}

// escape makes a value one safe path component: / becomes \_, a tab \t
// and a NUL \0 as in GNU parallel, and the names . and .. cannot climb out of the tree.
func escape(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, "/", `\_`)
	v = strings.ReplaceAll(v, "\t", `\t`)
	v = strings.ReplaceAll(v, "\x00", `\0`)
	if v == "." || v == ".." {
		v = strings.ReplaceAll(v, ".", `\.`)
	}
	if len(v) > 255 {
		v = v[:255]
	}
	return v
}

// writeFile writes o to path through a temporary name in the same
// directory, renamed into place once whole: a kill or a full disk midway
// leaves the old file or none, never a truncated one under the real name.
// The temporary name is fixed, so a leftover is overwritten when the job
// runs again.
func writeFile(path string, o io.WriterTo) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	_, err = o.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("results %s: %w", path, err)
	}
	return nil
}

// JSON writes one JSON object per job per line, with GNU parallel's keys.
type JSON struct {
	w    *bufio.Writer
	f    *os.File // nil when writing to a stream fanout does not own
	name string
	Job  Job
}

// NewJSON writes the JSON lines to w (--results -.json: standard output).
func NewJSON(w io.Writer, job Job) *JSON {
	return &JSON{w: bufio.NewWriterSize(w, 64<<10), name: "standard output", Job: job}
}

// CreateJSON creates (truncates) the JSON Lines file at path or, with
// appendMode (a resumed run), adds to it. A last line cut off by a kill is
// removed first: its job was not logged as done and runs again.
func CreateJSON(path string, job Job, appendMode bool) (*JSON, error) {
	f, _, err := lines.OpenAppend(path, !appendMode)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return &JSON{f: f, name: path, w: bufio.NewWriterSize(f, 64<<10), Job: job}, nil
}

// Receive appends r's object and flushes it, so a crash loses no finished
// line.
func (s *JSON) Receive(r *fanout.Result) error {
	w := s.w
	b := w.AvailableBuffer()
	b = fmt.Appendf(b, `{ "Seq": %d, "Host": `, s.Job.Seq(r.Job))
	w.Write(b)
	host := r.Host
	if host == "" {
		host = ":" // GNU parallel's name for this machine
	}
	writeString(w, strings.NewReader(host))
	b = w.AvailableBuffer()
	var sent int64
	if sj, ok := s.Job.(Sender); ok {
		sent = sj.Sent(r.Job)
	}
	b = fmt.Appendf(b, `, "Starttime": %.3f, "JobRuntime": %.3f, "Send": %d, "Receive": %d, "Exitval": %d, "Signal": %d, "Command": `,
		float64(r.Start.UnixMilli())/1000, r.Runtime.Seconds(), sent, r.Stdout.Len(), joblog.Exitval(r), int(r.Signal))
	w.Write(b)
	writeString(w, strings.NewReader(s.Job.Command(r.Job)))
	w.WriteString(`, "V": [ `)
	for i, v := range s.Job.Values(r.Job) {
		if i > 0 {
			w.WriteByte(',') // GNU parallel's spacing: [ "a","b" ]
		}
		writeString(w, strings.NewReader(v))
	}
	w.WriteString(` ], "Stdout": `)
	writeString(w, r.Stdout.Reader())
	w.WriteString(`, "Stderr": `)
	writeString(w, r.Stderr.Reader())
	w.WriteString(" }\n")
	if err := w.Flush(); err != nil {
		return fmt.Errorf("results %s: %w", s.name, err)
	}
	return nil
}

// Close flushes and closes the file.
func (s *JSON) Close() error {
	err := s.w.Flush()
	if s.f != nil {
		if cerr := s.f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("results %s: %w", s.name, err)
	}
	return nil
}

const hex = "0123456789abcdef"

// writeString writes the bytes of r as a JSON string, streaming, so that a
// job's gigabyte of output needs no gigabyte of memory. Control characters
// are escaped as \u00XX (as GNU parallel does for newlines), invalid UTF-8
// as U+FFFD.
func writeString(w *bufio.Writer, r io.Reader) {
	br := bufio.NewReaderSize(r, 32<<10)
	w.WriteByte('"')
	for {
		c, size, err := br.ReadRune()
		if err != nil {
			break
		}
		switch {
		case c == '"' || c == '\\':
			w.WriteByte('\\')
			w.WriteByte(byte(c))
		case c < 0x20 || c == 0x7f:
			w.WriteString(`\u00`)
			w.WriteByte(hex[c>>4])
			w.WriteByte(hex[c&0xf])
		case c == utf8.RuneError && size == 1:
			w.WriteString(`\ufffd`)
		default:
			w.WriteRune(c)
		}
	}
	w.WriteByte('"')
}

// Files writes each job's output to files named for the job by a
// template (--results with replacement strings, as GNU parallel has it).
type Files struct {
	// Path returns the job's rendered name. A name ending in / is a
	// directory that gets files seq, stdout and stderr; any other name is
	// the stdout file, with NAME.err and NAME.seq beside it. Missing
	// directories are made.
	Path func(j *fanout.Job) string
	Job  Job
}

// Receive writes r's files; stdout goes last, so that its presence says
// the job's files are whole.
func (f *Files) Receive(r *fanout.Result) error {
	path := f.Path(r.Job)
	if path == "" {
		return fmt.Errorf("results: job %d: its --results name is empty: give a name that is never empty, such as out/{}", f.Job.Seq(r.Job))
	}
	out, errName, seqName := Names(path)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	seq := bytes.NewReader(strconv.AppendInt(nil, f.Job.Seq(r.Job), 10))
	if err := writeFile(seqName, seq); err != nil {
		return err
	}
	if err := writeFile(errName, &r.Stderr); err != nil {
		return err
	}
	return writeFile(out, &r.Stdout)
}

// Names are the stdout, stderr and seq files of a job whose rendered
// --results name is path (see Files.Path).
func Names(path string) (stdout, stderr, seq string) {
	if strings.HasSuffix(path, "/") {
		return path + "stdout", path + "stderr", path + "seq"
	}
	return path, path + ".err", path + ".seq"
}
