// Package cpus counts this machine's processors as GNU parallel does: the
// sockets with a processor in them, the physical cores, and the hardware
// threads, each no more than the threads this process may run on.
package cpus

import (
	"bufio"
	"bytes"
	"strings"
)

// Count is what Local finds. The zero value counts nothing; Local never
// returns it.
type Count struct {
	Sockets int // physical packages
	Cores   int // physical cores, each maybe running several threads
	Threads int // hardware threads (hyperthreads), what -j 100% counts
}

// Local counts this machine's processors: on Linux from sysfs's topology,
// else from /proc/cpuinfo; on the BSDs and macOS from sysctl. A count no
// source gives is filled in as GNU parallel fills it: one socket, as many
// threads as cores, and the number of CPUs this process may run on
// (runtime.NumCPU) for anything still unknown. Each is then at most the
// threads this process may use (taskset, cgroups' cpusets).
func Local() Count {
	return complete(probe(), active())
}

// complete fills in what c lacks and holds it to the active threads.
func complete(c Count, active int) Count {
	if c.Cores == 0 && c.Threads == 0 {
		c.Cores, c.Threads, c.Sockets = active, active, active
	}
	if c.Cores == 0 {
		c.Cores = c.Threads
	}
	if c.Sockets == 0 {
		c.Sockets = 1
	}
	if c.Threads == 0 {
		c.Threads = c.Cores
	}
	if active > 0 {
		c.Sockets, c.Cores, c.Threads = min(c.Sockets, active), min(c.Cores, active), min(c.Threads, active)
	}
	return c
}

// ParseCPUInfo counts the processors that Linux's /proc/cpuinfo lists, as
// GNU parallel reads it: a socket per distinct "physical id", a core per
// distinct "core id" within its socket, a thread per "processor" line. A
// file without core ids (many ARM machines) has a core per thread.
func ParseCPUInfo(text []byte) Count {
	var c Count
	sockets := map[string]bool{}
	cores := map[[2]string]bool{}
	physical := ""
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20) // the flags line is long
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case key == "physical id":
			physical = val
			if !sockets[val] {
				sockets[val] = true
				c.Sockets++
			}
		case key == "core id":
			if k := [2]string{physical, val}; !cores[k] {
				cores[k] = true
				c.Cores++
			}
		case strings.EqualFold(key, "processor") && val != "" && val[0] >= '0' && val[0] <= '9':
			c.Threads++
		}
	}
	if c.Cores == 0 {
		c.Cores = c.Threads
	}
	if c.Sockets == 0 {
		c.Sockets = 1
	}
	return c
}
