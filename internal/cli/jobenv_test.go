package cli

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestJobEnv is not parallel: it counts allocations.
func TestJobEnv(t *testing.T) {
	base := []string{"HOME=/h", "PARALLEL_SEQ=99", "PARALLEL_JOBSLOT0=5", "X=1"}
	e := newJobEnv(base, "", "/t", 2)
	lookup := func(env []string, name string) []string {
		var vals []string
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, name+"="); ok {
				vals = append(vals, v)
			}
		}
		return vals
	}
	for _, c := range []struct {
		slot int
		seq  int64
	}{{1, 1}, {2, 2}, {1, 3}, {1, 1234567}, {2, 5}} {
		env := e.forJob(c.slot, c.seq)
		want := map[string]string{
			"PARALLEL_SEQ": itoa64(c.seq), "PARALLEL_JOBSLOT": itoa64(int64(c.slot)),
			"PARALLEL_JOBSLOT0": itoa64(int64(c.slot - 1)), "PARALLEL_TMP": e.tmpName(c.seq),
			"PARALLEL_SSHLOGIN": ":", "HOME": "/h", "X": "1",
		}
		for name, v := range want {
			// Each once: what the environment had is replaced, not doubled.
			if got := lookup(env, name); !slices.Equal(got, []string{v}) {
				t.Errorf("slot %d job %d: $%s = %q, want %q", c.slot, c.seq, name, got, v)
			}
		}
	}
	if !strings.HasPrefix(e.tmpName(1), "/t/par") {
		t.Errorf("tmpName = %q, want it in /t", e.tmpName(1))
	}
	// A slot's later jobs cost no allocation.
	seq := int64(10)
	if n := testing.AllocsPerRun(100, func() { seq++; e.forJob(1, seq) }); n != 0 {
		t.Errorf("forJob allocates %v times per job, want 0", n)
	}
	// --process-slot-var takes PARALLEL_JOBSLOT0's place.
	env := newJobEnv(base, "SLOT", "/t", 1).forJob(1, 1)
	if got := lookup(env, "SLOT"); !slices.Equal(got, []string{"0"}) {
		t.Errorf("$SLOT = %q, want 0", got)
	}
	// ... and leaves an inherited one alone, as GNU parallel does.
	if got := lookup(env, "PARALLEL_JOBSLOT0"); !slices.Equal(got, []string{"5"}) {
		t.Errorf("$PARALLEL_JOBSLOT0 = %q with --process-slot-var, want the inherited 5", got)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
