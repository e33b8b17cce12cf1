package cli

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// parentShell walks up from fanout's parent through /proc and returns the
// path of the first POSIX shell it finds, or "".
func parentShell() string {
	pid := os.Getppid()
	for i := 0; pid > 1 && i < 64; i++ {
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil {
			return ""
		}
		argv0, _, _ := bytes.Cut(cmdline, []byte{0})
		if name := shellName(string(argv0)); name != "" {
			// The executable itself, when it is the shell named (not a
			// wrapper such as busybox); else the name, found in $PATH.
			if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil && strings.HasSuffix(exe, "/"+name) {
				return exe
			}
			return name
		}
		pid = parentOf(pid)
	}
	return ""
}

// parentOf reads a process's parent from /proc/PID/stat, or returns 0.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name is in parentheses and may hold spaces: the fields
	// after its closing one are the state, then the parent.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
