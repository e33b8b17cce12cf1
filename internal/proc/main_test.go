//go:build unix

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// ownerEnv makes this test binary a reaper's owner: a process that starts
// a job with a grandchild, as fanout does, in the directory it names.
const ownerEnv = "FANOUT_PROC_TEST_OWNER"

// setsidEnv makes this test binary run its arguments in a session of its
// own, as setsid(1), which not every system has, would.
const setsidEnv = "FANOUT_PROC_TEST_SETSID"

func TestMain(m *testing.M) {
	if dir := os.Getenv(ownerEnv); dir != "" {
		os.Exit(owner(dir))
	}
	if os.Getenv(setsidEnv) != "" {
		os.Exit(setsid(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func setsid(argv []string) int {
	if _, err := syscall.Setsid(); err != nil {
		fmt.Fprintln(os.Stderr, "setsid:", err)
		return 1
	}
	path, err := exec.LookPath(argv[0])
	if err == nil {
		err = syscall.Exec(path, argv, os.Environ())
	}
	fmt.Fprintln(os.Stderr, err)
	return 1
}

// grandchildJob starts a grandchild in the job's group, names its pid in the
// file gc once it runs, and prints a line. The supervisor reads that line
// only after it has put the job in the table: until then the grandchild
// would escape.
var grandchildJob = []string{"sh", "-c", "sleep 60 & echo $! > gc.tmp && mv gc.tmp gc; echo ready; wait"}

// onWrite calls its function at the first write.
type onWrite struct{ f func() }

func (w *onWrite) Write(b []byte) (int, error) {
	if w.f != nil {
		w.f()
		w.f = nil
	}
	return len(b), nil
}

// owner runs grandchildJob under a supervisor, after writing its reaper's
// pid to the file reaper, and creates the file ready when the job is in the
// table. Given an argument "exit", it then exits, leaving the job running.
func owner(dir string) int {
	s, err := NewSupervisor()
	if err == nil {
		err = ReaperErr()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	writeFile(filepath.Join(dir, "reaper"), strconv.Itoa(reaper.pid))
	if len(os.Args) > 1 && os.Args[1] == "stop" {
		pid := reaper.pid
		StopReaper()
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			fmt.Fprintf(os.Stderr, "reaper %d still there after StopReaper: %v\n", pid, err)
			return 3
		}
		return 0
	}
	ready := &onWrite{func() {
		writeFile(filepath.Join(dir, "ready"), "")
		if len(os.Args) > 1 && os.Args[1] == "exit" {
			os.Exit(0)
		}
	}}
	sp := &Spec{Path: "/bin/sh", Argv: grandchildJob, Dir: dir, Env: os.Environ(), Stdin: 0, Stdout: -1, Stderr: -1}
	if _, err := s.Run(sp, ready, os.Stderr, 0, DefaultTermSeq, time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func writeFile(path, s string) {
	os.WriteFile(path+".tmp", []byte(s), 0o644)
	os.Rename(path+".tmp", path)
}
