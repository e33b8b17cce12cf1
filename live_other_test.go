//go:build !linux

package fanout_test

import "syscall"

// running reports whether pid is a process that has not been reaped: a
// zombie counts as running until init reaps it.
func running(pid int) bool { return syscall.Kill(pid, 0) != syscall.ESRCH }

// groupRunning reports whether any process of the group pgid has not been
// reaped.
func groupRunning(pgid int) bool { return syscall.Kill(-pgid, 0) != syscall.ESRCH }

// isHelper reports whether pid may still be a test helper: without /proc,
// any process alive under that number may be.
func isHelper(pid int) bool { return running(pid) }
