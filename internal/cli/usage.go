package cli

import (
	"strings"
	"sync"
)

// Version is printed by --version.
var Version = "fanout 0.1.0"

const usageHead = `usage: fanout [options] [command [arguments]] (::: values | :::: files)...
       ... | fanout [options] [command [arguments]]

Runs the command once per input, at most N at a time. Without {} in the
command the inputs are appended; without a command each input is a command.

Input sources
  ::: values            values given on the command line (several: every combination)
  :::: files            values read from files, - for standard input
  :::+ / ::::+          pair this source with the previous one

Replacement strings
  {} {.} {/} {//} {/.}  value; without extension; basename; dirname; basename without extension
  {n} {n.} {n/} ...     the nth value (or column), with the same modifiers; {-n} from the end
  {#} {%}               job sequence number; job slot
`

const usageTail = `
Signals: SIGTERM or SIGHUP start no more jobs; SIGINT, SIGQUIT or a second
SIGTERM terminate the running ones; Ctrl-Z stops them, fg continues them.
Exit status: 0 all jobs succeeded; 1-100 that many failed; 101 more than 100
failed; 128+N stopped by signal N; 141 standard output closed; 255 any other
error. Shell lines run with $PARALLEL_SHELL, else the shell fanout was
started from, else $SHELL, else /bin/sh. $PARALLEL holds default options.
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

// usageLine is f's line: its names and value, then what it does, in a
// column of its own where the names leave room.
func usageLine(f flagSpec) string {
	left := "  " + strings.Join(f.names, ", ")
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
