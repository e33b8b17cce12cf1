package cli

import (
	"errors"
	"fmt"
	"strings"
)

// shebang is what a script's #! line asked for: fanout named there gets
// the rest of the line as one word, then the script's path, then the
// script's own arguments.
type shebang struct {
	wrap bool // --shebang-wrap: the script is a program, run once per argument
	// file is the script whose lines after the first are the input
	// (--shebang); "" for --shebang-wrap.
	file string
}

// shebangPrefixes are the spellings GNU parallel takes at the start of its
// first argument, longest first: "--shebang" is a prefix of the others.
var shebangPrefixes = []struct {
	name string
	wrap bool
}{{"--shebang-wrap", true}, {"--shebangwrap", true}, {"--shebang", false}, {"--hashbang", false}}

// fromShebang rewrites a command line that a #! line gave, as GNU parallel
// does: its first word holds the options, split here as a shell would.
//
//	#!/usr/bin/fanout --shebang -r echo    ./script   -> -a ./script -r echo
//	#!/usr/bin/fanout --shebang-wrap -k /bin/sh ./script a b
//	                                             -> -k /bin/sh ./script ::: a b
//
// With --shebang the script is the input, less its #! line; with
// --shebang-wrap it is run once per argument given to it. A command line
// that does not start so is returned as it is, with nil.
func fromShebang(args []string) ([]string, *shebang, error) {
	if len(args) == 0 {
		return args, nil, nil
	}
	var sb *shebang
	rest := ""
	for _, p := range shebangPrefixes {
		if r, ok := strings.CutPrefix(args[0], p.name); ok && (r == "" || r[0] == ' ') {
			sb, rest = &shebang{wrap: p.wrap}, strings.TrimLeft(r, " ")
			break
		}
	}
	if sb == nil {
		return args, nil, nil
	}
	words, err := splitWords(rest)
	if err != nil {
		return nil, nil, fmt.Errorf("the #! line %q: %v", args[0], err)
	}
	if len(args) < 2 {
		return nil, nil, errors.New(args[0] + " takes its options from a script's #! line, and the script's name after them; put it first on the #! line of a script")
	}
	if sb.wrap {
		out := append(words, args[1], ":::")
		return append(out, args[2:]...), sb, nil
	}
	// As GNU parallel does, the last word is the script: the script's own
	// arguments, if any, come before it as more options or command words.
	sb.file = args[len(args)-1]
	out := append([]string{"-a", sb.file}, words...)
	return append(out, args[1:len(args)-1]...), sb, nil
}

// apply marks what parsing the rewritten command line gave: the script,
// the first source, is read past its #! line (--skip-first-line, as GNU
// parallel gives itself); with --shebang-wrap and --pipe, the script's
// arguments are files to read, as in GNU parallel.
func (sb *shebang) apply(o *Options) {
	if sb == nil {
		return
	}
	if !sb.wrap {
		o.SkipFirstLine = true
		return
	}
	if !o.Pipe.On() || len(o.Sources) == 0 {
		return
	}
	last := o.Sources[len(o.Sources)-1]
	o.Sources = o.Sources[:len(o.Sources)-1]
	for _, v := range last.Values {
		o.Sources = append(o.Sources, SourceSpec{Kind: File, Path: v})
	}
}
