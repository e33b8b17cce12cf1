package cpus

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// probe counts from sysfs's topology, else from /proc/cpuinfo.
func probe() Count {
	if c, ok := readTopology(os.DirFS("/sys/devices/system/cpu")); ok {
		return c
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		return ParseCPUInfo(b)
	}
	return Count{}
}

// active is the number of CPUs this process may run on.
func active() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil && set.Count() > 0 {
		return set.Count()
	}
	return runtime.NumCPU()
}
