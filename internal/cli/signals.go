package cli

import (
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Run is the whole command: it wires the process's streams, environment and
// signals into Main and returns the exit status.
func Run(args []string) int {
	if os.Getenv("GOGC") == "" {
		// Each job leaves a few kilobytes of garbage (mostly the
		// environment converted for exec) and little stays live: collecting
		// early keeps memory flat from a thousand jobs to millions, for
		// microseconds of CPU per hundred jobs.
		debug.SetGCPercent(10)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return Main(args, Stdio(), os.Getenv, sigs)
}
