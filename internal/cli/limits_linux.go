package cli

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// openFiles counts this process's open descriptors.
func openFiles() int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 16 // unknown: more than a process starts with
	}
	return len(fds)
}

// userTasks counts the processes and threads whose real user is uid, as
// RLIMIT_NPROC does. If the whole system runs no more than enough of them,
// it returns that total without reading about each process.
func userTasks(uid, enough int) (int, bool) {
	// "0.20 0.18 0.12 1/345 6789": the fourth field ends in the number of
	// threads in the system.
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 4 {
			_, total, _ := strings.Cut(f[3], "/")
			if n, err := strconv.Atoi(total); err == nil && n <= enough {
				return n, true
			}
		}
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	n := 0
	for _, e := range ents {
		if c := e.Name()[0]; c < '0' || c > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue // gone meanwhile
		}
		n += tasksOf(b, uid)
	}
	return n, true
}

// tasksOf reads a /proc/PID/status: the process's number of threads if its
// real user is uid, else 0.
func tasksOf(status []byte, uid int) int {
	mine, threads := false, 1
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
			f := bytes.Fields(v)
			mine = len(f) > 0 && string(f[0]) == strconv.Itoa(uid)
		} else if v, ok := bytes.CutPrefix(line, []byte("Threads:")); ok {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(v))); err == nil {
				threads = n
			}
		}
	}
	if !mine {
		return 0
	}
	return threads
}
