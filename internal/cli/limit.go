package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/fanoutdev/fanout/internal/replace"
)

// limitCheck is --limit: a command run before a job starts, and on
// admission's ticker, whose exit status says what to do, as in GNU
// parallel: 0 start the job, 1 wait (start none now), 2 terminate the
// youngest job. Any other status waits too, with a warning, once.
type limitCheck struct {
	shell  string
	script string
	spec   string // as given, for messages
	c      *console

	tmp string // the built-in io check's measurement; empty: none

	mu     sync.Mutex // one run at a time
	warned bool
}

// close removes the measurement file, if there is one.
func (l *limitCheck) close() {
	if l != nil && l.tmp != "" {
		os.Remove(l.tmp)
		os.Remove(l.tmp + ".new")
	}
}

// newLimitCheck builds --limit's command. GNU parallel's three built-in
// checks are known by their first word: "mem SIZE" (wait with less than
// SIZE free; terminate the youngest with less than half), "load N" (wait
// while more than N processes run) and "io N" (wait while a disk is more
// than N% busy, by iostat); anything else is a shell command line.
func newLimitCheck(spec, shell string, c *console) (*limitCheck, error) {
	l := &limitCheck{shell: shell, script: spec, spec: spec, c: c}
	words := strings.Fields(spec)
	if len(words) == 0 {
		return nil, usageError{errors.New("--limit needs a command, such as \"mem 1G\" or \"load 4\"")}
	}
	builtin, ok := limitScripts[words[0]]
	if !ok {
		return l, nil
	}
	if len(words) != 2 {
		return nil, usageError{fmt.Errorf("--limit %q: give %s one number, such as %q", spec, words[0], words[0]+" 4")}
	}
	n, err := ParseSize("--limit "+words[0], words[1])
	if err != nil {
		return nil, usageError{err}
	}
	tmp := filepath.Join(os.TempDir(), "fanout-limit-"+strconv.Itoa(os.Getpid()))
	if words[0] == "io" {
		l.tmp = tmp
	}
	l.script = strings.NewReplacer("LIMIT", strconv.FormatInt(n, 10), "TMP", string(replace.AppendQuote(nil, tmp))).Replace(builtin)
	return l, nil
}

// limitScripts are the built-in checks, LIMIT their number and TMP a file
// name of this run's. "io" measures in the background, for a second, and
// judges by the last measurement, so that a check does not take a second.
var limitScripts = map[string]string{
	"mem": `awk '/^(MemFree|Buffers|Cached|SwapCached):/ { kb += $2 }
		END { free = kb * 1024; if (free < LIMIT / 2) exit 2; exit (free < LIMIT) }' /proc/meminfo`,
	"load": `ps ax -o state= -o command= | awk '$1 ~ /^[DOR]/ && $2 !~ /^\[/ { n++ } END { exit (n > LIMIT) }'`,
	"io": `(LANG=C iostat -dx 1 2 > TMP.new 2>/dev/null && mv TMP.new TMP) </dev/null >/dev/null 2>&1 &
		test -e TMP || exit 1
		awk '/^Device/ { max = 0; on = 1; next } on && NF { if ($NF + 0 > max) max = $NF + 0 } END { exit (max > LIMIT) }' TMP`,
}

// run runs the check and returns its exit status; a check that cannot run
// at all waits (1), with a warning once.
func (l *limitCheck) run() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	cmd := exec.Command(l.shell, "-c", l.script)
	// GNU parallel tells the check which machine it is for: this one.
	cmd.Env = append(os.Environ(), "SSHLOGIN=:")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		code = -1
	}
	if code < 0 || code > 2 {
		if !l.warned {
			l.warned = true
			why := fmt.Sprintf("exited with %d", code)
			if code < 0 {
				why = oneLine(err)
			}
			l.c.warnf("warning: --limit %q: %s (0 starts a job, 1 waits, 2 terminates the youngest): waiting", l.spec, why)
		}
		return 1
	}
	return code
}
