//go:build (linux && fanout_portable) || freebsd

package proc

import "syscall"

// setDeathSig has the kernel kill a job's process when this one dies, even
// by SIGKILL (on FreeBSD, procctl's PROC_PDEATHSIG_CTL).
func setDeathSig(sys *syscall.SysProcAttr) { sys.Pdeathsig = syscall.SIGKILL }
