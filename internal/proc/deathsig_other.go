//go:build unix && !linux && !freebsd

package proc

import "syscall"

// setDeathSig does nothing: macOS cannot have a process killed when its
// parent dies, so only the reaper kills a job's processes if this one dies.
func setDeathSig(*syscall.SysProcAttr) {}
