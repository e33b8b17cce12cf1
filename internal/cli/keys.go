package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/fanoutdev/fanout/internal/perl"
	"github.com/fanoutdev/fanout/internal/pipe"
	"github.com/fanoutdev/fanout/internal/replace"
)

// recordKey is the key of a line that --group-by, --shard and --bin take:
// "COLUMN", "COLUMN perl-expression" or "perl-expression", as GNU
// parallel's column_perlexpr reads it. COLUMN is a number or a name in the
// header (the input's first line); the expression runs with $_ set to the
// column (or the whole line) and the key is $_ after it.
type recordKey struct {
	opt  string // the option, for errors
	spec string
	sep  *regexp.Regexp
	col  int    // with hasCol
	name string // a column named in the header, resolved by resolve
	expr string
	// hasCol: the key is a column; byName: named, looked up in the
	// header once it is read.
	hasCol, byName bool
	column         func(line []byte) []byte
	awk            bool // columns split as perl splits at ' ' (--shard, --bin)

	env    func(string) string
	interp *perl.Interp
	mu     sync.Mutex
	job    replace.PerlJob
	err    error // the expression failed: no more keys
}

var (
	columnNumber = regexp.MustCompile(`^(-?\d+)(\s|$)`)
	columnName   = regexp.MustCompile(`(?i)^([a-z0-9_]+)(\s+|$)`)
	columnFirst  = regexp.MustCompile(`(?i)^[-a-z0-9_]+(\s|$)`)
	// namedColumn is GNU parallel's test for a key that names a column,
	// which makes the input's first line its header.
	namedColumn = regexp.MustCompile(`(?i)^[a-z_][a-z_0-9]*(\s|$)`)
)

// parseKey reads a --group-by, --shard or --bin argument; colsep is the
// column separator (a regular expression).
func parseKey(opt, spec, colsep string, env func(string) string) (*recordKey, error) {
	sep, err := regexp.Compile(colsep)
	if err != nil {
		return nil, usageError{fmt.Errorf("--colsep %q: %v", colsep, err)}
	}
	k := &recordKey{opt: opt, spec: spec, sep: sep, env: env}
	rest := spec
	if columnFirst.MatchString(rest) {
		if m := columnNumber.FindStringSubmatch(rest); m != nil {
			k.col, _ = strconv.Atoi(m[1])
			k.hasCol = true
			rest = rest[len(m[0]):]
		} else if m := columnName.FindStringSubmatch(rest); m != nil {
			k.name, k.byName, k.hasCol = m[1], true, true
			rest = rest[len(m[0]):]
		}
	}
	k.expr = rest
	if k.hasCol && !k.byName {
		k.column = pipe.ColumnKey(sep, k.col)
	}
	if strings.TrimSpace(k.expr) != "" {
		if err := k.startPerl(); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// needsHeader reports whether the input's first line is the header, as
// GNU parallel takes it when the key names a column.
func (k *recordKey) needsHeader() bool { return namedColumn.MatchString(k.spec) }

// resolve looks the named column up in the header: the header split at
// the column separator, its last name with the line's newline, as in GNU
// parallel.
func (k *recordKey) resolve(header []byte) error {
	if !k.byName {
		return nil
	}
	var names []string
	for i, f := range k.sep.Split(string(header), -1) {
		if f == k.name {
			k.col = i + 1
			k.column = pipe.ColumnKey(k.sep, k.col)
			if k.awk {
				k.column = pipe.AwkColumnKey(k.col)
			}
			return nil
		}
		names = append(names, strconv.Quote(f))
	}
	return usageError{fmt.Errorf("%s %q: no column %q in the header (its columns: %s): name one of them, or give the column's number", k.opt, k.spec, k.name, strings.Join(names, ", "))}
}

// startPerl starts the process that runs the expression.
func (k *recordKey) startPerl() error {
	in, err := perl.Start([]string{k.expr}, perl.Config{Path: k.env("PATH")})
	if err != nil {
		return usageError{fmt.Errorf("%s %q: %v", k.opt, k.spec, err)}
	}
	k.interp = in
	k.job.Calls = []replace.Call{{Expr: 0, Arg: 0}}
	k.job.Values = make([]string, 1)
	return nil
}

// close ends the expression's process.
func (k *recordKey) close() {
	if k.interp != nil {
		k.interp.Close()
	}
}

// key returns the key of line. After the expression failed it returns
// nil, and Err says why.
func (k *recordKey) key(line []byte) []byte {
	v := line
	if k.column != nil {
		v = k.column(line)
	} else if k.hasCol {
		return nil // a name not resolved: the header was not read
	}
	if k.interp == nil {
		return v
	}
	// The expression runs once per line: a round trip to perl, the slow
	// path GNU parallel's own filter is too.
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return nil
	}
	k.job.Values[0] = string(v)
	if err := k.interp.Eval(&k.job); err != nil {
		k.err = fmt.Errorf("%s %q: %w", k.opt, k.spec, err)
		return nil
	}
	return []byte(k.job.Results[0].Value)
}

// Err reports the expression's failure, if it failed.
func (k *recordKey) Err() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}
