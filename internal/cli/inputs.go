package cli

import (
	"fmt"
	"io"
	"regexp"
	"unicode/utf8"

	"github.com/fanoutdev/fanout/internal/input"
)

// sources are the input sources of a run, opened in command-line order,
// before they are combined: --header and --skip-first-line read the first
// line of each on its own.
type sources struct {
	list []input.Source
	// joins says a source is linked with the one before it (:::+, ::::+,
	// --link), in its group of the combinations.
	joins []bool
	close func()
}

// openInputs builds the input stream from the sources in command-line
// order; with none, standard input is read.
func openInputs(o *Options, c *console) (input.Source, func(), error) {
	in, err := openSources(o, c)
	if err != nil {
		return nil, nil, err
	}
	return in.combine(o), in.close, nil
}

// inputFormat is how every source of the run splits its records.
func inputFormat(o *Options, c *console) (input.Format, error) {
	var f input.Format
	f.Null = o.Null
	f.MaxRecord = maxRecord
	// GNU parallel warns of every such record.
	f.NUL = func() {
		c.warnf(`warning: a NUL character in the input was replaced with \0: NUL cannot be passed through in the argument list; did you mean to use the --null option?`)
	}
	f.EOF, f.SkipEmpty = o.EOF, o.NoRunIfEmpty
	f.Continue = o.MaxLinesSet && o.MaxLines > 0
	if o.Delim != "" {
		if err := f.SetDelim(o.Delim); err != nil {
			return f, usageError{err}
		}
	}
	f.Trim = o.Trim
	re, err := colsepFor(o)
	if err != nil {
		return f, err
	}
	f.Colsep = re
	if o.CSV {
		// Text::CSV, which GNU parallel's --csv uses, takes the first
		// character of --colsep; the columns are trimmed only where
		// --colsep was given, as GNU parallel decides that first.
		f.CSV, f.CSVSep = true, ","
		if o.Colsep != "" {
			_, n := utf8.DecodeRuneInString(o.Colsep)
			f.CSVSep = o.Colsep[:n]
		}
		if f.Trim == input.TrimDefault && o.Colsep != "" {
			f.Trim = input.TrimBoth
		}
	}
	if f.Trim == input.TrimDefault && o.Colsep == "" {
		// --header's columns are split at tabs, but not trimmed: --colsep
		// implies --trim lr in GNU parallel, the tab --header implies does
		// not.
		f.Trim = input.TrimNone
	}
	return f, nil
}

// colsepFor is the pattern that splits records into columns: --colsep,
// or what --csv (a comma) or --header (a tab) imply without it; nil
// splits none.
func colsepFor(o *Options) (*regexp.Regexp, error) {
	sep := o.Colsep
	switch {
	case sep != "":
	case o.CSV:
		sep = ","
	case o.argHeader():
		sep = "\t"
	default:
		return nil, nil
	}
	re, err := regexp.Compile(sep)
	if err != nil {
		return nil, usageError{fmt.Errorf("--colsep %q: %v", o.Colsep, err)}
	}
	return re, nil
}

// openSources opens the input sources in command-line order; with none,
// standard input is the one.
func openSources(o *Options, c *console) (*sources, error) {
	f, err := inputFormat(o, c)
	if err != nil {
		return nil, err
	}
	in := &sources{}
	var closers []io.Closer
	in.close = func() {
		for _, c := range closers {
			c.Close()
		}
	}
	if len(o.Sources) == 0 {
		in.list, in.joins = []input.Source{input.Reader(c.In, "stdin", f)}, []bool{false}
		return in, nil
	}
	for i, spec := range o.Sources {
		var src input.Source
		switch {
		case spec.Kind == ArgsList:
			src = input.Args(spec.Values, f)
		case spec.Path == "-":
			src = input.Reader(c.In, "stdin", f)
		default:
			s, c, err := input.Open(spec.Path, f)
			if err != nil {
				in.close()
				return nil, err
			}
			closers = append(closers, c)
			src = s
		}
		in.list = append(in.list, src)
		in.joins = append(in.joins, i > 0 && (spec.Linked || o.Link))
	}
	return in, nil
}

// combine makes one stream of the sources' records: every combination of
// the groups, the sources of a group linked.
func (in *sources) combine(o *Options) input.Source {
	var groups [][]input.Source
	for i, src := range in.list {
		if in.joins[i] {
			groups[len(groups)-1] = append(groups[len(groups)-1], src)
		} else {
			groups = append(groups, []input.Source{src})
		}
	}
	if len(groups) == 1 && len(groups[0]) == 1 {
		return groups[0][0]
	}
	if o.Link {
		return input.Combine(groups) // --link wraps the shorter sources
	}
	return input.CombineShortest(groups) // :::+ stops at the shortest
}

// maxRecord is the longest record read: no longer one fits any line, as
// Linux passes no longer argument to a program (MAX_ARG_STRLEN, its
// closing NUL included), and a delimiter that never comes must not make a
// record read into memory without end.
const maxRecord = 128<<10 - 1

// batch packs records into jobs for -n, -N, -L, -X and -m, and holds every
// line to maxLen.
func batch(o *Options, pl *plan, src input.Source, slots, maxLen int) input.Source {
	p := packing(o, slots)
	p.MaxLen = maxLen
	p.Meter = pl.meter(slots)
	return input.Batch(src, p)
}

// packing is how -n, -N, -L, -X, -m and --xargs pack records into jobs; -X
// and -m share a short input among the job slots. Their counts win over
// -L's, as in GNU parallel.
func packing(o *Options, slots int) input.Packing {
	p := input.Packing{Max: 1}
	switch {
	case o.MaxReplaceArgsSet:
		p.Max = o.MaxReplaceArgs
	case o.MaxArgsSet:
		p.Max = o.MaxArgs
	case o.MaxLinesSet:
		p.Max = o.MaxLines
	case o.Xargs || o.M || o.XargsMode:
		p.Max = 0 // as many as fit
	}
	if p.Max == 0 && !(o.Xargs || o.M || o.XargsMode) {
		p.Max = 1 // -n0, -N0, -L 0: one record each, none on the line
	}
	if o.Xargs || o.M {
		p.Spread = slots
	}
	return p
}

// packs reports whether a job may hold several records.
func packs(o *Options) bool { return packing(o, 1).Max != 1 }
