package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// grandchildJob starts a grandchild of fanout in the job's process group and
// names its pid in gc_{} once it runs.
const grandchildJob = `sleep 60 & echo $! > gc_{}.tmp && mv gc_{}.tmp gc_{}; wait`

// A job's own process dies with fanout by Pdeathsig, whatever kills fanout;
// its children need the reaper. Each way fanout can die unasked must leave
// no process of any job behind.
func TestNoJobOutlivesFanout(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGHUP, syscall.SIGQUIT} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			dir := t.TempDir()
			cmd := fanoutCmd(dir, "-j2", grandchildJob, ":::", "a", "b")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill() })
			pids := grandchildren(t, dir, "a", "b")
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			t.Logf("fanout: %v", err)
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
		job := `if [ {} = c ]; then while [ ! -e gc_a ] || [ ! -e gc_b ]; do sleep 0.01; done; echo c; else ` + grandchildJob + `; fi`
		cmd := fanoutCmd(dir, "-j3", job, ":::", "a", "b", "c")
		cmd.Stdout = w
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		t.Cleanup(func() { cmd.Process.Kill() })
		pids := grandchildren(t, dir, "a", "b")
		err = cmd.Wait()
		t.Logf("fanout: %v", err)
		assertGone(t, pids)
	})
}

// grandchildren waits for the jobs named to start their grandchild and
// returns the grandchildren's pids; they are killed when the test ends,
// should the test fail to see them die.
func grandchildren(t *testing.T, dir string, jobs ...string) []int {
	t.Helper()
	var pids []int
	for _, j := range jobs {
		path := filepath.Join(dir, "gc_"+j)
		waitFiles(t, path)
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
