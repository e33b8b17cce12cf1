package cli

import "golang.org/x/sys/unix"

// acceptableLine reports whether Linux would run GNU parallel's probe
// for a line of n bytes: "/bin/sh" "-c" "<line> && true" with the
// environment env. Each argument, its
// NUL included, must fit in MAX_ARG_STRLEN (32 pages), and all of them
// with the environment and their pointers in a quarter of the stack limit
// (at most three quarters of 8 MiB, at least ARG_MAX's 128 KiB), as
// fs/exec.c counts.
func acceptableLine(n int, env probeSize) bool {
	const maxArgStrlen = 32 * 4096
	arg := n + probeLine + 1
	if arg > maxArgStrlen {
		return false
	}
	limit := 6 << 20 // _STK_LIM / 4 * 3
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_STACK, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY && rl.Cur/4 < uint64(limit) {
		limit = int(rl.Cur / 4)
	}
	limit = max(limit, 128<<10)
	text := len("/bin/sh") + 1 + len("-c") + 1 + arg + env.size
	pointers := 8 * (3 + env.count)
	return text+pointers <= limit
}
