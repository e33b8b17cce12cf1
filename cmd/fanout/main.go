// Command fanout runs a command many times, at most N at once, with GNU
// parallel's everyday syntax: fanout -j 3 gzip -9 ::: *.log
package main

import (
	"os"

	"github.com/fanoutdev/fanout/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:]))
}
