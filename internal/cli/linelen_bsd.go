//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package cli

import "golang.org/x/sys/unix"

// acceptableLine reports whether the system would run GNU parallel's
// probe for a line of n bytes: "/bin/sh" "-c" "<line> && true" with the
// environment env, which with their
// pointers must fit in kern.argmax.
func acceptableLine(n int, env probeSize) bool {
	argMax, err := unix.SysctlUint32("kern.argmax")
	if err != nil {
		argMax = 256 << 10
	}
	text := len("/bin/sh") + 1 + len("-c") + 1 + n + probeLine + 1 + env.size
	pointers := 8 * (3 + env.count)
	return text+pointers <= int(argMax)
}
