package fanout_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fanoutdev/fanout"
)

// A job that spills to a file an earlier job spilled to, and wrote more
// into, gets back its own bytes only, in every order of sizes.
func TestReusedSpillFileHoldsOnlyItsJob(t *testing.T) {
	t.Parallel()
	sizes := []int{1 << 20, 100000, 5000, 3 << 20, 4097, 200000}
	for _, ordered := range []bool{false, true} {
		p := &fanout.Pool{Limit: 1, Ordered: ordered, CaptureLimit: 4096, TempDir: t.TempDir()}
		var jobs []*fanout.Job
		for i, n := range sizes {
			jobs = append(jobs, helper(t, "fill", strconv.Itoa(n), string(rune('a'+i))))
		}
		for i, r := range runAll(t, p, jobs...) {
			want := strings.Repeat(string(rune('a'+i)), sizes[i])
			if r.stdout != want || !r.spilled {
				t.Fatalf("ordered=%v: job %d printed %d bytes (spilled %v), want %d of %c", ordered, i+1, len(r.stdout), r.spilled, sizes[i], 'a'+i)
			}
		}
	}
}
