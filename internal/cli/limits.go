package cli

import (
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// What one running job costs this process, as fanout runs it.
const (
	// fdsPerJob counts the descriptors a job holds while it runs: its
	// worker's epoll instance and eventfd, the read ends of its two output
	// pipes and its pidfd, and two temporary files should its output spill
	// to disk. The two write ends a job holds for a moment while it starts
	// are not counted: a start that finds no descriptor free waits for
	// another job to end (see fanout.Pool), whereas a spill that finds
	// none loses output.
	fdsPerJob = 7
	// fdReserve is kept for what fanout opens beyond the jobs and what it
	// has open at start: Go's netpoller, /dev/null, the pipe through which
	// a failed exec reports, the job log or an input file.
	fdReserve = 6
	// procsPerJob counts the processes of a job: the shell and the command
	// it runs.
	procsPerJob = 2
)

// threadReserve is how many more threads fanout may need: one per CPU for
// the Go runtime, some blocked in system calls (fork, wait, writes), and
// the reaper process's (it runs with one CPU: about four threads). It must
// not run short: the runtime dies when it cannot make a thread.
func threadReserve() int { return runtime.GOMAXPROCS(0) + 8 + reaperThreads }

// reaperThreads are the threads of the reaper process, which count against
// the same limit.
const reaperThreads = 4

// slotFit is how many job slots this process's limits leave room for.
type slotFit struct {
	slots int // slots to run: the slots asked for, or fewer that fit
	// short is the limit that left fewer: "files" or "processes"; empty
	// if all fit.
	short string
}

// fitSlots lowers slots to what the limits on open files (RLIMIT_NOFILE)
// and on processes (RLIMIT_NPROC) leave room for, never below 1. The
// estimate is conservative; what it misses the pool meets as jobs that
// cannot start, and it then runs fewer at once.
func fitSlots(slots int) slotFit {
	fit := slotFit{slots: slots}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < 1<<40 {
		room := (int(lim.Cur) - openFiles() - fdReserve) / fdsPerJob
		if room < fit.slots {
			fit = slotFit{slots: max(1, room), short: "files"}
		}
	}
	if n, _, ok := processRoom(fit.slots*procsPerJob + threadReserve()); ok {
		room := n / procsPerJob
		if room < fit.slots {
			fit = slotFit{slots: max(1, room), short: "processes"}
		}
	}
	return fit
}

// warning is what GNU parallel says when the limits leave room for fewer
// jobs than asked for, word for word; name is the program's name.
func (f slotFit) warning(name string) []string {
	n := strconv.Itoa(f.slots)
	if f.short == "processes" {
		return append([]string{"Only enough available processes to run " + n + " jobs in parallel."}, morePids...)
	}
	return append([]string{"Only enough file handles to run " + n + " jobs in parallel.",
		"Try running '" + name + " -j0 -N " + n + " --pipe " + name + " -j0'"}, moreFiles...)
}

// moreFiles and morePids end GNU parallel's warnings about open files and
// processes: how to raise the limits.
var (
	moreFiles = []string{"or increasing 'ulimit -n' (try: ulimit -n `ulimit -Hn`)",
		"or increasing 'nofile' in /etc/security/limits.conf",
		"or increasing /proc/sys/fs/file-max"}
	morePids = []string{"Try increasing 'ulimit -u' (try: ulimit -u `ulimit -Hu`)",
		"or increasing 'nproc' in /etc/security/limits.conf",
		"or increasing /proc/sys/kernel/pid_max"}
)

// processRoom returns how many more processes the real user may start
// beyond fanout's own threadReserve, and the limit; ok is false when no
// limit applies that need is likely to meet: RLIMIT_NPROC is unlimited, or
// not enforced (for root), or far above what the user runs.
func processRoom(need int) (room, limit int, ok bool) {
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &lim) != nil || lim.Cur == unix.RLIM_INFINITY || unix.Getuid() == 0 {
		return 0, 0, false
	}
	limit = int(min(lim.Cur, 1<<40))
	used, known := userTasks(unix.Getuid(), limit-need)
	if !known {
		// Unknown: suppose other processes of the user take half.
		used = limit / 2
	}
	if used+need <= limit {
		return 0, limit, false
	}
	return max(0, limit-used-threadReserve()), limit, true
}
