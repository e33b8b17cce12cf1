// Command spawner is the benchmark's floor: the least a Go program can do to
// run a command once per input line, N at a time. N goroutines each call
// exec.Command(...).Run(), with the output inherited and nothing captured.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

func main() {
	jobs := flag.Int("j", 2, "jobs at once")
	shell := flag.Bool("sh", false, "run `sh -c 'COMMAND LINE'` instead of COMMAND LINE")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: spawner [-j N] [-sh] command [args] < inputs")
		os.Exit(2)
	}
	lines := make(chan string)
	var wg sync.WaitGroup
	for range *jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range lines {
				var cmd *exec.Cmd
				if *shell {
					cmd = exec.Command("/bin/sh", "-c", strings.Join(args, " ")+" "+l)
				} else {
					cmd = exec.Command(args[0], append(args[1:len(args):len(args)], l)...)
				}
				cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
				cmd.Run()
			}
		}()
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		lines <- sc.Text()
	}
	close(lines)
	wg.Wait()
}
