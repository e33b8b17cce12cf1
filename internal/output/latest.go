package output

import (
	"bytes"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/fanoutdev/fanout"
)

// Latest shows the latest line of each job, as GNU parallel's
// --latest-line does: on a terminal every job has a row of its own, which
// is redrawn in place with the job's tag and the last whole line it
// printed (standard output and error alike), cut to the terminal's width
// (">" where it was cut). Rows come in the order jobs start, or of the
// input with Ordered. When there are more rows than the terminal has, the
// oldest ones scroll away once their jobs are over.
//
// Not on a terminal (Size nil), nothing is redrawn: each job's latest line
// is printed once, as the job ends, after its tag and a tab.
//
// Jobs write through the streams Attach gives them; Receive draws their
// last state. The zero value is not usable: set Out.
type Latest struct {
	Out io.Writer
	// Size, if set, says Out is a terminal and returns its rows and
	// columns now; nil means it is not a terminal.
	Size func() (rows, cols int)
	// Tag, if set, returns the text shown before a job's line.
	Tag func(job *fanout.Job) []byte
	// Color, if set, returns the job's colour (see Printer.Color).
	Color func(job *fanout.Job, r *fanout.Result) []byte
	// Row, if set, gives a job its row, from 1 (its place in the input
	// for -k); nil gives rows in the order jobs start.
	Row func(job *fanout.Job) int
	// Lock, if set, is held for every write to Out; nil means one of
	// the display's own.
	Lock sync.Locker

	mu             sync.Mutex
	rows           int
	currow, maxrow int
	minvisible     int
	done           map[int]*latestJob // jobs over, by row, not yet scrolled away
	buf            []byte
}

// latestJob is one job's row and what it printed.
type latestJob struct {
	d       *Latest
	job     *fanout.Job
	row     int
	line    []byte // the latest whole line, of either stream
	color   []byte
	colored bool
	// out and err are the job's streams; each holds its unfinished line.
	out, err latestStream
}

// latestStream is one of a job's streams, written by its own goroutine.
type latestStream struct {
	j       *latestJob
	partial []byte // what came after its last whole line
}

func (d *Latest) locker() sync.Locker {
	if d.Lock != nil {
		return d.Lock
	}
	return &d.mu
}

// Attach gives the job its row and its streams: standard output and
// error go to the same row.
func (d *Latest) Attach(job *fanout.Job) {
	l := d.locker()
	l.Lock()
	defer l.Unlock()
	if d.currow == 0 {
		d.currow, d.maxrow, d.minvisible, d.done = 1, 1, 1, map[int]*latestJob{}
	}
	j := &latestJob{d: d, job: job}
	if d.Row != nil {
		j.row = d.Row(job)
	} else {
		d.rows++
		j.row = d.rows
	}
	if d.Color != nil {
		j.color, j.colored = d.Color(job, nil), true
	}
	j.out.j, j.err.j = j, j
	job.Stdout, job.Stderr = &j.out, &j.err
}

// Write keeps the last whole line of b, a line ending at a newline or a
// carriage return as GNU parallel takes it, and redraws the job's row.
func (s *latestStream) Write(b []byte) (int, error) {
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		i = bytes.LastIndexByte(b, '\r')
	}
	if i < 0 {
		s.partial = append(s.partial, b...)
		return len(b), nil
	}
	j, d := s.j, s.j.d
	l := d.locker()
	l.Lock()
	defer l.Unlock()
	head := b[:i] // the lines that end in b, less the last terminator
	if k := lastBreak(head); k >= 0 {
		j.line = append(j.line[:0], head[k+1:]...)
	} else {
		j.line = append(append(j.line[:0], s.partial...), head...)
	}
	s.partial = append(s.partial[:0], b[i+1:]...)
	if d.Size != nil {
		return len(b), d.draw(j)
	}
	return len(b), nil
}

func lastBreak(b []byte) int {
	if k := bytes.LastIndexByte(b, '\n'); k >= 0 {
		return k
	}
	return bytes.LastIndexByte(b, '\r')
}

// Receive draws the job's row a last time, in the colour its end gives:
// an unfinished last line counts as its latest. Rows of jobs over that
// the terminal had no room for are drawn as the rows above them scroll
// away. Not on a terminal, it prints the job's latest line.
func (d *Latest) Receive(r *fanout.Result) error {
	s, ok := r.Job.Stdout.(*latestStream)
	if !ok {
		return nil
	}
	j := s.j
	l := d.locker()
	l.Lock()
	defer l.Unlock()
	// Standard output's unfinished line first, as the one more likely
	// printed last.
	for _, p := range [][]byte{j.err.partial, j.out.partial} {
		if len(p) > 0 {
			j.line = append(j.line[:0], p[bytes.LastIndexByte(p, '\r')+1:]...)
		}
	}
	j.out.partial, j.err.partial = nil, nil
	if d.Color != nil {
		j.color = d.Color(r.Job, r)
	}
	if d.Size == nil {
		return d.printLast(j)
	}
	d.done[j.row] = j
	err := d.draw(j)
	for j := d.done[d.minvisible]; j != nil; j = d.done[d.minvisible] {
		if e := d.draw(j); err == nil {
			err = e
		}
		delete(d.done, d.minvisible)
		d.minvisible++
	}
	rows, _ := d.Size()
	for row := d.minvisible; row < d.minvisible+rows-1; row++ {
		if j := d.done[row]; j != nil {
			if e := d.draw(j); err == nil {
				err = e
			}
		}
	}
	return err
}

// printLast prints the job's latest line, after its tag and a tab, in its
// colour. The caller holds the lock.
func (d *Latest) printLast(j *latestJob) error {
	buf := d.buf[:0]
	var tag []byte
	if d.Tag != nil {
		tag = d.Tag(j.job)
	}
	if j.colored {
		buf = appendColored(buf, nil, append(j.line, '\n'), j.color, tag)
	} else {
		if tag != nil {
			buf = append(append(buf, tag...), '\t')
		}
		buf = append(append(buf, j.line...), '\n')
	}
	_, err := d.Out.Write(buf)
	d.buf = buf[:0]
	return err
}

// draw redraws the job's row if it is on the screen, as GNU parallel
// does: up to the row (or down, by newlines, to a new one), the tag with
// its tab made spaces, the line cut to the width, then down below the
// last row. The caller holds the lock.
func (d *Latest) draw(j *latestJob) error {
	rows, cols := d.Size()
	if j.row < d.minvisible || j.row >= d.minvisible+rows-1 {
		return nil
	}
	d.maxrow = max(d.maxrow, j.row)
	buf := d.buf[:0]
	for n := d.currow; n > j.row; n-- {
		buf = append(buf, cursorUp...)
	}
	for n := d.currow; n < j.row; n++ {
		buf = append(buf, '\n')
	}
	buf = append(buf, '\r')
	var tag []byte
	if d.Tag != nil {
		tag = untab(append(d.Tag(j.job), '\t'))
	}
	taglen := utf8.RuneCount(tag)
	width := cols - taglen // the line and its mark
	line := untab(j.line)
	mark := " "
	if utf8.RuneCount(line) >= width {
		mark = ">"
	}
	if taglen > cols {
		tag, mark = append(cut(tag, cols-1), '>'), ""
	}
	buf = append(buf, tag...)
	if j.colored {
		buf = append(buf, j.color...)
	}
	buf = append(append(buf, cut(line, max(width-1, 0))...), mark...)
	if j.colored && len(j.color) > 0 {
		buf = append(buf, reset...)
	}
	for n := j.row; n <= d.maxrow; n++ {
		buf = append(buf, '\n')
	}
	d.currow = d.maxrow + 1
	_, err := d.Out.Write(buf)
	d.buf = buf[:0]
	return err
}

// cursorUp moves the cursor one line up (tput cuu1 on terminals that
// speak ANSI).
const cursorUp = "\033[A"

// untab makes tabs spaces up to the next multiple of 8 columns.
func untab(b []byte) []byte {
	if bytes.IndexByte(b, '\t') < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	col := 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if r == '\t' {
			for ; ; col++ {
				out = append(out, ' ')
				if col%8 == 7 {
					col++
					break
				}
			}
			continue
		}
		out = utf8.AppendRune(out, r)
		col++
	}
	return out
}

// cut keeps the first n characters of b.
func cut(b []byte, n int) []byte {
	for i := range string(b) {
		if n == 0 {
			return b[:i]
		}
		n--
	}
	return b
}
