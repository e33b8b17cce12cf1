//go:build unix

package main

import (
	"math"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
}

func TestRatio(t *testing.T) {
	if got := ratio(3, 2); got != 1.5 {
		t.Errorf("ratio(3, 2) = %v", got)
	}
	for _, c := range [][2]float64{{1, 0}, {math.NaN(), 1}, {1, math.NaN()}} {
		if r := ratio(c[0], c[1]); !math.IsNaN(r) || r <= 1.10 || r >= 5 {
			t.Errorf("ratio(%v, %v) = %v, want NaN (failing every target)", c[0], c[1], r)
		}
	}
}

func TestResults(t *testing.T) {
	res := results{"a": {{wall: time.Second, rss: 5, cpu: 3 * time.Second}, {wall: 3 * time.Second, rss: 9, cpu: time.Second}, {wall: 2 * time.Second, rss: 7, cpu: 2 * time.Second}}}
	if w := res.wall("a"); w != 2 {
		t.Errorf("wall = %v, want 2", w)
	}
	if c := res.cpu("a"); c != 2 {
		t.Errorf("cpu = %v, want 2", c)
	}
	if m := res.rss("a"); m != 9 {
		t.Errorf("rss = %v, want 9 (the largest)", m)
	}
	if !math.IsNaN(res.wall("b")) || !math.IsNaN(res.rss("b")) || !math.IsNaN(res.cpu("b")) {
		t.Error("a tool without samples is not NaN")
	}
}
