//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package cpus

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// probe asks sysctl: macOS tells physical and logical processors and
// packages; FreeBSD its cores and threads per core; the others only the
// number of processors, which GNU parallel then takes for every count.
func probe() Count {
	var c Count
	if n, ok := sysctl("hw.logicalcpu"); ok { // macOS
		c.Threads = n
		c.Cores, _ = sysctl("hw.physicalcpu")
		c.Sockets, _ = sysctl("hw.packages")
		return c
	}
	c.Threads, _ = sysctl("hw.ncpu")
	if cores, ok := sysctl("kern.smp.cores"); ok { // FreeBSD
		c.Cores = cores
	} else {
		c.Cores = c.Threads
	}
	return c
}

func sysctl(name string) (int, bool) {
	n, err := unix.SysctlUint32(name)
	return int(n), err == nil && n > 0
}

// active is the number of CPUs this process may run on.
func active() int { return runtime.NumCPU() }
