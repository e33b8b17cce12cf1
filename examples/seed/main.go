// Command seed is the demo fanout grew from: six `sleep` jobs with random
// delays under a second, at most three at a time, each announced as it
// starts and reported (status, stdout, stderr) the moment it finishes.
// The loop reads like the sequential one it replaces.
package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/fanoutdev/fanout"
)

func main() {
	if err := run(context.Background(), os.Stdout, 6, 3, rand.Float64); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// run starts tasks sleep jobs, at most limit at once, with delays drawn
// from delay.
func run(ctx context.Context, w io.Writer, tasks, limit int, delay func() float64) error {
	pool := &fanout.Pool{Limit: limit, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		fmt.Fprintf(w, "<<<<< task %d finished with status %d\n", r.Job.Data, r.ExitCode)
		fmt.Fprintf(w, "      stdout: %q, stderr: %q\n", r.Stdout.String(), r.Stderr.String())
		return nil
	})}
	for i := range tasks {
		d := delay()
		job := fanout.Command("sleep", fmt.Sprintf("%.1f", d))
		job.Data = i
		if _, err := pool.Go(ctx, job); err != nil { // waits while limit jobs run
			return err
		}
		fmt.Fprintf(w, ">>>>> task %d starts with delay %.1f seconds\n", i, d)
	}
	return pool.Wait()
}
