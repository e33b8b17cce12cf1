package cli

import (
	"strconv"
	"testing"
)

func TestBinPick(t *testing.T) {
	// GNU parallel's binner: $_ % jobs, 0 the last job; perl's numbers.
	tests := []struct {
		key  string
		n    int
		want int // the job, from 1
	}{
		{"1", 2, 1}, {"2", 2, 2}, {"3", 2, 1}, {"4\n", 2, 2},
		{"1", 3, 1}, {"3", 3, 3}, {"4", 3, 1},
		{"x", 2, 2}, {"", 3, 3}, {" 5", 3, 2}, {"7abc", 3, 1},
		{"-1", 3, 2}, {"1.9", 2, 1}, {"1e1", 3, 1}, {"+2", 3, 2},
	}
	for _, tt := range tests {
		if got := binPick([]byte(tt.key), tt.n) + 1; got != tt.want {
			t.Errorf("binPick(%q, %d) = job %d, want %d", tt.key, tt.n, got, tt.want)
		}
	}
}

func TestShardPick(t *testing.T) {
	// A function of the key, spread over every job.
	seen := make(map[int]bool)
	for i := 0; i < 1000; i++ {
		k := []byte(strconv.Itoa(i))
		j := shardPick(k, 4)
		if j < 0 || j >= 4 || shardPick(k, 4) != j {
			t.Fatalf("shardPick(%q, 4) = %d, then %d", k, j, shardPick(k, 4))
		}
		seen[j] = true
	}
	if len(seen) != 4 {
		t.Errorf("1000 keys went to %d of 4 jobs", len(seen))
	}
}

func FuzzPerlInt(f *testing.F) {
	for _, s := range []string{"1", "-2.5e3x", " +7", "", "e5", "1e999", "..1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := perlInt([]byte(s))
		for n := 1; n <= 5; n++ {
			if j := binPick([]byte(s), n); j < 0 || j >= n {
				t.Fatalf("binPick(%q, %d) = %d (perlInt %d)", s, n, j, v)
			}
		}
	})
}

func TestCodecFor(t *testing.T) {
	none := func(string) string { return "" }
	if c, err := codecFor(&Options{Compress: true}, none); c != nil || err != nil {
		t.Errorf("--compress with no program installed: %v, %v; want none (as it is)", c, err)
	}
	c, err := codecFor(&Options{CompressProgram: "lz4 -9"}, none)
	if sc, ok := c.(*shellCodec); err != nil || !ok || sc.compress != "lz4 -9" || sc.decompress != "lz4 -9 -dc" {
		t.Errorf("--compress-program lz4 -9: %#v, %v", c, err)
	}
	if c, err := codecFor(&Options{DecompressProgram: "cat"}, none); c != nil || err != nil {
		t.Errorf("--decompress-program alone: %v, %v; want no compressing", c, err)
	}
}
