package cli

import (
	"fmt"
	"io"
	"regexp"
	"sync"

	"github.com/fanoutdev/fanout/internal/input"
)

// openInputs builds the input stream from the sources in command-line
// order; with none, standard input is read.
func openInputs(o *Options, c *console) (input.Source, func(), error) {
	var f input.Format
	f.Null = o.Null
	f.MaxRecord = maxLine - 1 // the limit counts an argument's closing NUL
	f.NUL = sync.OnceFunc(func() {
		c.warnf(`warning: a NUL byte in the input was replaced with \0, as no argument can hold one; did you mean -0 (--null)?`)
	})
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
			s, c, err := input.Open(spec.Path, f)
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

// maxLine is the longest single argument Linux passes to a program
// (MAX_ARG_STRLEN); a shell line is one argument to sh -c.
const maxLine = 128 << 10

// batch packs several records into one job for -n, -N, -X and -m.
func batch(o *Options, src input.Source, slots int) input.Source {
	return input.Batch(src, packing(o, slots))
}

// packing is how -n, -N, -X and -m pack records into jobs; -X and -m share
// a short input among the job slots.
func packing(o *Options, slots int) input.Packing {
	p := input.Packing{Max: o.MaxArgs}
	if o.MaxReplaceArgsSet {
		p.Max = o.MaxReplaceArgs
	}
	if o.Xargs || o.M {
		p.Spread = slots
		if p.Max == 0 {
			p.Max = 1 << 30
			p.MaxBytes = maxLine - 4096
		}
	}
	return p
}
