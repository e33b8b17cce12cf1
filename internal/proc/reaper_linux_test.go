package proc

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startOwner starts an owner with the write end of a pipe leaked to it as
// descriptor 5, one the reaper must not keep, and returns the pids of its
// reaper and of its job's grandchild once both run, and the name of the
// leaked pipe in /proc.
func startOwner(t *testing.T, args ...string) (cmd *exec.Cmd, reaperPid, gc int, leak string) {
	t.Helper()
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t.Cleanup(func() { r.Close() })
	var st syscall.Stat_t
	if err := syscall.Fstat(int(w.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	leak = fmt.Sprintf("pipe:[%d]", st.Ino)
	cmd = exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), ownerEnv+"="+dir)
	cmd.Stderr = os.Stderr
	cmd.ExtraFiles = []*os.File{nil, nil, w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	reaperPid = readPid(t, filepath.Join(dir, "reaper"))
	waitFile(t, filepath.Join(dir, "ready"))
	gc = readPid(t, filepath.Join(dir, "gc"))
	t.Cleanup(func() { syscall.Kill(gc, syscall.SIGKILL) })
	return cmd, reaperPid, gc, leak
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(waitFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pid
}

// waitFile waits for a file written whole, with writeFile, and returns it.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The reaper sits in a group of its own, with nothing of its owner's open
// but its pipe; when its owner dies, by SIGKILL or by exiting with a job
// running, the job's grandchild, out of Pdeathsig's reach, dies with it,
// and so does the reaper.
func TestReaperKillsGroupsWhenOwnerDies(t *testing.T) {
	for _, how := range []string{"SIGKILL", "exit"} {
		t.Run(how, func(t *testing.T) {
			cmd, rp, gc, leak := startOwner(t, how)
			if pg, err := syscall.Getpgid(rp); err != nil || pg != rp {
				t.Fatalf("reaper %d in group %d (%v), want its own", rp, pg, err)
			}
			checkReaperFds(t, rp, leak)
			if how == "SIGKILL" {
				cmd.Process.Kill()
			}
			cmd.Wait()
			for _, pid := range []int{gc, rp} {
				if !waitExited(pid) {
					t.Fatalf("process %d outlived the owner", pid)
				}
			}
		})
	}
}

// checkReaperFds waits for the reaper to have closed all it inherited but
// its standard streams on /dev/null and its pipe; any other descriptor must
// be one it opened itself.
func checkReaperFds(t *testing.T, pid int, leaked string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		bad := reaperFdProblem(pid, leaked)
		if bad == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("reaper %d: %s", pid, bad)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func reaperFdProblem(pid int, leaked string) string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	for _, e := range ents {
		fd, _ := strconv.Atoi(e.Name())
		link, _ := os.Readlink(filepath.Join(dir, e.Name()))
		info, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
		switch {
		case fd <= 2 && link != os.DevNull:
			return fmt.Sprintf("descriptor %d is %s, not %s", fd, link, os.DevNull)
		case fd == 3 && !strings.HasPrefix(link, "pipe:"):
			return fmt.Sprintf("descriptor 3 is %s, not its pipe", link)
		case link == leaked:
			return fmt.Sprintf("descriptor %d is a pipe its owner inherited", fd)
		case fd > 3 && !cloexec(info):
			return fmt.Sprintf("descriptor %d (%s) was inherited", fd, link)
		}
	}
	return ""
}

// cloexec reads the close-on-exec flag from a /proc fdinfo file.
func cloexec(info []byte) bool {
	for _, l := range bytes.Split(info, []byte("\n")) {
		if v, ok := bytes.CutPrefix(l, []byte("flags:")); ok {
			fl, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 64)
			return err == nil && fl&syscall.O_CLOEXEC != 0
		}
	}
	return false
}

// waitExited polls until pid is gone, or a zombie nobody reaped yet.
func waitExited(pid int) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !exited(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

func exited(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// SignalRunning reaches a job's whole group, grandchild included, and
// leaves the table as it was for the supervisor to clear.
func TestSignalRunning(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSupervisor()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.slot.p == nil {
		t.Fatalf("supervisor has no slot in the job table: %v", ReaperErr())
	}
	type result struct {
		out Outcome
		err error
	}
	done := make(chan result)
	ready := make(chan struct{})
	go func() {
		sp := &Spec{Path: "/bin/sh", Argv: grandchildJob, Dir: dir, Env: os.Environ(), Stdin: 0, Stdout: -1, Stderr: -1}
		out, err := s.Run(sp, &onWrite{func() { close(ready) }}, io.Discard, 0, DefaultTermSeq, time.Second)
		done <- result{out, err}
	}()
	select {
	case <-ready:
	case r := <-done:
		t.Fatalf("job ended before it was ready: %v %v", r.out.Status, r.err)
	}
	gc := readPid(t, filepath.Join(dir, "gc"))
	t.Cleanup(func() { syscall.Kill(gc, syscall.SIGKILL) })
	if n := SignalRunning(syscall.SIGTERM); n != 1 {
		t.Fatalf("SignalRunning reached %d groups, want 1", n)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.out.Status.Signaled() || r.out.Status.Signal() != syscall.SIGTERM {
		t.Fatalf("job ended with %v, want SIGTERM", r.out.Status)
	}
	if !waitExited(gc) {
		t.Fatal("the job's grandchild survived SIGTERM to its group")
	}
	if v := *s.slot.p; v != 0 {
		t.Fatalf("slot holds %d after the job, want 0", v)
	}
	if n := SignalRunning(syscall.SIGTERM); n != 0 {
		t.Fatalf("SignalRunning reached %d groups with no job running", n)
	}
}

// StopReaper ends the reaper and waits for it: when it returns, the reaper
// is gone, not merely about to go.
func TestStopReaper(t *testing.T) {
	cmd := exec.Command(os.Args[0], "stop")
	cmd.Env = append(os.Environ(), ownerEnv+"="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}

// The reaper runs with the race detector's options of its owner: without
// them a race-enabled reaper sleeps a second as it exits, which StopReaper,
// and so every run of fanout under test, waits for.
func TestReaperKeepsGORACE(t *testing.T) {
	t.Setenv("GORACE", "atexit_sleep_ms=0")
	_, rp, _, _ := startOwner(t)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", rp))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(append([]byte{0}, b...), []byte("\x00GORACE=atexit_sleep_ms=0\x00")) {
		t.Fatalf("reaper environment %q lacks GORACE=atexit_sleep_ms=0", b)
	}
}
