package cpus

import (
	"io/fs"
	"strconv"
)

// readTopology counts from a tree laid out as Linux's
// /sys/devices/system/cpu, as GNU parallel does: cpu0, cpu1, ... up to the
// first without a topology; a socket per distinct physical_package_id, a
// core per distinct thread_siblings mask. It reports false when the tree
// has no cpu0 topology.
func readTopology(fsys fs.FS) (Count, bool) {
	sockets, cores := map[string]bool{}, map[string]bool{}
	n := 0
	for ; ; n++ {
		pkg, err := fs.ReadFile(fsys, cpuFile(n, "physical_package_id"))
		if err != nil {
			break
		}
		sib, err := fs.ReadFile(fsys, cpuFile(n, "thread_siblings"))
		if err != nil {
			break
		}
		sockets[string(pkg)] = true
		cores[string(sib)] = true
	}
	if n == 0 {
		return Count{}, false
	}
	return Count{Sockets: len(sockets), Cores: len(cores), Threads: n}, true
}

// cpuFile names cpu n's file of the topology.
func cpuFile(n int, name string) string {
	return "cpu" + strconv.Itoa(n) + "/topology/" + name
}
