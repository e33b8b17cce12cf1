//go:build unix

// Command peak runs a command and writes the peak resident set size of
// that command's own process, in KiB, and the CPU time (user and system)
// it and the processes it waited for took, in microseconds, to a file:
//
//	peak OUT COMMAND [ARG...]
//
// The benchmark starts every tool through it because Linux counts the
// memory of the process that forks a child in the child's peak RSS: a
// child of the benchmark, which holds the inputs, would report at least
// the benchmark's size. A small process in between keeps the floor at
// about 2 MiB. Its exit status is the command's.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: peak OUT COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "peak:", err)
		os.Exit(127)
	}
	kib := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Microseconds()
	out := fmt.Appendf(nil, "%d %d", kib, cpu)
	if werr := os.WriteFile(os.Args[1], out, 0o644); werr != nil {
		fmt.Fprintln(os.Stderr, "peak:", werr)
		os.Exit(126)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
