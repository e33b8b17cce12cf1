package cli

import (
	"fmt"
	"io"
	"runtime"

	"github.com/fanoutdev/fanout/internal/cpus"
)

// cpuCount is what -j N%, +N and -N (and --load) count: hardware threads,
// or cores or sockets as --use-cores-instead-of-threads and
// --use-sockets-instead-of-threads say. --use-cpus-instead-of-cores
// changes nothing on this machine, as in GNU parallel, where it counts
// only for remote machines. Threads need no probe: they are the CPUs this
// process may run on.
func cpuCount(o *Options) int {
	switch {
	case o.UseSockets:
		return cpus.Local().Sockets
	case o.UseCores:
		return cpus.Local().Cores
	}
	return runtime.NumCPU()
}

// printCPUs prints the number --number-of-sockets, --number-of-cores
// (--number-of-cpus) or --number-of-threads asks for, as GNU parallel does.
func printCPUs(w io.Writer, what string) {
	c := cpus.Local()
	n := c.Threads
	switch what {
	case "sockets":
		n = c.Sockets
	case "cores":
		n = c.Cores
	}
	fmt.Fprintln(w, n)
}
