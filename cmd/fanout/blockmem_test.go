package main

import (
	"io"
	"testing"
)

// lineStream is an endless stream of lines, made here so that the test
// needs no file of a gigabyte.
type lineStream struct {
	off int
}

const streamLine = "0123456789 the quick brown fox jumps over the lazy dog\n"

func (s *lineStream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], streamLine[s.off:])
		n += k
		s.off = (s.off + k) % len(streamLine)
	}
	return n, nil
}

// TestMemoryBoundedPipingAGigabyte checks that --pipe keeps a few blocks per
// job slot in memory, whatever the size of its input: 1 GiB goes through,
// and less behind a slow first job with -k and in many small blocks.
func TestMemoryBoundedPipingAGigabyte(t *testing.T) {
	if testing.Short() {
		t.Skip("moves a gigabyte")
	}
	bin := plainBinary(t)
	const ceiling = 32.0 // MiB: a 1 MiB block for each of 2 slots, several times over
	cases := []struct {
		name string
		size int64
		args []string
	}{
		{"wc", 1 << 30, []string{"--pipe", "--block", "1M", "-j2", "wc", "-l"}},
		{"keep-order behind a slow job", 256 << 20, []string{"--pipe", "-k", "-j2", "if [ {#} = 1 ]; then sleep 1; fi; wc -l"}},
		{"small blocks", 256 << 20, []string{"--pipe", "--block", "64k", "-j2", "wc", "-c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := io.LimitReader(&lineStream{}, c.size)
			rss := peakRSSWith(t, bin, t.TempDir(), in, c.args...)
			t.Logf("peak RSS %.1f MiB", rss)
			if rss > ceiling {
				t.Fatalf("peak RSS %.1f MiB, over the %.0f MiB ceiling", rss, ceiling)
			}
		})
	}
}
