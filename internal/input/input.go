// Package input reads GNU parallel's argument sources (::: lists, ::::
// files, -a files, standard input) as a lazy stream of records, combines
// several sources (every combination, or linked with --link, :::+ and
// ::::+), and packs records into jobs (-n, -N, -X, -m).
//
// Everything is pulled one record at a time, so the first job can start
// before standard input ends and a single streamed source is read in
// constant memory, however long it is.
package input

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Source yields records: the input values for one job before batching.
// Next returns io.EOF at the end; the sources of this package then repeat
// their error (or io.EOF) on every later call. A returned slice is the
// caller's to keep: sources allocate a new one for every record and do not
// look at it again.
type Source interface {
	Next() ([]string, error)
}

// Format holds the splitting options shared by every source of one run,
// since GNU parallel applies -d, -0, --colsep and --trim to all of them.
type Format struct {
	// Delim is the record delimiter (-d). The zero value means '\n'
	// unless Null is set; a NUL delimiter is therefore expressed with
	// Null, which SetDelim does.
	Delim byte
	// Null makes NUL the delimiter (-0, --null). An explicit Delim wins,
	// as -d does over -0 in GNU parallel whatever their order.
	Null bool
	// Colsep, if set, splits each record into columns (--colsep), with
	// Perl's split semantics as GNU parallel uses them.
	Colsep *regexp.Regexp
	// Trim removes white space around each value (--trim). The zero
	// value follows GNU parallel: both ends with Colsep, else nothing.
	Trim Trim
	// MaxRecord, if positive, is the longest record in bytes, delimiter
	// not counted: a longer one is an error, and its source reads no
	// further. A record longer than the longest argument the system passes
	// to a program can never run, and one whose delimiter never comes
	// would otherwise be read into memory without end. Zero means no
	// limit.
	MaxRecord int
	// NUL, if set, is called once per source for the first record that
	// holds a NUL byte (with a delimiter other than NUL). No argument can
	// hold one, so each is replaced by the two characters \0, as GNU
	// parallel does; NUL lets the caller warn about it.
	NUL func()
}

// ErrLongRecord is wrapped by the error for a record longer than the
// Format's MaxRecord; its text says what to do about it.
var ErrLongRecord = errors.New("more than a command line can hold: pass such data on the command's standard input instead, or check the delimiter (-d, -0)")

// longRecord is the error for record n of the named input.
func longRecord(name string, n int64, limit int) error {
	return fmt.Errorf("input %s: record %d is longer than %d bytes, %w", name, n, limit, ErrLongRecord)
}

// Trim says which ends of a value lose their white space.
type Trim uint8

// The --trim settings. TrimDefault lets Colsep decide, because --colsep
// implies --trim rl in GNU parallel.
const (
	TrimDefault Trim = iota
	TrimNone
	TrimLeft
	TrimRight
	TrimBoth
)

// ParseTrim turns the --trim argument (n, l, r, lr or rl) into a Trim.
func ParseTrim(s string) (Trim, error) {
	switch s {
	case "n":
		return TrimNone, nil
	case "l":
		return TrimLeft, nil
	case "r":
		return TrimRight, nil
	case "lr", "rl":
		return TrimBoth, nil
	}
	return 0, fmt.Errorf("--trim %q: must be one of n, l, r, lr, rl", s)
}

// SetDelim parses a -d argument into f. A NUL delimiter sets Null, since a
// zero Delim means "not set".
func (f *Format) SetDelim(s string) error {
	d, err := ParseDelim(s)
	if err != nil {
		return err
	}
	f.Delim = d
	if d == 0 {
		f.Null = true
	}
	return nil
}

// splitter is a Format prepared once per source.
type splitter struct {
	delim  byte
	trim   Trim
	colsep *regexp.Regexp
	lit    string // colsep, when it is plain text
	max    int    // MaxRecord; 0 for no limit
	nul    func() // Format.NUL, until called
}

func (f Format) splitter() splitter {
	s := splitter{delim: '\n', trim: f.Trim, colsep: f.Colsep, max: max(f.MaxRecord, 0), nul: f.NUL}
	switch {
	case f.Delim != 0:
		s.delim = f.Delim
	case f.Null:
		s.delim = 0
	}
	if s.trim == TrimDefault {
		s.trim = TrimNone
		if f.Colsep != nil {
			s.trim = TrimBoth
		}
	}
	if f.Colsep != nil {
		s.lit = literal(f.Colsep)
	}
	return s
}

// literal returns the text re matches if it matches nothing else, so that
// the common separators need no regexp machinery. regexp's LiteralPrefix
// cannot tell: it calls `^,\z` complete.
func literal(re *regexp.Regexp) string {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return ""
	}
	t = t.Simplify()
	if t.Op != syntax.OpLiteral || t.Flags&syntax.FoldCase != 0 {
		return ""
	}
	lit := string(t.Rune)
	// The regexp matches U+FFFD against invalid UTF-8 too.
	if strings.ContainsRune(lit, utf8.RuneError) {
		return ""
	}
	return lit
}

// record turns the text of one record into its values. The values are
// substrings of rec, so a record costs one string and one slice.
func (s *splitter) record(rec string) []string {
	if s.delim != 0 && strings.IndexByte(rec, 0) >= 0 {
		rec = strings.ReplaceAll(rec, "\x00", `\0`)
		if s.nul != nil {
			s.nul()
			s.nul = nil
		}
	}
	if s.colsep == nil {
		return []string{trim(rec, s.trim)}
	}
	var cols []string
	if s.lit != "" {
		cols = strings.Split(rec, s.lit)
	} else {
		cols = splitPerl(s.colsep, rec)
	}
	if s.trim != TrimNone {
		for i, c := range cols {
			cols[i] = trim(c, s.trim)
		}
	}
	return cols
}

// splitPerl splits s like Perl's split(/re/, s, -1), which GNU parallel
// uses for --colsep. It differs from regexp.Split in one place: a
// zero-width match at the very end still ends a field, so `split //,
// "abc", -1` gives "a", "b", "c", "". An empty record is one empty column,
// as GNU parallel special-cases it.
//
// One difference from Perl remains, for separators that prefer an empty
// match where they could also match text (`b*?`): where an empty match is
// not allowed, right after the previous one, Perl backtracks to the longer
// match and RE2 moves on a byte.
func splitPerl(re *regexp.Regexp, s string) []string {
	if s == "" {
		return []string{""}
	}
	ms := re.FindAllStringIndex(s, -1)
	out := make([]string, 0, len(ms)+1)
	beg := 0
	for _, m := range ms {
		if m[1] == 0 {
			// Perl makes no leading empty field of a zero-width match.
			continue
		}
		out = append(out, s[beg:m[0]])
		beg = m[1]
	}
	return append(out, s[beg:])
}

// isSpace is Perl's \s on bytes (GNU parallel trims with it): no Unicode
// spaces, since parallel reads bytes.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v':
		return true
	}
	return false
}

func trim(s string, t Trim) string {
	if t == TrimLeft || t == TrimBoth {
		for len(s) > 0 && isSpace(s[0]) {
			s = s[1:]
		}
	}
	if t == TrimRight || t == TrimBoth {
		for len(s) > 0 && isSpace(s[len(s)-1]) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// ParseDelim turns the -d argument into a delimiter byte. It accepts what
// GNU parallel turns into one byte: a single byte, \n, \t, \r, a single
// digit \D and three octal digits \NNN (\0 and \000 are NUL). GNU parallel
// reads other escapes (\\, \a, \e, \x2c) literally, as several bytes, and
// splits on that string; a delimiter of several bytes is refused rather
// than silently splitting on something else.
func ParseDelim(s string) (byte, error) {
	if len(s) == 1 {
		return s[0], nil
	}
	if len(s) >= 2 && s[0] == '\\' {
		switch esc := s[1:]; {
		case esc == "n":
			return '\n', nil
		case esc == "t":
			return '\t', nil
		case esc == "r":
			return '\r', nil
		case len(esc) == 1 && esc[0] >= '0' && esc[0] <= '9':
			// Perl reads "\8" and "\9" as the digits themselves.
			if esc[0] >= '8' {
				return esc[0], nil
			}
			return esc[0] - '0', nil
		case len(esc) == 3:
			if n, err := strconv.ParseUint(esc, 8, 8); err == nil {
				return byte(n), nil
			}
		}
	}
	return 0, fmt.Errorf("-d %q: a delimiter must be one character", s)
}

// Args returns a source over the values of a ::: list. As in GNU parallel,
// each value is read as if it were a file holding the value and one
// delimiter: a value holding the delimiter (a newline, by default) makes
// several records, and one ending in it makes an empty last record. Colsep
// and trimming apply to each record.
func Args(values []string, f Format) Source {
	return &list{values: values, sp: f.splitter()}
}

type list struct {
	values []string
	sp     splitter
	rest   string // the part of values[0] after the record returned last
	inRest bool
	n      int64 // records returned
	err    error
}

func (l *list) Next() ([]string, error) {
	if l.err != nil {
		return nil, l.err
	}
	if !l.inRest {
		if len(l.values) == 0 {
			return nil, io.EOF
		}
		l.rest, l.inRest = l.values[0], true
		l.values = l.values[1:]
	}
	rec := l.rest
	if i := strings.IndexByte(rec, l.sp.delim); i >= 0 {
		rec, l.rest = rec[:i], rec[i+1:]
	} else {
		l.inRest = false
	}
	l.n++
	// A value is in memory already, but one that cannot run is refused
	// the same way as from a file.
	if l.sp.max > 0 && len(rec) > l.sp.max {
		l.err = longRecord(":::", l.n, l.sp.max)
		return nil, l.err
	}
	return l.sp.record(rec), nil
}

// Reader returns a source that streams the records of r, for a :::: file,
// an -a file or standard input. The last record may lack its delimiter;
// an empty input has no records. Bytes pass through untouched, as in GNU
// parallel: a CR before the newline stays part of the value; only a NUL
// byte, which no argument can hold, becomes \0 (see Format.NUL). Read
// errors name the input.
func Reader(r io.Reader, name string, f Format) Source {
	return newReader(r, name, f, 64<<10)
}

func newReader(r io.Reader, name string, f Format, size int) *reader {
	return &reader{br: bufio.NewReaderSize(r, size), name: name, sp: f.splitter()}
}

type reader struct {
	br   *bufio.Reader
	name string
	sp   splitter
	long []byte // a record longer than the buffer, being assembled
	n    int64  // records read
	err  error
}

// keepLong bounds the assembly buffer kept between records, so that one
// huge record does not pin its memory for the rest of the input.
const keepLong = 1 << 20

func (r *reader) Next() ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.n++
	chunk, err := r.br.ReadSlice(r.sp.delim)
	if err == nil && (r.sp.max == 0 || len(chunk)-1 <= r.sp.max) {
		// The common case: the record fits the buffer and is copied once.
		return r.sp.record(string(chunk[:len(chunk)-1])), nil
	}
	long := r.long[:0]
	for errors.Is(err, bufio.ErrBufferFull) {
		long = append(long, chunk...)
		if r.sp.max > 0 && len(long) > r.sp.max {
			break
		}
		chunk, err = r.br.ReadSlice(r.sp.delim)
	}
	if cap(long) <= keepLong {
		r.long = long
	} else {
		r.long = nil
	}
	switch {
	case err == nil:
		long = append(long, chunk[:len(chunk)-1]...)
	case err == io.EOF:
		r.err = io.EOF
		long = append(long, chunk...)
		if len(long) == 0 {
			return nil, io.EOF
		}
	case errors.Is(err, bufio.ErrBufferFull):
		// Over the limit with no delimiter in sight: stop here.
	default:
		// An *os.File names itself; the name given here is the one the
		// user wrote.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		r.err = fmt.Errorf("input %s: %w", r.name, err)
		return nil, r.err
	}
	if r.sp.max > 0 && len(long) > r.sp.max {
		r.err = longRecord(r.name, r.n, r.sp.max)
		return nil, r.err
	}
	return r.sp.record(string(long)), nil
}

// Open opens a :::: or -a file; "-" is standard input, which is not
// closed. Errors are one line naming the file.
func Open(path string, f Format) (Source, io.Closer, error) {
	if path == "-" {
		return Reader(os.Stdin, "stdin", f), nopCloser{}, nil
	}
	file, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("input file %s: %v", path, err)
	}
	// GNU parallel reads a directory as an empty file; that is surely a
	// mistake, so say so instead of running nothing.
	if st, err := file.Stat(); err == nil && st.IsDir() {
		file.Close()
		return nil, nil, fmt.Errorf("input file %s: is a directory", path)
	}
	return Reader(file, path, f), file, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
