package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// procMachine reads Linux's /proc.
type procMachine struct{}

func newMachine() machine { return procMachine{} }

// load is GNU parallel's instant load: the tasks running or waiting to
// run, and those in uninterruptible sleep (usually disk), now, not
// averaged over minutes, so that at most one job starts that takes the
// load over the limit. The reading itself runs, and is not counted.
func (procMachine) load() (float64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	running, ok1 := procField(b, "procs_running")
	blocked, ok2 := procField(b, "procs_blocked")
	if !ok1 || !ok2 {
		return 0, errors.New("/proc/stat has no procs_running or procs_blocked")
	}
	return float64(max(running+blocked-1, 0)), nil
}

// memFree is free memory as GNU parallel counts it on Linux: MemFree,
// Buffers, Cached and SwapCached of /proc/meminfo.
func (procMachine) memFree() (int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	var kb int64
	for _, k := range []string{"MemFree:", "Buffers:", "Cached:", "SwapCached:"} {
		v, ok := procField(b, k)
		if !ok {
			return 0, fmt.Errorf("/proc/meminfo has no %s", k)
		}
		kb += v
	}
	return kb * 1024, nil
}

// swapped returns the pages swapped in and out since boot.
func (procMachine) swapped() (uint64, uint64, error) {
	b, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		return 0, 0, err
	}
	in, ok1 := procField(b, "pswpin")
	out, ok2 := procField(b, "pswpout")
	if !ok1 || !ok2 {
		return 0, 0, errors.New("/proc/vmstat has no pswpin or pswpout")
	}
	return uint64(in), uint64(out), nil
}

// procField finds the line that starts with key and returns the number
// after it.
func procField(b []byte, key string) (int64, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if !ok || len(rest) == 0 || rest[0] != ' ' && rest[0] != '\t' {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) == 0 {
			return 0, false
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		return v, err == nil
	}
	return 0, false
}

// jobGroups lists this process's children that lead a process group of
// their own (every job does; the reaper is left out), oldest first.
func (procMachine) jobGroups() ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	type child struct {
		pid   int
		start int64
	}
	var kids []child
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, ok := readStat(pid)
		if !ok || st.ppid != self || st.pgrp != pid || isReaper(pid) {
			continue
		}
		kids = append(kids, child{pid, st.start})
	}
	sort.Slice(kids, func(i, j int) bool {
		if kids[i].start != kids[j].start {
			return kids[i].start < kids[j].start
		}
		return kids[i].pid < kids[j].pid
	})
	groups := make([]int, len(kids))
	for i, k := range kids {
		groups[i] = k.pid
	}
	return groups, nil
}

type procStat struct {
	ppid, pgrp int
	start      int64
}

// readStat reads a process's parent, process group and start time from
// /proc/PID/stat.
func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name is in parentheses and may hold anything: the
	// fields after its closing one are state, ppid, pgrp, ... and the
	// start time is the 20th of them.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgrp, _ := strconv.Atoi(f[2])
	start, _ := strconv.ParseInt(f[19], 10, 64)
	return procStat{ppid, pgrp, start}, true
}

// isReaper reports whether pid is fanout's reaper, which runs in a group
// of its own but is no job.
func isReaper(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && bytes.HasPrefix(b, []byte("fanout-reaper\x00"))
}
