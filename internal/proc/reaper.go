//go:build unix

package proc

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// reaperEnv marks the reaper process: this very program, re-executed.
const reaperEnv = "FANOUT_REAPER"

// The reaper's descriptors, as startReaper hands them over.
const (
	reaperPipe  = 3 // read end of a pipe only the owner can write to
	reaperTable = 4 // the job table
)

// The reaper takes over before main, or TestMain, runs: any program that
// imports this package can be its own reaper.
func init() {
	if os.Getenv(reaperEnv) == "" {
		return
	}
	if err := reap(); err != nil {
		fmt.Fprintf(os.Stderr, "fanout: unset %s, which marks fanout's own reaper process (%v)\n", reaperEnv, err)
		os.Exit(2)
	}
	os.Exit(0)
}

// reap waits for its owner to be gone, whatever ended it, then kills every
// job group left in the table.
func reap() error {
	// Terminal signals go to the owner's group, not this one; these are
	// for whoever sends them by hand.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGTSTP, syscall.SIGTERM, syscall.SIGPIPE)
	var st unix.Stat_t
	if err := unix.Fstat(reaperPipe, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return errors.New("descriptor 3 is no pipe")
	}
	if err := unix.Fstat(reaperTable, &st); err != nil || st.Size < 2*lineBytes {
		return errors.New("descriptor 4 is no job table")
	}
	mem, err := unix.Mmap(reaperTable, 0, int(st.Size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("job table: mmap: %w", err)
	}
	unix.Close(reaperTable)
	t := newTable(mem)
	if *t.magic() != tableMagic {
		return errors.New("descriptor 4 is no job table")
	}
	closeInherited()
	var b [1]byte
	for {
		n, err := unix.Read(reaperPipe, b[:])
		if n == 0 && err == nil {
			break // end of file: the owner is gone
		}
		if err != nil && err != unix.EINTR {
			return fmt.Errorf("read: %w", err)
		}
	}
	t.killAll()
	return nil
}

// closeInherited closes descriptors beyond the reaper's own that its owner
// inherited and passed on, such as a pipe its parent waits on: every
// descriptor Go opened since exec is close-on-exec, so any other came
// through exec.
func closeInherited() {
	ents, err := os.ReadDir(fdDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= reaperTable {
			continue
		}
		if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && fl&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
}

// reaper is this process's reaper, once started.
var reaper struct {
	pid int
	w   int // write end of its pipe, held open for as long as this process lives
}

// startReaper re-executes this program as the reaper of the job table in
// descriptor table. The reaper runs in a process group of its own, so that
// signals from the terminal do not reach it, with its standard streams on
// /dev/null, so that it never holds this process's output open.
func startReaper(table int) error {
	exe, err := selfExe()
	if err != nil {
		return fmt.Errorf("reaper: %w", err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("reaper: %w", err)
	}
	defer null.Close()
	var p [2]int
	if err := cloexecPipe(&p); err != nil {
		return fmt.Errorf("reaper: pipe: %w", err)
	}
	n := null.Fd()
	env := []string{reaperEnv + "=1", "GOMAXPROCS=1"}
	if v, ok := os.LookupEnv("GORACE"); ok {
		// A race-enabled build's options, such as not to sleep a second
		// at exit, hold for its reaper too.
		env = append(env, "GORACE="+v)
	}
	attr := &syscall.ProcAttr{
		Dir:   "/",
		Env:   env,
		Files: []uintptr{n, n, n, uintptr(p[0]), uintptr(table)},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	}
	pid, err := syscall.ForkExec(exe, []string{"fanout-reaper"}, attr)
	syscall.Close(p[0])
	if err != nil {
		syscall.Close(p[1])
		return fmt.Errorf("reaper: %w", err)
	}
	reaper.pid, reaper.w = pid, p[1]
	return nil
}

// StopReaper ends the reaper, if one runs, and waits for it to exit. A
// program calls it just before it exits, after its last job: the reaper
// would end by itself a moment later, but under a tight process limit
// (ulimit -u) that moment counts against the next program the user starts.
// Whatever job groups are left in the table are killed, as at any end;
// jobs started afterwards have Pdeathsig only.
func StopReaper() {
	if reaper.pid == 0 {
		return
	}
	syscall.Close(reaper.w)
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(reaper.pid, &ws, 0, nil); err != syscall.EINTR {
			break
		}
	}
	reaper.pid = 0
}
