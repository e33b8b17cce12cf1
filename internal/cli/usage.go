package cli

import (
	"strings"
	"sync"
)

// Version is printed by --version.
var Version = "fanout 0.1.0"

// GNUVersion is the version of GNU parallel whose behaviour fanout
// follows, which --minversion prints and compares.
const GNUVersion = "20221122"

const usageHead = `usage: fanout [options] [command [arguments]] (::: values | :::: files)...
       ... | fanout [options] [command [arguments]]

Runs the command once per input, at most N at a time. Without {} in the
command the inputs are appended; without a command each input is a command.

Input sources
  ::: values            values on the command line (several: every combination)
  :::: files            values read from files, - for standard input
  :::+ / ::::+          pair this source with the previous one

Replacement strings
  {} {.}                value; value without its extension
  {/} {//} {/.}         basename; dirname; basename without extension
  {n} {n.} {n/} ...     value n (or column n), with modifiers; {-n} from the end
  {#} {%}               job sequence number; job slot
`

const usageTail = `
Long options may be abbreviated (--keep). $PARALLEL and the profiles hold
default options (fanout --man: DEFAULTS). GNU parallel's options that
fanout lacks are refused with the reason (fanout --man: NOT SUPPORTED).
Signals: SIGTERM or SIGHUP start no more jobs; SIGINT, SIGQUIT or a second
SIGTERM terminate the running ones; Ctrl-Z stops them, fg continues them.
Exit status: 0 all jobs succeeded; 1-100 that many failed; 101 more than 100
failed; 128+N stopped by signal N; 141 standard output closed; 255 any other
error. Shell lines run with $PARALLEL_SHELL, else the shell fanout was
started from, else $SHELL, else /bin/sh.
`

// Usage is printed by --help. Its option lines come from the table the
// parser reads, one line per option with all its names.
var Usage = sync.OnceValue(func() string {
	var b strings.Builder
	b.WriteString(usageHead)
	topic := ""
	for _, f := range flags {
		if f.topic != topic {
			topic = f.topic
			b.WriteString("\n" + topic + "\n")
		}
		b.WriteString(usageLine(f))
	}
	b.WriteString(usageTail)
	return b.String()
})

// usageLine is f's line: its first short and first long name and its
// value, then what it does, in a column of its own where the names leave
// room. The other names are in the manual page.
func usageLine(f flagSpec) string {
	left := "  " + strings.Join(shownNames(f), ", ")
	if f.arg != "" {
		left += " " + f.arg
	}
	const col = 24
	if len(left) < col-1 {
		left += strings.Repeat(" ", col-len(left))
	} else {
		left += "  "
	}
	return left + f.doc + "\n"
}

// shownNames are the names --help shows for f: its first short one and
// its first long one.
func shownNames(f flagSpec) []string {
	var short, long string
	for _, n := range f.names {
		if len(n) == 2 && short == "" {
			short = n
		} else if len(n) > 2 && long == "" {
			long = n
		}
	}
	var names []string
	for _, n := range []string{short, long} {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}
