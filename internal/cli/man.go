package cli

//go:generate sh -c "go run ../../cmd/fanout --plain --man > ../../doc/fanout.1"

import (
	"fmt"
	"strings"
	"sync"
)

// Man is the manual page that --man prints, in roff (man(7)). Its
// options come from the table the parser reads, like --help's, with their
// aliases, and its list of what is not supported from the refusal table;
// doc/fanout.1 is a copy that go generate writes and a test keeps current.
var Man = sync.OnceValue(func() string {
	var b strings.Builder
	b.WriteString(manHead)
	topic := ""
	for _, o := range optIndex().options() {
		if o.flag == nil {
			continue
		}
		if o.flag.topic != topic {
			topic = o.flag.topic
			fmt.Fprintf(&b, ".SS %s\n", roff(topic))
		}
		manOption(&b, o)
	}
	b.WriteString(manMiddle)
	manRefusals(&b)
	b.WriteString(manTail)
	return b.String()
})

// manOption writes one option's entry: its names and value in bold and
// italics, what it does, and its other spellings.
func manOption(b *strings.Builder, o *knownOption) {
	f := o.flag
	var names []string
	for _, n := range f.names {
		names = append(names, `\fB`+roff(n)+`\fR`)
	}
	head := strings.Join(names, ", ")
	if f.arg != "" {
		head += ` \fI` + roff(f.arg) + `\fR`
	}
	doc := upperFirst(f.doc)
	if !strings.HasSuffix(doc, ".") {
		doc += "."
	}
	fmt.Fprintf(b, ".TP\n%s\n%s\n", head, roff(doc))
	if extra := o.names[len(f.names):]; len(extra) > 0 {
		fmt.Fprintf(b, "Also spelt %s.\n", roff(strings.Join(extra, ", ")))
	}
}

// manRefusals lists the refused options under their reasons: those not
// supported yet, those of other machines, then the others in the order
// they first appear.
func manRefusals(b *strings.Builder) {
	reasons := []string{whyNotYet, whyRemote}
	byReason := map[string][]string{whyNotYet: nil, whyRemote: nil}
	for _, r := range refusals {
		if _, ok := byReason[r.reason]; !ok {
			reasons = append(reasons, r.reason)
		}
		byReason[r.reason] = append(byReason[r.reason], strings.Join(strings.Fields(r.names), ", "))
	}
	for _, reason := range reasons {
		if len(byReason[reason]) == 0 {
			continue
		}
		fmt.Fprintf(b, ".TP\n%s:\n%s\n", roff(reason), roff(strings.Join(byReason[reason], "; ")))
	}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// roff escapes text for a roff line: backslashes, minus signs (which
// roff would otherwise print as hyphens, breaking copied options), and a
// leading dot or quote that would make the line a request.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, `-`, `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

var manHead = `.TH FANOUT 1 "" "` + Version + `" "User Commands"
.SH NAME
fanout \- run a command many times, at most N at once
.SH SYNOPSIS
.B fanout
[\fIoptions\fR] [\fIcommand\fR [\fIarguments\fR]] (\fB:::\fR \fIvalues\fR | \fB::::\fR \fIfiles\fR)...
.br
\&... | \fBfanout\fR [\fIoptions\fR] [\fIcommand\fR [\fIarguments\fR]]
.SH DESCRIPTION
\fBfanout\fR runs the command once per input, at most N at a time, with the
command line syntax and semantics of GNU \fBparallel\fR(1).
Without a replacement string in the command the inputs are appended; without
a command each input is a command.
.SS Input sources
.TP
\fB:::\fR \fIvalues\fR
Values given on the command line; several sources give every combination.
.TP
\fB::::\fR \fIfiles\fR
Values read from files, \fB\-\fR for standard input.
.TP
\fB:::+\fR, \fB::::+\fR
Pair this source with the previous one.
.PP
Without a source, values are read from standard input, one a line.
.SS Replacement strings
.TP
\fB{}\fR, \fB{.}\fR, \fB{/}\fR, \fB{//}\fR, \fB{/.}\fR
The value; without its extension; its basename; its dirname; its basename
without extension.
.TP
\fB{\fR\fIn\fR\fB}\fR, \fB{\fR\fIn\fR\fB.}\fR, \fB{\fR\fIn\fR\fB/}\fR, ...
The \fIn\fRth value (or column), with the same modifiers; \fB{\-\fR\fIn\fR\fB}\fR counts from the end.
.TP
\fB{#}\fR, \fB{%}\fR
The job's sequence number; its job slot.
.SH OPTIONS
A long option may be abbreviated to any prefix that no other option
shares, and written in any case (\fB\-\-KEEP\fR is \fB\-\-keep\-order\fR);
its value follows \fB=\fR or is the next word.
Short options bundle (\fB\-kj4\fR); one that takes a value takes the rest
of the word.
The options end at the first word that is not one, or at \fB\-\-\fR.
`

const manMiddle = `.SH DEFAULTS
Options are read, in this order, before those of the command line, which
come last and so win:
.IP 1. 4
The profile files: \fI/etc/parallel/config\fR, then \fIconfig\fR in each
of \fB$PARALLEL_HOME\fR, \fB$XDG_CONFIG_HOME\fR/parallel, each of
\fB$XDG_CONFIG_DIRS\fR/parallel and \fI~/.parallel\fR, then
\fI~/.parallelrc\fR, each if it exists.
With \fB\-J\fR \fINAME\fR (or \fB\-\-profile\fR, given on the command line,
repeatable) the file \fINAME\fR in each of those directories is read
instead, or the path \fINAME\fR when it starts with \fB/\fR or \fB./\fR.
.IP 2. 4
\fB$PARALLEL\fR, then \fB$PARALLEL_CSH\fR.
.PP
A profile holds options as \fB$PARALLEL\fR does, split into words as a
shell splits them, any number on a line; lines that start with \fB#\fR and
blank lines are skipped.
The words after a profile's options (a command such as \fBnice\fR) come
before the command line's command.
\fB\-\-plain\fR reads neither profiles nor \fB$PARALLEL\fR.
.SH NOT SUPPORTED
These options of GNU parallel are refused with their reason and exit
status 255, rather than called unknown:
`

const manTail = `.SH EXIT STATUS
.TP
.B 0
Every job succeeded.
.TP
.B 1\-100
That many jobs failed.
.TP
.B 101
More than 100 jobs failed.
.TP
.BI 128+ N
Stopped by signal \fIN\fR; \fB141\fR when standard output was closed.
.TP
.B 255
Any other error: an unknown or refused option, an unreadable input file, a
broken template; one line on standard error names the problem.
.SH SIGNALS
SIGTERM or SIGHUP start no more jobs and let running ones finish; SIGINT,
SIGQUIT or a second SIGTERM terminate them with their term sequence.
Ctrl\-Z stops the jobs, \fBfg\fR continues them.
.SH ENVIRONMENT
.TP
.B PARALLEL
Default options, before those of the command line.
.TP
.B PARALLEL_HOME
Where profiles are looked for first.
.TP
.B PARALLEL_SHELL
The shell that runs shell lines; else the shell fanout was started from,
else \fBSHELL\fR, else \fI/bin/sh\fR.
.TP
.B TMPDIR
Where large output waits, unless \fB\-\-tmpdir\fR says.
.SH SEE ALSO
\fBparallel\fR(1), \fBxargs\fR(1)
`
