package input

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCSV is wrapped by the error for a record that is not one line of
// CSV (--csv).
var ErrCSV = errors.New("not valid CSV")

// csvFix is what to do about a record that is not CSV.
const csvFix = `a field with a quote (") or a line break in it must be quoted whole, its quotes doubled`

// SplitCSV splits one record of CSV (RFC 4180) into its fields, sep
// between them, as GNU parallel's --csv does with Perl's Text::CSV in its
// binary mode: a field may be quoted with ", which lets it hold the
// separator, newlines and "" for one quote; an unquoted field may hold no
// quote, CR or LF; nothing may follow a closing quote but the separator or
// the end. The empty record is one empty field. An empty sep means ",".
// The returned error tells only where the record went wrong; the caller
// names the input.
func SplitCSV(rec, sep string) ([]string, error) {
	if sep == "" {
		sep = ","
	}
	if rec == "" {
		return []string{""}, nil
	}
	var fields []string
	for i := 0; ; {
		var f string
		var err error
		if strings.HasPrefix(rec[i:], `"`) {
			f, i, err = quotedField(rec, i+1)
		} else {
			f, i, err = plainField(rec, i, sep)
		}
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
		if i == len(rec) {
			return fields, nil
		}
		if !strings.HasPrefix(rec[i:], sep) {
			return nil, fmt.Errorf("%w: byte %d follows a closing quote; %s", ErrCSV, i+1, csvFix)
		}
		i += len(sep) // at the end, an empty last field follows
	}
}

// plainField reads the unquoted field at rec[i:], up to the separator or
// the end, and returns it and where it ended.
func plainField(rec string, i int, sep string) (string, int, error) {
	end := strings.Index(rec[i:], sep)
	if end < 0 {
		end = len(rec)
	} else {
		end += i
	}
	f := rec[i:end]
	if k := strings.IndexAny(f, "\"\r\n"); k >= 0 {
		fix := csvFix
		if f[k] == '\r' {
			fix = `lines that end in CR LF need -d '\r\n'`
		}
		return "", 0, fmt.Errorf("%w: byte %d is %q in an unquoted field; %s", ErrCSV, i+k+1, f[k], fix)
	}
	return f, end, nil
}

// quotedField reads the quoted field whose text starts at rec[i:], after
// its opening quote, and returns it and where it ended, past the closing
// quote.
func quotedField(rec string, i int) (string, int, error) {
	var b strings.Builder
	for {
		k := strings.IndexByte(rec[i:], '"')
		if k < 0 {
			return "", 0, fmt.Errorf("%w: the quoted field at byte %d has no closing quote; %s", ErrCSV, i, csvFix)
		}
		b.WriteString(rec[i : i+k])
		i += k + 1
		if i < len(rec) && rec[i] == '"' {
			b.WriteByte('"')
			i++
			continue
		}
		return b.String(), i, nil
	}
}

// oddQuotes reports whether s holds an odd number of quotes: a CSV record
// that has read so far is not over, its last field is still quoted.
func oddQuotes(s string) bool {
	return strings.Count(s, `"`)%2 == 1
}
