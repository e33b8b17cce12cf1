package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-Z (SIGTSTP) stops the running jobs, which are out of the terminal's
// reach in their own process groups, then fanout; SIGCONT continues them.
func TestCtrlZStopsAndContinuesJobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The job's shell becomes sleep rather than starting it: a shell
	// stopped while it vforks a child waits for that child, stopped too,
	// in an uninterruptible state (D), and never shows as stopped itself.
	cmd, stderr, _ := startFanout(t, dir, "-j2", `echo $$ > pid_{}.tmp && mv pid_{}.tmp pid_{} && exec sleep 30`, ":::", "a", "b")
	go io.Copy(io.Discard, stderrReader(stderr))
	waitFiles(t, filepath.Join(dir, "pid_a"), filepath.Join(dir, "pid_b"))
	jobs := []int{readPid(t, filepath.Join(dir, "pid_a")), readPid(t, filepath.Join(dir, "pid_b"))}
	cmd.Process.Signal(syscall.SIGTSTP)
	waitState(t, cmd.Process.Pid, true)
	for _, pid := range jobs {
		waitState(t, pid, true)
	}
	cmd.Process.Signal(syscall.SIGCONT)
	for _, pid := range jobs {
		waitState(t, pid, false)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitStatus(t, cmd); code != 128+int(syscall.SIGINT) {
		t.Fatalf("exit status %d after SIGINT", code)
	}
}

// waitState waits until the process is stopped (state T), or running
// again, as /proc tells.
func waitState(t *testing.T, pid int, stopped bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatalf("process %d: %v", pid, err)
		}
		// The state follows the command name, which is in parentheses.
		s := string(b)
		state := s[strings.LastIndexByte(s, ')')+2]
		if (state == 'T') == stopped {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d: state %c, want stopped=%v; its threads: %s", pid, state, stopped, threadStates(pid))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// threadStates lists the state of each thread of pid, and for one in an
// uninterruptible wait (state D), which the stop must wait out, the
// kernel functions it waits in, where /proc shows them; then each thread's
// children with their state (a vfork's parent waits for its child).
func threadStates(pid int) string {
	tids, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	var b strings.Builder
	for _, dir := range tids {
		stat, _ := os.ReadFile(filepath.Join(dir, "stat"))
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+2 >= len(s) {
			continue
		}
		fmt.Fprintf(&b, "%s:%c", filepath.Base(dir), s[i+2])
		if s[i+2] == 'D' {
			stack, _ := os.ReadFile(filepath.Join(dir, "stack"))
			fmt.Fprintf(&b, "%q", strings.Join(strings.Fields(string(stack)), " "))
		}
		kids, _ := os.ReadFile(filepath.Join(dir, "children"))
		for _, k := range strings.Fields(string(kids)) {
			st, _ := os.ReadFile("/proc/" + k + "/stat")
			cmdl, _ := os.ReadFile("/proc/" + k + "/cmdline")
			fmt.Fprintf(&b, " child %s: %q %q", k, st, cmdl)
		}
		b.WriteByte(' ')
	}
	return b.String()
}
