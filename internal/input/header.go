package input

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
)

// FirstRecord reads the next record of a source made by Args, Reader or
// Open as it is, before -E, -r, continuation, Colsep or CSV apply: the
// line GNU parallel's --header names the columns with, and the one
// --skip-first-line leaves out. ok is false when the source has no more
// records. Any other source is an error, as it has no raw records.
func FirstRecord(src Source) (rec string, ok bool, err error) {
	var raw func() (string, error)
	switch s := src.(type) {
	case *list:
		raw = s.raw
	case *reader:
		raw = s.raw
	default:
		return "", false, fmt.Errorf("input: %T has no first line to read", src)
	}
	rec, err = raw()
	if errors.Is(err, io.EOF) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return rec, true, nil
}

// Columns splits a header line into the names of its columns at sep, as
// Perl's split(/sep/, line) does, which GNU parallel uses for --header:
// unlike a record's columns, empty names at the end are dropped, and an
// empty line names none.
func Columns(sep *regexp.Regexp, line string) []string {
	cols := splitPerl(sep, line)
	for len(cols) > 0 && cols[len(cols)-1] == "" {
		cols = cols[:len(cols)-1]
	}
	return cols
}

// Shuffle reads every record of src and returns a source of them in a
// random order (--shuf), as GNU parallel reads all of its input and
// shuffles it before the first job starts. A read error is returned at
// once, before any record.
func Shuffle(src Source) (Source, error) {
	var all [][]string
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		all = append(all, rec)
	}
	rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return &records{recs: all}, nil
}

// records is a source of records held in memory.
type records struct {
	recs [][]string
}

func (r *records) Next() ([]string, error) {
	if len(r.recs) == 0 {
		return nil, io.EOF
	}
	rec := r.recs[0]
	r.recs[0] = nil // not kept once returned
	r.recs = r.recs[1:]
	return rec, nil
}
