package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/fanoutdev/fanout/internal/input"
)

// openInputs builds the input stream from the sources in command-line
// order; with none, standard input is read.
func openInputs(o *Options, c *console) (input.Source, func(), error) {
	var f input.Format
	f.Null = o.Null
	f.MaxRecord = maxRecord
	// GNU parallel warns of every such record.
	f.NUL = func() {
		c.warnf(`warning: a NUL character in the input was replaced with \0: NUL cannot be passed through in the argument list; did you mean to use the --null option?`)
	}
	f.EOF, f.SkipEmpty = o.EOF, o.NoRunIfEmpty
	f.Continue = o.MaxLinesSet && o.MaxLines > 0
	stdin := c.In
	if o.Delim != "" {
		if err := f.SetDelim(o.Delim); err != nil {
			return nil, nil, usageError{err}
		}
	}
	f.Trim = o.Trim
	if o.Colsep != "" {
		re, err := regexp.Compile(o.Colsep)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--colsep %q: %v", o.Colsep, err)}
		}
		f.Colsep = re
	}
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	if len(o.Sources) == 0 {
		return input.Reader(stdin, "stdin", f), closeAll, nil
	}
	var groups [][]input.Source
	for i, spec := range o.Sources {
		var src input.Source
		switch spec.Kind {
		case ArgsList:
			src = input.Args(spec.Values, f)
		default:
			if spec.Path == "-" {
				src = input.Reader(stdin, "stdin", f)
				break
			}
			s, c, err := openFile(spec, f)
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			closers = append(closers, c)
			src = s
		}
		if i > 0 && (spec.Linked || o.Link) {
			groups[len(groups)-1] = append(groups[len(groups)-1], src)
		} else {
			groups = append(groups, []input.Source{src})
		}
	}
	if len(groups) == 1 && len(groups[0]) == 1 {
		return groups[0][0], closeAll, nil
	}
	if o.Link {
		return input.Combine(groups), closeAll, nil // --link wraps the shorter sources
	}
	return input.CombineShortest(groups), closeAll, nil // :::+ stops at the shortest
}

// openFile opens a file source, past its first line for SkipFirst.
func openFile(spec SourceSpec, f input.Format) (input.Source, io.Closer, error) {
	if !spec.SkipFirst {
		return input.Open(spec.Path, f)
	}
	file, err := os.Open(spec.Path)
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReader(file)
	_, err = r.ReadSlice('\n')
	for err == bufio.ErrBufferFull { // a #! line longer than the buffer
		_, err = r.ReadSlice('\n')
	}
	if err != nil && err != io.EOF {
		file.Close()
		return nil, nil, fmt.Errorf("read %s: %w", spec.Path, err)
	}
	return input.Reader(r, spec.Path, f), file, nil
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
