package fanout_test

import (
	"bytes"
	"os"
	"strconv"
)

// A process killed after its parent stays a zombie until init reaps it,
// which some inits do only every second or two; /proc tells a zombie from
// a process still running.

// running reports whether pid is a process that has not exited.
func running(pid int) bool {
	state, _, ok := procStat(strconv.Itoa(pid))
	return ok && state != 'Z'
}

// groupRunning reports whether a process of the group pgid has not exited.
func groupRunning(pgid int) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if state, pg, ok := procStat(e.Name()); ok && pg == pgid && state != 'Z' {
			return true
		}
	}
	return false
}

// procStat reads a process's state and process group from /proc.
func procStat(pid string) (state byte, pgid int, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The command name, in parentheses, may hold anything, ")" included;
	// state, ppid and pgrp follow the last one.
	f := bytes.Fields(b[bytes.LastIndexByte(b, ')')+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return 0, 0, false
	}
	pgid, err = strconv.Atoi(string(f[2]))
	return f[0][0], pgid, err == nil
}

// isHelper reports whether pid is still a test helper, and not a process
// that has since been given its number.
func isHelper(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && bytes.HasPrefix(b, []byte(helperName+"\x00"))
}
