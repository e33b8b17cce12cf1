package cli

import (
	"errors"
	"strings"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/replace"
	"github.com/fanoutdev/fanout/internal/report"
)

// reportFor starts --report: the file is written at once, so that a path
// that cannot be written stops the run before its first job. It returns
// nil without --report.
func reportFor(o *Options, start time.Time) (*report.File, error) {
	if o.Report == "" {
		return nil, nil
	}
	c := report.NewCollector(start)
	c.Command = func(j *fanout.Job) string { return string(dataOf(j).line) }
	f := &report.File{Path: o.Report, Collector: c, Command: commandLine(o.argv)}
	if err := f.Start(); err != nil {
		return nil, errors.New(oneLine(err) + "; give --report a file in a writable directory")
	}
	return f, nil
}

// commandLine is argv as a shell would take it back; words such as :::
// and {} that need no quotes get none.
func commandLine(argv []string) string {
	b := []byte("fanout")
	for _, a := range argv {
		b = append(b, ' ')
		if a != "" && strings.Trim(a, plainWord) == "" {
			b = append(b, a...)
			continue
		}
		b = replace.AppendQuote(b, a)
	}
	return string(b)
}

// plainWord are the bytes that mean nothing special to a shell (braces
// expand in bash only around a comma, which is not among them).
const plainWord = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+%@{}"
