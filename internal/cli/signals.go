package cli

import (
	"os"
	"os/signal"
	"syscall"
)

// Run is the whole command: it wires the process's streams, environment and
// signals into Main and returns the exit status.
func Run(args []string) int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return Main(args, Stdio(), os.Getenv, sigs)
}
