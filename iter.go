package fanout

import (
	"context"
	"errors"
	"iter"
	"sync"
)

// Run runs jobs, at most Limit at once, and yields each result on the
// calling goroutine as its job finishes (for an Ordered pool, in
// submission order), so that the loop reads as if the jobs ran one after
// another:
//
//	for r, err := range pool.Run(ctx, slices.Values(jobs)) {
//		if err != nil {
//			return err // the pool itself failed (see Wait)
//		}
//		fmt.Printf("%s exited %d\n", r.Job, r.ExitCode)
//	}
//
// A job's own failure is data in its Result; err is set at most once, last,
// when the pool failed. Breaking out of the loop stops the pool cleanly:
// jobs not yet started never start, running ones are terminated as when
// ctx ends, and Run returns once they are over. Jobs are pulled from the
// sequence only as workers free up.
//
// A yielded Result is the caller's to keep, as one handed to a Sink; output
// that spilled to disk is released when the loop body returns, unless it
// called Keep. Run is the pool's Sink: call it once, on a pool without
// one, instead of Go and Wait.
func (p *Pool) Run(ctx context.Context, jobs iter.Seq[*Job]) iter.Seq2[*Result, error] {
	return func(yield func(*Result, error) bool) {
		if p.Sink != nil {
			yield(nil, errors.New("fanout: Pool.Run on a pool that has a Sink"))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		results := make(chan *Result)
		taken := make(chan struct{}) // the loop body is done with a result
		stop := make(chan struct{})  // the loop was broken out of
		p.Sink = SinkFunc(func(r *Result) error {
			select {
			case results <- r:
			case <-stop:
				return nil
			}
			select {
			case <-taken:
			case <-stop:
			}
			return nil
		})
		var waitErr error
		var once sync.Once
		finish := func() {
			once.Do(func() {
				waitErr = p.Wait()
				close(results)
			})
		}
		go func() {
			for j := range jobs {
				if _, err := p.Go(ctx, j); err != nil {
					break
				}
			}
			finish()
		}()
		for r := range results {
			more := yield(r, nil)
			if !more {
				// The submitting goroutine may be blocked in jobs: finish
				// here, with the sink no longer waiting for this loop.
				close(stop)
				cancel()
				p.Stop()
				finish()
				return
			}
			taken <- struct{}{}
		}
		if waitErr != nil {
			yield(nil, waitErr)
		}
	}
}
