package fanout_test

import (
	"context"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// A job whose context ends just as it starts is terminated, not left to run
// to its end: the wake-up that the context's end sends may come before the
// runner has started the process.
func TestCanceledAtStartStops(t *testing.T) {
	t.Parallel()
	r, err := (&fanout.Local{}).Runner()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var res fanout.Result
		start := time.Now()
		r.Run(ctx, fanout.Command("sleep", "10"), &res)
		if d := time.Since(start); !res.Canceled || d > 5*time.Second {
			t.Fatalf("run %d: canceled %v after %v (err %v), want canceled promptly", i, res.Canceled, d, res.Err)
		}
	}
}
