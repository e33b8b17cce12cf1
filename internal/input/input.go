// Package input reads GNU parallel's argument sources (::: lists, ::::
// files, -a files, standard input) as a lazy stream of records, combines
// several sources (every combination, or linked with --link and :::+), and
// packs records into jobs (-n, -N, -X, -m). The first record is available as
// soon as it is read, so the first job starts before standard input ends,
// and memory does not grow with the input.
package input

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
)

// Source yields records: the input values of one job before batching.
// Next returns io.EOF at the end. Each returned slice is the caller's.
type Source interface {
	Next() ([]string, error)
}

// Format says how file and stdin sources split their bytes.
type Format struct {
	// Delim is the record delimiter; zero means '\n', unless Null is set.
	Delim byte
	// Null makes NUL the delimiter (-0, --null).
	Null bool
	// Colsep, if set, splits each record into columns (--colsep).
	Colsep *regexp.Regexp
}

func (f Format) delim() byte {
	switch {
	case f.Null:
		return 0
	case f.Delim != 0:
		return f.Delim
	}
	return '\n'
}

// split turns one record into its values.
func (f Format) split(rec string) []string {
	if f.Colsep == nil {
		return []string{rec}
	}
	return f.Colsep.Split(rec, -1)
}

// ParseDelim turns the -d argument into a delimiter byte. It understands
// C-style escapes (\n \t \r \0 \\ \a \b \f \v \xHH and octal \NNN).
func ParseDelim(s string) (byte, error) {
	if len(s) == 1 {
		return s[0], nil
	}
	if len(s) >= 2 && s[0] == '\\' {
		switch s[1:] {
		case "n":
			return '\n', nil
		case "t":
			return '\t', nil
		case "r":
			return '\r', nil
		case "0":
			return 0, nil
		case "\\":
			return '\\', nil
		case "a":
			return '\a', nil
		case "b":
			return '\b', nil
		case "f":
			return '\f', nil
		case "v":
			return '\v', nil
		}
		if s[1] == 'x' && len(s) > 2 && len(s) <= 4 {
			if n, err := strconv.ParseUint(s[2:], 16, 8); err == nil {
				return byte(n), nil
			}
		}
		if len(s) <= 4 {
			if n, err := strconv.ParseUint(s[1:], 8, 8); err == nil {
				return byte(n), nil
			}
		}
	}
	return 0, fmt.Errorf("-d %q: a delimiter must be one character or one escape such as \\n, \\t, \\0 or \\x1f", s)
}

// Args returns a source over a ::: list.
func Args(values []string, f Format) Source {
	return &list{values: values, f: f}
}

type list struct {
	values []string
	f      Format
}

func (l *list) Next() ([]string, error) {
	if len(l.values) == 0 {
		return nil, io.EOF
	}
	v := l.values[0]
	l.values = l.values[1:]
	return l.f.split(v), nil
}

// Reader returns a source that streams records from r. The last record may
// lack its delimiter; an empty input has no records.
func Reader(r io.Reader, name string, f Format) Source {
	return &reader{br: bufio.NewReaderSize(r, 64<<10), name: name, f: f, delim: f.delim()}
}

type reader struct {
	br    *bufio.Reader
	name  string
	f     Format
	delim byte
	long  []byte // a record longer than the buffer, assembled
	err   error
}

func (r *reader) Next() ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.long = r.long[:0]
	for {
		chunk, err := r.br.ReadSlice(r.delim)
		switch {
		case err == nil:
			chunk = chunk[:len(chunk)-1]
			if len(r.long) > 0 {
				chunk = append(r.long, chunk...)
			}
			return r.f.split(string(chunk)), nil
		case errors.Is(err, bufio.ErrBufferFull):
			r.long = append(r.long, chunk...)
			continue
		case err == io.EOF:
			r.err = io.EOF
			if len(r.long) == 0 && len(chunk) == 0 {
				return nil, io.EOF
			}
			return r.f.split(string(append(r.long, chunk...))), nil
		default:
			r.err = fmt.Errorf("input %s: %w", r.name, err)
			return nil, r.err
		}
	}
}

// Open opens a :::: or -a file; "-" is standard input.
func Open(path string, f Format) (Source, io.Closer, error) {
	if path == "-" {
		return Reader(os.Stdin, "stdin", f), io.NopCloser(nil), nil
	}
	file, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("input file %s: %v", path, err)
	}
	if st, err := file.Stat(); err == nil && st.IsDir() {
		file.Close()
		return nil, nil, fmt.Errorf("input file %s: is a directory", path)
	}
	return Reader(file, path, f), file, nil
}

// readAll drains a source.
func readAll(s Source) ([][]string, error) {
	var out [][]string
	for {
		rec, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}

// Combine returns every combination of the groups' records, the last group
// varying fastest. The sources of one group are linked: their records are
// paired, the shorter ones wrapping around to the length of the longest.
// A single unlinked first group is streamed; the others are read once.
func Combine(groups [][]Source) Source {
	return &product{groups: groups}
}

type product struct {
	groups  [][]Source
	first   Source       // the streamed first group, when it is unlinked
	rest    [][][]string // the records of every other group
	idx     []int        // position in each of rest
	cur     []string     // the current record of the first group
	started bool
	err     error
}

func (p *product) init() error {
	p.started = true
	gs := p.groups
	if len(gs) > 0 && len(gs[0]) == 1 {
		p.first = gs[0][0]
		gs = gs[1:]
	}
	for _, g := range gs {
		recs, err := link(g)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			p.rest = nil
			p.first = nil
			p.idx = nil
			p.err = io.EOF
			return io.EOF
		}
		p.rest = append(p.rest, recs)
	}
	p.idx = make([]int, len(p.rest))
	if p.first == nil && len(p.rest) > 0 {
		// Every group is held in memory: iterate over all of them.
		p.idx[len(p.idx)-1] = -1
	}
	return nil
}

func (p *product) Next() ([]string, error) {
	if p.err != nil {
		return nil, p.err
	}
	if !p.started {
		if err := p.init(); err != nil {
			p.err = err
			return nil, err
		}
	}
	if p.first != nil {
		if p.cur == nil || !p.advance() {
			rec, err := p.first.Next()
			if err != nil {
				p.err = err
				return nil, err
			}
			p.cur = rec
			for i := range p.idx {
				p.idx[i] = 0
			}
		}
	} else if !p.advance() {
		p.err = io.EOF
		return nil, io.EOF
	}
	out := append([]string(nil), p.cur...)
	for i, recs := range p.rest {
		out = append(out, recs[p.idx[i]]...)
	}
	return out, nil
}

// advance moves to the next combination of the held groups, reporting
// false when they are exhausted.
func (p *product) advance() bool {
	for i := len(p.idx) - 1; i >= 0; i-- {
		p.idx[i]++
		if p.idx[i] < len(p.rest[i]) {
			return true
		}
		p.idx[i] = 0
	}
	return false
}

// link reads a group of linked sources into paired records.
func link(g []Source) ([][]string, error) {
	var all [][][]string
	longest := 0
	for _, s := range g {
		recs, err := readAll(s)
		if err != nil {
			return nil, err
		}
		all = append(all, recs)
		longest = max(longest, len(recs))
	}
	out := make([][]string, 0, longest)
	for i := 0; i < longest; i++ {
		var rec []string
		for _, recs := range all {
			if len(recs) == 0 {
				continue
			}
			rec = append(rec, recs[i%len(recs)]...)
		}
		out = append(out, rec)
	}
	return out, nil
}

// Batch packs up to max records into one, their values concatenated (-n,
// -N, -X, -m); maxBytes > 0 also bounds the summed length of the values plus
// a separator each. A record longer than maxBytes forms a batch of its own.
func Batch(src Source, max, maxBytes int) Source {
	if max <= 1 && maxBytes <= 0 {
		return src
	}
	return &batch{src: src, max: max, maxBytes: maxBytes}
}

type batch struct {
	src      Source
	max      int
	maxBytes int
	held     []string // a record read but not fitting the previous batch
	err      error
}

func (b *batch) Next() ([]string, error) {
	if b.err != nil && b.held == nil {
		return nil, b.err
	}
	var out []string
	n, size := 0, 0
	if b.held != nil {
		out = append(out, b.held...)
		size = bytesOf(b.held)
		b.held = nil
		n = 1
	}
	for (b.max <= 0 || n < b.max) && b.err == nil {
		rec, err := b.src.Next()
		if err != nil {
			b.err = err
			break
		}
		if b.maxBytes > 0 && n > 0 && size+bytesOf(rec) > b.maxBytes {
			b.held = rec
			break
		}
		out = append(out, rec...)
		size += bytesOf(rec)
		n++
	}
	if n == 0 {
		return nil, b.err
	}
	return out, nil
}

func bytesOf(rec []string) int {
	n := 0
	for _, v := range rec {
		n += len(v) + 1
	}
	return n
}
