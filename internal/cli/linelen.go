package cli

import (
	"fmt"
	"io"
)

// The command line length limit, as GNU parallel finds it: it runs
// `echo ccc...` through /bin/sh with longer and longer lines, and packs
// lines (-X, -m, -s) to a bit under half of the longest that ran, keeping
// room for its own wrapping. fanout finds the same number without running
// anything: it asks the same question of the system's rules for exec (see
// acceptableLine), and searches the same way, so that both pack the same
// values into each line.

// realMaxLength is the longest command line the system runs, as GNU
// parallel's --max-line-length-allowed prints it.
func realMaxLength(env func(string) string) int {
	e := probeEnv(env)
	ok := func(n int) bool { return acceptableLine(n, e) }
	// GNU parallel's find_max: grow by 16 from 324 while lines run, then
	// search between the last that ran and the first that did not.
	const upper = 100_000_000
	n, lower := 324, 0
	for {
		if n > upper {
			return n
		}
		lower = n
		n *= 16
		if !ok(n) {
			break
		}
	}
	return binaryFindMax(lower, n, ok)
}

// binaryFindMax is GNU parallel's search, stopping as it does within 1%.
func binaryFindMax(lower, upper int, ok func(int) bool) int {
	for !(lower == upper || lower == upper-1 || float64(lower)/float64(upper) > 0.99) {
		middle := (upper-lower)/2 + lower
		if ok(middle) {
			lower = middle
		} else {
			upper = middle
		}
	}
	return lower
}

// probeLine is what GNU parallel adds to the line of its probe: it runs
// "/bin/sh -c '<line> && true'".
const probeLine = len(" && true")

// probeEnv is the size of the environment GNU parallel's probe runs with:
// only these variables are kept.
func probeEnv(env func(string) string) (e probeSize) {
	for _, k := range []string{"PATH", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "KRB5CCNAME", "LC_CTYPE", "HOME", "LOGNAME", "SSHPASS"} {
		if env == nil {
			break
		}
		if v := env(k); v != "" {
			e.size += len(k) + 1 + len(v) + 1
			e.count++
		}
	}
	return e
}

// probeSize is the size of an environment: its strings, NULs included,
// and how many there are.
type probeSize struct{ size, count int }

// usableLength is the limit lines are packed to: GNU parallel's "usable
// size", less than half the longest line, or -s when that is smaller. A
// larger -s is refused with GNU parallel's warning.
func usableLength(o *Options, real int, c *console) int {
	usable := (real - 3000) / 2
	if o.MaxChars > 0 {
		if o.MaxChars <= usable {
			return o.MaxChars
		}
		c.warnf("warning: value for option -s should be < %d", usable)
	}
	return usable
}

// showLimits prints --show-limits, in GNU parallel's words; the run goes on.
func showLimits(w io.Writer, real, usable int) {
	fmt.Fprintf(w, "Maximal size of command: %d\nMaximal usable size of command: %d\n\n"+
		"Execution will continue now, and it will try to read its input\n"+
		"and run commands; if this is not what you wanted to happen, please\n"+
		"press CTRL-D or CTRL-C\n", real, usable)
}
