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
// from delay. The jobs are a sequence the pool pulls from as slots free up;
// the loop handles each result the moment its job finishes.
func run(ctx context.Context, w io.Writer, tasks, limit int, delay func() float64) error {
	jobs := func(yield func(*fanout.Job) bool) {
		for i := range tasks {
			d := delay()
			job := fanout.Command("sleep", fmt.Sprintf("%.1f", d))
			job.Data = i
			if !yield(job) { // returns once the job has a slot
				return
			}
			fmt.Fprintf(w, ">>>>> task %d starts with delay %.1f seconds\n", i, d)
		}
	}
	pool := &fanout.Pool{Limit: limit}
	for r, err := range pool.Run(ctx, jobs) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "<<<<< task %d finished with status %d\n", r.Job.Data, r.ExitCode)
		fmt.Fprintf(w, "      stdout: %q, stderr: %q\n", r.Stdout.String(), r.Stderr.String())
	}
	return nil
}
