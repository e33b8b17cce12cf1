package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// grandchildJob starts a grandchild of fanout in the job's process group,
// names its pid in gc_{} and says "ready {}" on standard error. With
// --line-buffer fanout copies that line as it comes, which it does only once
// the job is in its table of running groups: until then a job, even one
// whose grandchild runs already, would die of Pdeathsig alone.
const grandchildJob = `sleep 60 & echo $! > gc_{}.tmp && mv gc_{}.tmp gc_{}; echo ready {} >&2; wait`

// A job's own process dies with fanout by Pdeathsig, whatever kills fanout;
// its children need the reaper. Each way fanout can die unasked, a kill
// after a hangup included, must leave no process of any job behind.
func TestNoJobOutlivesFanout(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		sigs []syscall.Signal
		want string // how fanout ends
	}{
		{"SIGKILL", []syscall.Signal{syscall.SIGKILL}, "signal: killed"},
		// After a hangup fanout waits for its jobs: it is the SIGKILL
		// that follows, as when the session's processes are killed,
		// that must not leave them behind.
		{"SIGHUP", []syscall.Signal{syscall.SIGHUP, syscall.SIGKILL}, "signal: killed"},
		{"SIGQUIT", []syscall.Signal{syscall.SIGQUIT}, "exit status 131"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd, stderr, _ := startFanout(t, dir, "--lb", "-j2", grandchildJob, ":::", "a", "b")
			pids := grandchildren(t, dir, stderr, "a", "b")
			for _, sig := range c.sigs {
				cmd.Process.Signal(sig)
				if sig == syscall.SIGHUP {
					waitLine(t, stderr, unix.SignalName(sig))
				}
			}
			go io.Copy(io.Discard, stderrReader(stderr))
			if err := cmd.Wait(); err == nil || err.Error() != c.want {
				t.Fatalf("fanout ended with %v, want %s", err, c.want)
			}
			assertGone(t, pids)
		})
	}
	// fanout dies of SIGPIPE, or stops on EPIPE, when it prints a job's
	// output to a pipe nobody reads while other jobs still run.
	t.Run("SIGPIPE", func(t *testing.T) {
		dir := t.TempDir()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		job := `if [ {} = c ]; then while [ ! -e go ]; do sleep 0.01; done; echo c; else ` + grandchildJob + `; fi`
		cmd := fanoutCmd(dir, "--lb", "-j3", job, ":::", "a", "b", "c")
		cmd.Stdout = w
		errp, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		t.Cleanup(func() { cmd.Process.Kill() })
		stderr := bufio.NewScanner(errp)
		pids := grandchildren(t, dir, stderr, "a", "b")
		os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
		go io.Copy(io.Discard, stderrReader(stderr))
		if err := cmd.Wait(); err == nil || err.Error() != "exit status 141" && err.Error() != "signal: broken pipe" {
			t.Fatalf("fanout ended with %v, want exit status 141 or death by SIGPIPE", err)
		}
		assertGone(t, pids)
	})
}

// grandchildren waits for the jobs named to be ready and returns their
// grandchildren's pids; they are killed when the test ends, should the test
// fail to see them die.
func grandchildren(t *testing.T, dir string, stderr *bufio.Scanner, jobs ...string) []int {
	t.Helper()
	for ready := 0; ready < len(jobs); ready++ {
		if !stderr.Scan() {
			t.Fatalf("stderr ended with %d of %d jobs ready", ready, len(jobs))
		}
		if !strings.HasPrefix(stderr.Text(), "ready ") {
			t.Fatalf("stderr: %q", stderr.Text())
		}
	}
	var pids []int
	for _, j := range jobs {
		path := filepath.Join(dir, "gc_"+j)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pids = append(pids, pid)
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	}
	return pids
}

// assertGone fails the test unless every process has exited within a few
// seconds of fanout's end.
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for !exited(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("grandchild %d outlived fanout", pid)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// exited reports whether pid is gone or a zombie that its new parent has not
// reaped yet.
func exited(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, in parentheses that may hold
	// anything, the last ")" included.
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
