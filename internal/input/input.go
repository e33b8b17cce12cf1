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
	// NUL, if set, is called for every record that holds a NUL byte
	// (with a delimiter other than NUL), as GNU parallel warns of each.
	// No argument can hold one, so each is replaced by the two characters
	// \0, as GNU parallel does.
	NUL func()
	// DelimString is a delimiter of several bytes (-d '\r\n', -d ::); it
	// wins over Delim and Null. SetDelim sets it.
	DelimString string
	// EOF, when not empty, is the end-of-file string (-E): a record equal
	// to it ends its source, which is read no further. The empty string
	// sets none, as -E '' does in GNU parallel.
	EOF string
	// SkipEmpty leaves out records that are empty or all white space (-r).
	SkipEmpty bool
	// Continue joins a record that ends in white space with the next one
	// (-L, -l), as xargs continues a line that ends in a blank.
	Continue bool
	// CSV splits each record as CSV (--csv, see SplitCSV) instead of with
	// Colsep, CSVSep between the fields (empty: ","). A record whose
	// quotes are not balanced goes on after its delimiter, which it keeps,
	// as a quoted field may hold newlines.
	CSV    bool
	CSVSep string
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
// zero Delim means "not set"; one of several bytes sets DelimString.
func (f *Format) SetDelim(s string) error {
	d, err := ParseDelim(s)
	if err != nil {
		return err
	}
	if len(d) > 1 {
		f.DelimString = d
		return nil
	}
	f.Delim = d[0]
	if d[0] == 0 {
		f.Null = true
	}
	return nil
}

// splitter is a Format prepared once per source.
type splitter struct {
	delim  byte
	dstr   string // the whole delimiter when it has several bytes; delim is its last
	trim   Trim
	colsep *regexp.Regexp
	lit    string // colsep, when it is plain text
	max    int    // MaxRecord; 0 for no limit
	nul    func() // Format.NUL
	csv    bool
	csvSep string
	rules  rules
}

func (f Format) splitter() splitter {
	s := splitter{delim: '\n', trim: f.Trim, colsep: f.Colsep, max: max(f.MaxRecord, 0), nul: f.NUL,
		csv: f.CSV, csvSep: f.CSVSep,
		rules: rules{eof: f.EOF, skipEmpty: f.SkipEmpty, cont: f.Continue, csv: f.CSV}}
	switch {
	case len(f.DelimString) > 1:
		s.dstr = f.DelimString
		s.delim = f.DelimString[len(f.DelimString)-1]
	case f.Delim != 0:
		s.delim = f.Delim
	case f.Null:
		s.delim = 0
	}
	s.rules.delim = s.dstr
	if s.dstr == "" {
		s.rules.delim = string(s.delim)
	}
	if s.trim == TrimDefault {
		s.trim = TrimNone
		if f.Colsep != nil && !f.CSV {
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
// substrings of rec, so a record costs one string and one slice. Only a
// record that is not CSV (Format.CSV) fails.
func (s *splitter) record(rec string) ([]string, error) {
	if (s.delim != 0 || s.dstr != "") && strings.IndexByte(rec, 0) >= 0 {
		rec = strings.ReplaceAll(rec, "\x00", `\0`)
		if s.nul != nil {
			s.nul()
		}
	}
	var cols []string
	switch {
	case s.csv:
		var err error
		if cols, err = SplitCSV(rec, s.csvSep); err != nil {
			return nil, err
		}
	case s.colsep == nil:
		return []string{trim(rec, s.trim)}, nil
	case s.lit != "":
		cols = strings.Split(rec, s.lit)
	default:
		cols = splitPerl(s.colsep, rec)
	}
	if s.trim != TrimNone {
		for i, c := range cols {
			cols[i] = trim(c, s.trim)
		}
	}
	return cols, nil
}

// csvError names the input and shows the record of a CSV error.
func csvError(name, rec string, err error) error {
	if len(rec) > 60 {
		rec = rec[:60] + "..."
	}
	return fmt.Errorf("input %s: %q: %w", name, rec, err)
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

// ParseDelim turns the -d argument into the delimiter, as GNU parallel
// reads it: \t, \n and \r, three digits \NNN and one digit \D as octal
// escapes (\0 and \000 are NUL; perl reads "\8" and "\9" as the digits),
// each kind replaced throughout in that order; anything else, other
// backslashes included, is literal. A delimiter may have several bytes.
func ParseDelim(s string) (string, error) {
	if s == "" {
		return "", errors.New(`-d "": the delimiter is empty; give one or more characters`)
	}
	s = strings.ReplaceAll(s, `\t`, "\t")
	s = strings.ReplaceAll(s, `\n`, "\n")
	s = strings.ReplaceAll(s, `\r`, "\r")
	var err error
	s = octalEscapes(s, 3, &err)
	s = octalEscapes(s, 1, &err)
	if err != nil {
		return "", fmt.Errorf("-d: %w", err)
	}
	return s, nil
}

// octalEscapes replaces each backslash followed by n digits the way perl
// evaluates "\ddd": the leading octal digits (up to three) are a byte, the
// other digits stay.
func octalEscapes(s string, n int, errp *error) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+n >= len(s) || !allDigits(s[i+1:i+1+n]) {
			b.WriteByte(s[i])
			continue
		}
		digits := s[i+1 : i+1+n]
		k := 0
		for k < len(digits) && digits[k] <= '7' {
			k++
		}
		if k == 0 {
			b.WriteString(digits) // "\8" is "8"
		} else {
			v, _ := strconv.ParseUint(digits[:k], 8, 16)
			if v > 0xff {
				*errp = fmt.Errorf(`\%s is not a byte`, digits)
			}
			b.WriteByte(byte(v))
			b.WriteString(digits[k:])
		}
		i += n
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rules are -E, -r and -L's continuation, applied to the records of one
// source in GNU parallel's order: the end-of-file string is looked for
// first, then a continued record is joined, then blank records are left
// out, then a record ending in a blank waits for the next.
type rules struct {
	eof       string
	skipEmpty bool
	cont      bool
	// csv goes on past a delimiter while a quoted field is open, keeping
	// the delimiter, which is delim.
	csv     bool
	delim   string
	pending string
	held    bool // pending holds a record to continue
	quoted  bool // pending ends inside a quoted field, its delimiter kept
}

// active reports whether any rule applies, so that sources without them
// skip the loop.
func (r *rules) active() bool { return r.eof != "" || r.skipEmpty || r.cont || r.csv }

// next returns the next whole record from raw; stop says the end-of-file
// string was met, so the source must read no further.
func (r *rules) next(raw func() (string, error)) (rec string, stop bool, err error) {
	for {
		rec, err := raw()
		if err != nil {
			if errors.Is(err, io.EOF) && r.held {
				r.held = false
				return r.unheld(), false, nil
			}
			return "", false, err
		}
		// GNU parallel looks at a CSV record's quotes before anything
		// else, the end-of-file string included.
		if r.csv && oddQuotes(rec) != r.quoted {
			if !r.held {
				r.pending = ""
			}
			r.pending += rec + r.delim
			r.held, r.quoted = true, true
			continue
		}
		r.quoted = false
		if r.eof != "" && rec == r.eof {
			if r.held {
				r.held = false
				return r.unheld(), true, nil
			}
			return "", true, io.EOF
		}
		if r.held {
			rec, r.held = r.pending+rec, false
		}
		if r.skipEmpty && blank(rec) {
			continue
		}
		if r.cont && rec != "" && isSpace(rec[len(rec)-1]) {
			r.pending, r.held = rec, true
			continue
		}
		return rec, false, nil
	}
}

// unheld is the record held when its source ends, or its end-of-file
// string comes: CSV lines joined so far lose the delimiter kept after the
// last, as GNU parallel chomps it.
func (r *rules) unheld() string {
	r.quoted = false
	if r.csv {
		return strings.TrimSuffix(r.pending, r.delim)
	}
	return r.pending
}

func blank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// Args returns a source over the values of a ::: list. As in GNU parallel,
// the list is read as if it were a file holding each value followed by the
// delimiter: a value holding the delimiter (a newline, by default) makes
// several records, and one ending in it makes an empty last record. The
// end-of-file string, -r, continuation, Colsep and trimming apply to the
// records.
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
	var rec string
	if l.sp.rules.active() {
		var stop bool
		var err error
		rec, stop, err = l.sp.rules.next(l.raw)
		if stop {
			l.err, l.values, l.inRest = io.EOF, nil, false
		}
		if err != nil {
			l.err = err
			return nil, err
		}
	} else {
		var err error
		if rec, err = l.raw(); err != nil {
			return nil, err
		}
	}
	l.n++
	// A value is in memory already, but one that cannot run is refused
	// the same way as from a file.
	if l.sp.max > 0 && len(rec) > l.sp.max {
		l.err = longRecord(":::", l.n, l.sp.max)
		return nil, l.err
	}
	vals, err := l.sp.record(rec)
	if err != nil {
		l.err = csvError(":::", rec, err)
		return nil, l.err
	}
	return vals, nil
}

// raw returns the next record of the list, before any rule.
func (l *list) raw() (string, error) {
	if !l.inRest {
		if len(l.values) == 0 {
			return "", io.EOF
		}
		l.rest, l.inRest = l.values[0], true
		l.values = l.values[1:]
	}
	rec := l.rest
	i, n := strings.IndexByte(rec, l.sp.delim), 1
	if l.sp.dstr != "" {
		i, n = strings.Index(rec, l.sp.dstr), len(l.sp.dstr)
	}
	if i >= 0 {
		rec, l.rest = rec[:i], rec[i+n:]
	} else {
		l.inRest = false
	}
	return rec, nil
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
	if !r.sp.rules.active() {
		rec, err := r.raw()
		if err != nil {
			return nil, err
		}
		return r.values(rec)
	}
	rec, stop, err := r.sp.rules.next(r.raw)
	if stop {
		r.err = io.EOF
	}
	if err != nil {
		r.err = err
		return nil, err
	}
	if r.sp.max > 0 && len(rec) > r.sp.max {
		r.err = longRecord(r.name, r.n, r.sp.max)
		return nil, r.err
	}
	return r.values(rec)
}

// values splits a record read whole.
func (r *reader) values(rec string) ([]string, error) {
	vals, err := r.sp.record(rec)
	if err != nil {
		r.err = csvError(r.name, rec, err)
		return nil, r.err
	}
	return vals, nil
}

// raw reads the next record, its delimiter removed, before any rule.
func (r *reader) raw() (string, error) {
	if r.err != nil {
		return "", r.err
	}
	r.n++
	chunk, err := r.br.ReadSlice(r.sp.delim)
	if err == nil && (r.sp.max == 0 || len(chunk)-1 <= r.sp.max) && (r.sp.dstr == "" || hasSuffix(chunk, r.sp.dstr)) {
		// The common case: the record fits the buffer and is copied once.
		return string(chunk[:len(chunk)-len(r.delim())]), nil
	}
	long := r.long[:0]
	for errors.Is(err, bufio.ErrBufferFull) || err == nil && r.sp.dstr != "" && !hasSuffix(long, r.sp.dstr) {
		long = append(long, chunk...)
		if r.sp.max > 0 && len(long) > r.sp.max+len(r.delim()) || err == nil && hasSuffix(long, r.sp.dstr) {
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
	case err == nil && r.sp.dstr != "":
		if !hasSuffix(long, r.sp.dstr) {
			break // over the limit
		}
		long = long[:len(long)-len(r.sp.dstr)]
	case err == nil:
		long = append(long, chunk[:len(chunk)-1]...)
	case err == io.EOF:
		r.err = io.EOF
		long = append(long, chunk...)
		if len(long) == 0 {
			return "", io.EOF
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
		return "", r.err
	}
	if r.sp.max > 0 && len(long) > r.sp.max {
		r.err = longRecord(r.name, r.n, r.sp.max)
		return "", r.err
	}
	return string(long), nil
}

// delim is the delimiter a record read whole ends in.
func (r *reader) delim() string {
	if r.sp.dstr != "" {
		return r.sp.dstr
	}
	return "\n" // one byte; only the length counts
}

func hasSuffix(b []byte, suffix string) bool {
	return len(b) >= len(suffix) && string(b[len(b)-len(suffix):]) == suffix
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
