package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// startFanout starts the command and returns a reader of its stderr lines.
func startFanout(t *testing.T, dir string, args ...string) (*exec.Cmd, *bufio.Scanner, *strings.Builder) {
	t.Helper()
	cmd := fanoutCmd(dir, args...)
	var out strings.Builder
	cmd.Stdout = &out
	errp, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, bufio.NewScanner(errp), &out
}

// waitLine reads stderr until a line contains want.
func waitLine(t *testing.T, sc *bufio.Scanner, want string) {
	t.Helper()
	for sc.Scan() {
		if strings.Contains(sc.Text(), want) {
			return
		}
	}
	t.Fatalf("stderr ended without %q", want)
}

func waitFiles(t *testing.T, paths ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range paths {
		for {
			if _, err := os.Stat(p); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never appeared", p)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// gatedJob starts, announces itself with a file, and waits for the gate.
const gatedJob = `touch started_{}; while [ ! -e gate ]; do sleep 0.01; done; echo done {}`

func exitStatus(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// A first SIGTERM stops new jobs from starting and lets running ones
// finish; the log has them, and --resume runs exactly the rest.
func TestFirstSigtermLetsRunningJobsFinish(t *testing.T) {
	stopsStartingJobs(t, syscall.SIGTERM)
}

// SIGHUP (the terminal went away) does the same, as in GNU parallel.
func TestSighupLetsRunningJobsFinish(t *testing.T) {
	stopsStartingJobs(t, syscall.SIGHUP)
}

// stopsStartingJobs sends sig while two of four jobs run: those two
// finish and are logged, the others never start, and --resume runs
// exactly them.
func stopsStartingJobs(t *testing.T, sig syscall.Signal) {
	t.Parallel()
	dir := t.TempDir()
	cmd, stderr, out := startFanout(t, dir, "-j2", "--joblog", "jl", gatedJob, ":::", "a", "b", "c", "d")
	waitFiles(t, filepath.Join(dir, "started_a"), filepath.Join(dir, "started_b"))
	cmd.Process.Signal(sig)
	waitLine(t, stderr, unix.SignalName(sig))
	os.WriteFile(filepath.Join(dir, "gate"), nil, 0o644)
	go io.Copy(io.Discard, stderrReader(stderr))
	if code := exitStatus(t, cmd); code != 128+int(sig) {
		t.Fatalf("exit status %d, want %d", code, 128+int(sig))
	}
	if got := out.String(); !strings.Contains(got, "done a") || !strings.Contains(got, "done b") || strings.Contains(got, "done c") {
		t.Fatalf("stdout %q: want a and b finished, c never started", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "started_c")); err == nil {
		t.Fatalf("job c started after %v", sig)
	}
	if logged := joblogSeqs(t, filepath.Join(dir, "jl")); len(logged) != 2 {
		t.Fatalf("job log has %v, want the 2 finished jobs", logged)
	}
	b, err := fanoutCmd(dir, "-j2", "--joblog", "jl", "--resume", gatedJob, ":::", "a", "b", "c", "d").Output()
	if got := string(b); err != nil || strings.Contains(got, "done a") || !strings.Contains(got, "done c") || !strings.Contains(got, "done d") {
		t.Fatalf("resume ran %q (%v), want exactly c and d", got, err)
	}
}

// stderrReader lets the rest of stderr drain once the test has seen what it
// waited for.
func stderrReader(sc *bufio.Scanner) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for sc.Scan() {
		}
		pw.Close()
	}()
	return pr
}

// A second SIGTERM, or SIGINT, terminates the running jobs' process groups,
// and leaves them out of the job log.
func TestSecondSignalKillsRunningJobs(t *testing.T) {
	t.Parallel()
	for _, sigs := range [][]syscall.Signal{{syscall.SIGTERM, syscall.SIGTERM}, {syscall.SIGINT}} {
		t.Run(sigs[len(sigs)-1].String(), func(t *testing.T) {
			dir := t.TempDir()
			job := `echo $$ > pid_{}.tmp && mv pid_{}.tmp pid_{}; sleep 30 & sleep 30; wait`
			cmd, stderr, _ := startFanout(t, dir, "-j2", "--joblog", "jl", job, ":::", "a", "b", "c")
			waitFiles(t, filepath.Join(dir, "pid_a"), filepath.Join(dir, "pid_b"))
			for i, s := range sigs {
				cmd.Process.Signal(s)
				if i == 0 && len(sigs) > 1 {
					waitLine(t, stderr, "SIGTERM")
				}
			}
			go io.Copy(io.Discard, stderrReader(stderr))
			start := time.Now()
			code := exitStatus(t, cmd)
			if code == 0 {
				t.Fatal("exit status 0 after a signal")
			}
			if time.Since(start) > 10*time.Second {
				t.Fatal("running jobs were not terminated")
			}
			for _, name := range []string{"pid_a", "pid_b"} {
				b, _ := os.ReadFile(filepath.Join(dir, name))
				var pg int
				if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &pg); err != nil {
					t.Fatal(err)
				}
				if groupAlive(pg) {
					t.Fatalf("job group %d outlived fanout", pg)
				}
			}
			// Jobs the signal killed did not finish: they are not logged,
			// so --resume runs them, as GNU parallel does.
			if logged := joblogSeqs(t, filepath.Join(dir, "jl")); len(logged) != 0 {
				t.Fatalf("jobs killed by the signal are logged: %v", logged)
			}
			resume := fanoutCmd(dir, "-j3", "--joblog", "jl", "--resume", "echo {}", ":::", "a", "b", "c")
			b, err := resume.Output()
			if got := strings.Fields(string(b)); err != nil || len(got) != 3 {
				t.Fatalf("--resume ran %q (%v), want a, b and c", got, err)
			}
		})
	}
}

func groupAlive(pgid int) bool {
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// SIGQUIT terminates the running jobs, as SIGINT does, without a dump of
// fanout's goroutines, and leaves them out of the log.
func TestSigquitTerminatesJobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd, stderr, _ := startFanout(t, dir, "-j2", "--joblog", "jl", `echo $$ > pid_{}.tmp && mv pid_{}.tmp pid_{}; sleep 30`, ":::", "a", "b")
	waitFiles(t, filepath.Join(dir, "pid_a"), filepath.Join(dir, "pid_b"))
	cmd.Process.Signal(syscall.SIGQUIT)
	var rest strings.Builder
	for stderr.Scan() {
		rest.WriteString(stderr.Text() + "\n")
	}
	if code := exitStatus(t, cmd); code != 128+int(syscall.SIGQUIT) {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, 128+int(syscall.SIGQUIT), rest.String())
	}
	if strings.Contains(rest.String(), "goroutine") {
		t.Fatalf("SIGQUIT dumped goroutines:\n%.400s", rest.String())
	}
	for _, name := range []string{"pid_a", "pid_b"} {
		if pg := readPid(t, filepath.Join(dir, name)); groupAlive(pg) {
			t.Fatalf("job group %d outlived fanout", pg)
		}
	}
	if logged := joblogSeqs(t, filepath.Join(dir, "jl")); len(logged) != 0 {
		t.Fatalf("jobs killed by SIGQUIT are logged: %v", logged)
	}
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, _ := os.ReadFile(path)
	var pid int
	if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &pid); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pid
}
