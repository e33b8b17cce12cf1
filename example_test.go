package fanout_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fanoutdev/fanout"
)

// The seed of the project: jobs run three at a time, and each result is
// handled as its job finishes, in a loop that reads like the sequential
// one. Ordered makes the printed order deterministic for this example.
func ExamplePool() {
	ctx := context.Background()
	pool := &fanout.Pool{Limit: 3, Ordered: true, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		fmt.Printf("task %d finished with status %d, stdout %q\n", r.Seq, r.ExitCode, strings.TrimSpace(r.Stdout.String()))
		return nil
	})}
	for _, delay := range []string{"0.3", "0.1", "0.2", "0", "0.1", "0"} {
		pool.Go(ctx, fanout.ShellCommand("sleep "+delay+"; echo slept "+delay))
	}
	if err := pool.Wait(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// task 1 finished with status 0, stdout "slept 0.3"
	// task 2 finished with status 0, stdout "slept 0.1"
	// task 3 finished with status 0, stdout "slept 0.2"
	// task 4 finished with status 0, stdout "slept 0"
	// task 5 finished with status 0, stdout "slept 0.1"
	// task 6 finished with status 0, stdout "slept 0"
}

// Run turns a sequence of jobs into a sequence of results: the loop body
// handles each result as its job finishes, and break stops the pool.
func ExamplePool_Run() {
	jobs := []*fanout.Job{
		fanout.Command("echo", "one"),
		fanout.ShellCommand("echo two; exit 3"),
		fanout.Command("no-such-program-here"),
	}
	pool := &fanout.Pool{Limit: 2, Ordered: true}
	for r, err := range pool.Run(context.Background(), slices.Values(jobs)) {
		if err != nil {
			fmt.Println("pool:", err)
			break
		}
		switch {
		case r.Err != nil:
			fmt.Printf("%s: could not run\n", r.Job)
		default:
			fmt.Printf("%s: exit %d, stdout %q\n", r.Job, r.ExitCode, r.Stdout.String())
		}
	}
	// Output:
	// echo one: exit 0, stdout "one\n"
	// echo two; exit 3: exit 3, stdout "two\n"
	// no-such-program-here: could not run
}
