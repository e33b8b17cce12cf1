// Package pipe cuts a stream or a file into blocks of whole records, for
// --pipe and --pipepart, and writes a block to a job's standard input with
// as few copies as the system allows.
//
// A record ends with Format.RecEnd and/or starts with Format.RecStart; a
// block is cut only where an end meets a start, so no record is ever split.
// A record longer than the block grows that block instead.
package pipe

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Format says where records end and how many go in a block. The zero value
// cuts anywhere (no record separator): set RecEnd to "\n" for lines.
type Format struct {
	// RecEnd ends a record and RecStart starts one; a cut needs both
	// (RecEnd then RecStart). Both empty: no separator, a cut anywhere.
	RecEnd, RecStart string
	// Regexp makes RecEnd and RecStart regular expressions (RE2 syntax).
	Regexp bool
	// Lines, if positive, makes a record that many lines (RecEnd "\n"
	// each), as GNU parallel's -L with --pipe; RecEnd and RecStart are
	// then not used.
	Lines int
	// Records, if positive, puts that many records in a block (GNU
	// parallel's -N) instead of filling it to its size.
	Records int
	// RemoveSep strips RecEnd and RecStart from the records of each block
	// (--rrs).
	RemoveSep bool
	// Header is what a block starts with: the header of the input,
	// repeated for every block. HeaderLines, if positive, makes it the
	// first so many lines; otherwise HeaderRe, if set, is matched at the
	// start of the input.
	HeaderLines int
	HeaderRe    *regexp.Regexp
	// GroupKey, if set, keeps lines with the same key in a row in one
	// block (--group-by): a block is cut only between lines whose keys
	// differ, and Records counts groups. Records are then lines: RecEnd,
	// RecStart, Regexp, Lines and RemoveSep are not used. The key may be
	// part of the line; it is not kept past the next call.
	GroupKey func(line []byte) []byte
	// Timeout, if positive, passes on the whole records read so far as a
	// block when no more input comes within it, though the block is not
	// full (--block-timeout); a block cut by size only.
	Timeout time.Duration
	// GroupErr, if set, reports a failure of GroupKey, which ends the
	// blocks with that error.
	GroupErr func() error
	// CSV cuts only after a newline that ends a CSV record, where the
	// quotes so far are even, as GNU parallel's --csv does with --pipe:
	// RecEnd, RecStart and Records are not used. NewParts ignores it, as
	// GNU parallel's --pipepart does.
	CSV bool
	// SkipFirstLine leaves out a file's first line, before its header
	// (--skip-first-line with --pipepart: see NewParts). A stream's first
	// line is left to the caller to read off.
	SkipFirstLine bool
}

// Unescape turns the escapes GNU parallel reads in --recend and --recstart
// (\0 \r \n \t \' \" \\) into the characters they name; anything else
// stays as it is.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '0':
			b.WriteByte(0)
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '\'', '"', '\\':
			b.WriteByte(s[i+1])
		default:
			b.WriteByte(c)
			continue
		}
		i++
	}
	return b.String()
}

// ParseSize parses --block: a number, possibly negative, with GNU
// parallel's unit suffixes (K M G T P multiply by powers of 1024, k m g t p
// by powers of 1000).
func ParseSize(s string) (int64, error) {
	bad := fmt.Errorf("--block %q: not a size (use a number with k, M, G ... as in 10M)", s)
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, bad
	}
	mult := 1.0
	units := map[byte]float64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40, 'P': 1 << 50,
		'k': 1e3, 'm': 1e6, 'g': 1e9, 't': 1e12, 'p': 1e15}
	if u, ok := units[t[len(t)-1]]; ok {
		mult, t = u, t[:len(t)-1]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, bad
	}
	v *= mult
	if math.Abs(v) > 1<<50 {
		return 0, fmt.Errorf("--block %q: too large", s)
	}
	return int64(v), nil
}

// ParseHeader parses --header: a number of lines, ':' for the first line,
// or a regular expression matched at the start of the input.
func ParseHeader(s string, f *Format) error {
	if s == ":" {
		s = `.*\n`
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		f.HeaderLines, f.HeaderRe = n, nil
		return nil
	}
	re, err := regexp.Compile(`\A(?:` + s + `)`)
	if err != nil {
		return fmt.Errorf("--header %q: %v", s, err)
	}
	f.HeaderRe, f.HeaderLines = re, 0
	return nil
}

// cutter finds the places a block may be cut: positions p with whole
// records before p. A cut is never at 0, so no block is empty.
type cutter interface {
	// last returns the last cut in (0, len(b)], or -1.
	last(b []byte) int
	// first returns the first cut after from (and after 0), or -1.
	first(b []byte, from int) int
	// nth returns the nth cut, or -1 and how many there are.
	nth(b []byte, n int) (pos, found int)
	// overlap is how far before a cut the bytes that make it may start:
	// a search for cuts in newly read bytes starts that far back.
	overlap() int
}

func (c *literalCutter) overlap() int { return len(c.sep) }
func (c *regexpCutter) overlap() int  { return 1 << 62 } // a match has no bound
func (lineCutter) overlap() int       { return 0 }
func (anyCutter) overlap() int        { return 0 }
func (csvCutter) overlap() int        { return 1 << 62 } // quotes count from the block's start

// newCutter builds the cutter of f.
func newCutter(f *Format) (cutter, error) {
	if f.GroupKey != nil {
		return &groupCutter{key: f.GroupKey}, nil
	}
	if f.CSV {
		return csvCutter{}, nil
	}
	if f.Lines > 0 {
		return lineCutter(f.Lines), nil
	}
	if f.Regexp {
		end, start := f.RecEnd, f.RecStart
		if end == "" && start == "" {
			end = `(?s:.)`
		}
		re, err := regexp.Compile(`(` + end + `)(?:` + start + `)`)
		if err != nil {
			return nil, fmt.Errorf("--recend/--recstart: %v", err)
		}
		if re.MatchString("") {
			return nil, errors.New("--recend/--recstart: the expressions match the empty string: give one that matches a separator")
		}
		return &regexpCutter{re: re}, nil
	}
	if f.RecEnd == "" && f.RecStart == "" {
		return anyCutter{}, nil
	}
	return &literalCutter{sep: []byte(f.RecEnd + f.RecStart), end: len(f.RecEnd)}, nil
}

// literalCutter cuts between RecEnd and RecStart taken as they are.
type literalCutter struct {
	sep []byte // RecEnd then RecStart
	end int    // len(RecEnd): where in sep the cut is
}

func (c *literalCutter) last(b []byte) int {
	if len(c.sep) == 1 {
		if i := bytes.LastIndexByte(b, c.sep[0]); i >= 0 && i+c.end > 0 {
			return i + c.end
		}
		return -1
	}
	if i := bytes.LastIndex(b, c.sep); i >= 0 && i+c.end > 0 {
		return i + c.end
	}
	return -1
}

func (c *literalCutter) first(b []byte, from int) int {
	// A cut p = i+end is after from when i > from-end.
	s := max(0, from-c.end+1)
	for s <= len(b) {
		i := bytes.Index(b[s:], c.sep)
		if i < 0 {
			return -1
		}
		if p := s + i + c.end; p > 0 {
			return p
		}
		s += i + 1
	}
	return -1
}

func (c *literalCutter) nth(b []byte, n int) (int, int) { return nthCut(c.first, b, n) }

// nthCut finds the nth cut in b by stepping from one cut to the next with
// first; it returns -1 and the cuts found when there are fewer than n.
func nthCut(first func(b []byte, from int) int, b []byte, n int) (int, int) {
	p := 0
	for k := 0; k < n; k++ {
		q := first(b, p)
		if q < 0 {
			return -1, k
		}
		p = q
	}
	return p, n
}

// regexpCutter cuts at the end of the first group of its expression,
// (RecEnd)(?:RecStart). Go's expressions search forwards only, so every
// method reads the block from its start: --regexp is the slow path, as in
// GNU parallel.
type regexpCutter struct {
	re *regexp.Regexp
}

func (c *regexpCutter) each(b []byte, fn func(p int) bool) {
	for _, m := range c.re.FindAllSubmatchIndex(b, -1) {
		if p := m[3]; p > 0 && !fn(p) {
			return
		}
	}
}

func (c *regexpCutter) last(b []byte) int {
	last := -1
	c.each(b, func(p int) bool { last = p; return true })
	return last
}

// first looks for matches from from on: a cut's match starts after the
// cut before it.
func (c *regexpCutter) first(b []byte, from int) int {
	s := max(from, 0)
	for s <= len(b) {
		m := c.re.FindSubmatchIndex(b[s:])
		if m == nil {
			return -1
		}
		if p := s + m[3]; p > from && p > 0 {
			return p
		}
		s += max(m[1], 1)
	}
	return -1
}

func (c *regexpCutter) nth(b []byte, n int) (int, int) {
	k, pos := 0, -1
	c.each(b, func(p int) bool {
		k++
		if k == n {
			pos = p
			return false
		}
		return true
	})
	if pos < 0 {
		return -1, k
	}
	return pos, n
}

// csvCutter cuts after the newlines that end CSV records: those with an
// even number of quotes before them, counted from the block's start.
type csvCutter struct{}

// each calls fn with every cut in b, in order, until fn returns false.
func (csvCutter) each(b []byte, fn func(p int) bool) {
	quoted := false
	for i, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			if !fn(i + 1) {
				return
			}
		}
	}
}

func (c csvCutter) last(b []byte) int {
	last := -1
	c.each(b, func(p int) bool { last = p; return true })
	return last
}

func (c csvCutter) first(b []byte, from int) int {
	pos := -1
	c.each(b, func(p int) bool {
		if p > from {
			pos = p
			return false
		}
		return true
	})
	return pos
}

func (c csvCutter) nth(b []byte, n int) (int, int) {
	k, pos := 0, -1
	c.each(b, func(p int) bool {
		k++
		if k == n {
			pos = p
			return false
		}
		return true
	})
	if pos < 0 {
		return -1, k
	}
	return pos, n
}

// lineCutter makes records of so many lines, counted from the block's
// start (-L).
type lineCutter int

func (c lineCutter) last(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	keep := n / int(c) * int(c)
	if keep == 0 {
		return -1
	}
	// The cut is after the keep-th newline: walk back over the others.
	p := len(b)
	for k := n; k >= keep; k-- {
		p = bytes.LastIndexByte(b[:p], '\n')
	}
	return p + 1
}

func (c lineCutter) first(b []byte, from int) int {
	k := bytes.Count(b[:min(from, len(b))], []byte{'\n'})
	want := (k/int(c) + 1) * int(c)
	// A cut exactly at from has k a multiple: it is not after from.
	p, _ := c.nth(b, want/int(c))
	return p
}

func (c lineCutter) nth(b []byte, n int) (int, int) {
	p := 0
	for k := 0; k < n*int(c); k++ {
		i := bytes.IndexByte(b[p:], '\n')
		if i < 0 {
			return -1, k / int(c)
		}
		p += i + 1
	}
	return p, n
}

// anyCutter cuts anywhere: there is no record separator.
type anyCutter struct{}

func (anyCutter) last(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return len(b)
}

func (anyCutter) first(b []byte, from int) int {
	if from+1 > len(b) {
		return -1
	}
	return from + 1
}

func (anyCutter) nth(b []byte, n int) (int, int) {
	if n > len(b) {
		return -1, len(b)
	}
	return n, n
}
