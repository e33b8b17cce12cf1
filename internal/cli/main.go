package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Exit statuses, as GNU parallel documents them.
const (
	ExitOK = 0
	// 1-100: the number of jobs that failed.
	ExitManyFailed = 101 // more than 100 jobs failed
	ExitError      = 255 // bad usage, unreadable input, a broken template, ...
)

// Main runs fanout with the given arguments (without argv[0]) and returns
// its exit status. Nothing below it exits the process. Signals arriving on
// sigs are handled as GNU parallel does (see interrupts): SIGTERM and
// SIGHUP stop new jobs from starting and let running ones finish; SIGINT,
// SIGQUIT or a second SIGTERM terminate the running jobs. Either way the
// exit status is 128 plus the signal number.
func Main(args []string, s Streams, env func(string) string, sigs <-chan os.Signal) int {
	c := newConsole(s)
	opts, err := Parse(args, env)
	if err != nil {
		return outcome{err: usageError{err}}.exit(c)
	}
	opts.argv = args
	for _, w := range opts.Warnings {
		c.warnf("%s", w)
	}
	switch {
	case opts.Help:
		io.WriteString(s.Out, Usage())
		return ExitOK
	case opts.Version:
		io.WriteString(s.Out, Version+"\n")
		return ExitOK
	case opts.MinVersionSet:
		// As GNU parallel: the version it is, and failure if older than
		// asked, whatever else the command line says.
		io.WriteString(s.Out, GNUVersion+"\n")
		if gnu, _ := strconv.ParseInt(GNUVersion, 10, 64); gnu < opts.MinVersion {
			return ExitError
		}
		return ExitOK
	case opts.Citation:
		return printCitation(s.Out)
	case opts.RecordEnv:
		return outcome{err: recordEnv(env, os.Environ())}.exit(c)
	case opts.Semaphore:
		return semaphore(opts, c, env, sigs)
	case opts.NumberOf != "":
		printCPUs(s.Out, opts.NumberOf)
		return ExitOK
	case opts.MaxLineLength:
		fmt.Fprintln(s.Out, realMaxLength(env))
		return ExitOK
	case opts.Man:
		io.WriteString(s.Out, Man())
		return ExitOK
	case opts.Completion != "":
		script, err := Completion(opts.Completion, env)
		if err != nil {
			return outcome{err: usageError{err}}.exit(c)
		}
		io.WriteString(s.Out, script)
		return ExitOK
	}
	return run(opts, c, env, sigs).exit(c)
}

// usageError marks errors caused by the command line itself; a hint to
// --help follows them.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// oneLine keeps a message to the single line the user is promised.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// isUsage reports whether err is the command line's fault.
func isUsage(err error) bool { return errors.As(err, new(usageError)) }
