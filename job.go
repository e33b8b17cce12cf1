package fanout

import (
	"io"
	"strings"
	"time"
)

// Job describes one external command. Its zero value is not runnable: set
// Args or Shell. Command and ShellCommand build the common cases.
type Job struct {
	// Args holds the program and its arguments, run directly without a
	// shell. It is ignored when Shell is set.
	Args []string

	// Shell is a command line run by the Runner's shell (default /bin/sh) as
	// `sh -c Shell`. Values spliced into it must be quoted by the caller.
	Shell string

	// Path is the program to execute. Empty means Args[0] looked up in
	// $PATH; set it to skip the look-up when many jobs run one program.
	Path string

	// Dir is the working directory; empty means the current one.
	Dir string

	// Env is the environment; nil means the environment of this process.
	Env []string

	// Stdin is the job's standard input; nil means /dev/null. An *os.File
	// is handed to the process as it is.
	Stdin io.Reader

	// Stdout and Stderr say where output goes while the job runs. Nil means
	// captured into the Result (in memory up to the pool's CaptureLimit,
	// then in a temporary file). An *os.File is handed to the process as
	// it is, so the bytes never pass through this process. Any other
	// writer receives the bytes as they are read.
	Stdout, Stderr io.Writer

	// Timeout, if positive, terminates the job's process group with the
	// pool's term sequence once the job has run that long.
	Timeout time.Duration

	// Attempts, if positive, is how many times in all this job runs while
	// it fails, instead of the Pool's Attempts; Prepare may set it. The
	// output of a failed attempt is not delivered, but a Pool streams
	// output (Pool.Stream) only when its own Attempts is at most one: give
	// such a Pool Attempts above one for jobs that retry.
	Attempts int

	// Prepare, if set, is called by the worker about to run the job, with
	// the job's sequence number and slot, before anything starts. It may
	// fill in Args, Shell and the streams: a command that names the slot
	// running it (GNU parallel's {%}) can only be rendered here. An error
	// fails the job without running it, as Result.Err.
	Prepare func(job *Job, seq int64, slot int) error

	// Data is carried untouched to the Result, for the caller's own use
	// (for instance the input values a job was made from).
	Data any
}

// Command returns a job that runs name with args directly, without a shell.
func Command(name string, args ...string) *Job {
	return &Job{Args: append([]string{name}, args...)}
}

// ShellCommand returns a job that runs line with `/bin/sh -c`.
func ShellCommand(line string) *Job {
	return &Job{Shell: line}
}

// String returns the command as a shell would read it: Shell as it is, or
// Args joined by spaces with each argument quoted where needed.
func (j *Job) String() string {
	if j.Shell != "" {
		return j.Shell
	}
	var b strings.Builder
	for i, a := range j.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(a))
	}
	return b.String()
}

// quote is a minimal POSIX shell quoting for display.
func quote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_+.,/:@%=", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
