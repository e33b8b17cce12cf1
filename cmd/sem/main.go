// Command sem is fanout --semaphore, as GNU parallel's sem is parallel
// --semaphore: it runs a command while holding one of -j slots of a
// counting semaphore shared by the processes of this machine.
//
//	sem -j2 --id build make target   # waits for a slot, then returns
//	sem --wait --id build            # until every holder is done
package main

import (
	"os"

	"github.com/fanoutdev/fanout/internal/cli"
)

func main() {
	// Named sem or not, it is the semaphore: a copy renamed stays one.
	os.Exit(cli.Run(append([]string{"--semaphore"}, os.Args[1:]...)))
}
