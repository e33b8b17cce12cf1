package cli

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The progress line runs on the same console as the jobs' output and the
// warnings, from other goroutines: in-process, with a stderr in memory
// that says it is a terminal, the race detector sees into all of it. Each
// job's stderr line comes out whole, after a cleared line, and stdout
// never gets a byte of the line.
func TestProgressSharesTheConsole(t *testing.T) {
	t.Parallel()
	for _, opt := range []string{"--bar", "--eta", "--progress"} {
		t.Run(opt, func(t *testing.T) {
			t.Parallel()
			var out, errw bytes.Buffer
			env := func(k string) string {
				if k == "PARALLEL_SHELL" {
					return "/bin/sh"
				}
				return os.Getenv(k)
			}
			args := []string{"-j4", opt, "--timeout", "30", "echo out {}; echo err {} >&2"}
			args = append(args, ":::")
			for i := 1; i <= 40; i++ {
				args = append(args, fmt.Sprint(i))
			}
			code := Main(args, Streams{Out: &out, Err: &errw, OutIsTerminal: false, ErrIsTerminal: true}, env, nil)
			if code != 0 {
				t.Fatalf("exit %d:\n%q", code, errw.String())
			}
			if strings.ContainsAny(out.String(), "\r\x1b") {
				t.Errorf("stdout has the progress line in it: %q", out.String())
			}
			stderr := errw.String()
			for i := 1; i <= 40; i++ {
				line := fmt.Sprintf("err %d\n", i)
				at := strings.Index(stderr, line)
				if at < 0 {
					t.Fatalf("%q is not whole in stderr: %q", line, stderr)
				}
				if before := stderr[:at]; !strings.HasSuffix(before, "\r\x1b[K") && !strings.HasSuffix(before, "\n") {
					t.Errorf("%q follows %q", line, before[max(0, len(before)-20):])
				}
			}
			last := regexp.MustCompile(`(100% 40:0=0s \d+ *\x1b\[0m\x1b\[0m|ETA: 0s Left: 0 AVG: [0-9.]+s  local:0/40/100%/[0-9.]+s |local:0/40/100%/[0-9.]+s )\n$`)
			if !last.MatchString(stderr) {
				t.Errorf("stderr does not end with the last line: %q", stderr[max(0, len(stderr)-120):])
			}
		})
	}
}
