//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd && !windows

package proc

// The portable supervisor needs a way to learn that a process exited
// without reaping it (kqueue's NOTE_EXIT, or Linux's pidfd), which this
// system is not known to have: building for it fails here, with the reason.
var _ = fanout_runs_on_Linux_macOS_and_FreeBSD__this_system_is_not_supported
