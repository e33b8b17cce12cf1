package fanout_test

import (
	"context"
	"io"
	"testing"

	"github.com/fanoutdev/fanout"
)

// BenchmarkPoolTrue measures the whole per-job path with a real process:
// submit, spawn, supervise, reap, deliver.
func BenchmarkPoolTrue(b *testing.B) {
	job := &fanout.Job{Args: []string{"true"}, Path: "/bin/true"}
	p := &fanout.Pool{Limit: 2, Sink: fanout.SinkFunc(func(*fanout.Result) error { return nil })}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p.Go(ctx, job)
	}
	p.Wait()
}

// BenchmarkResultDelivery measures delivery with output to print, through
// the sink to a writer, as the CLI's group mode does.
func BenchmarkResultDelivery(b *testing.B) {
	job := &fanout.Job{Args: []string{"echo", "hello"}, Path: "/bin/echo"}
	p := &fanout.Pool{Limit: 2, Ordered: true, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
		_, err := r.Stdout.WriteTo(io.Discard)
		return err
	})}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p.Go(ctx, job)
	}
	p.Wait()
}
