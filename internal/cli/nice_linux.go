package cli

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// applyNice sets fanout's own niceness to n, so that every job it starts
// runs at n from its first instruction: a process inherits the niceness of
// the thread that forks it, and Go forks from any of its threads. Linux
// keeps a niceness per thread, so each thread is set, and once more for
// any that started meanwhile (they copy their creator's, which may not
// have been set yet). Lowering it needs privilege: without it the
// niceness stays as it is, as GNU parallel's jobs do.
func applyNice(n int) error {
	done := map[int]bool{}
	for range 4 {
		entries, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return setNiceAll(n)
		}
		fresh := false
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			fresh, done[tid] = true, true
			if err := unix.Setpriority(unix.PRIO_PROCESS, tid, n); err != nil && !ignorableNice(err) {
				return err
			}
		}
		if !fresh {
			return nil
		}
	}
	return nil
}

// setNiceAll is the fallback without /proc: the calling thread only.
func setNiceAll(n int) error {
	if err := unix.Setpriority(unix.PRIO_PROCESS, 0, n); err != nil && !ignorableNice(err) {
		return err
	}
	return nil
}

// ignorableNice reports errors that leave the niceness as it was for
// reasons GNU parallel ignores too: no privilege to lower it, or a thread
// that ended meanwhile.
func ignorableNice(err error) bool {
	return errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.ESRCH)
}
