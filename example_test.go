package fanout_test

import (
	"context"
	"fmt"
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
