package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
)

// syncBuffer lets the sink and the submitting loop write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func TestSeedRunsEveryTask(t *testing.T) {
	var out syncBuffer
	delays := []float64{0.3, 0.1, 0.2, 0.1, 0.1, 0.1}
	i := 0
	next := func() float64 { d := delays[i]; i++; return d }
	if err := run(context.Background(), &out, 6, 3, next); err != nil {
		t.Fatal(err)
	}
	started := map[string]bool{}
	finished := 0
	for _, line := range strings.Split(out.b.String(), "\n") {
		var task string
		switch {
		case strings.HasPrefix(line, ">>>>> task "):
			task = strings.Fields(line)[2]
			started[task] = true
		case strings.HasPrefix(line, "<<<<< task "):
			task = strings.Fields(line)[2]
			if !started[task] {
				t.Errorf("task %s finished before it started", task)
			}
			if !strings.HasSuffix(line, "finished with status 0") {
				t.Errorf("unexpected result line %q", line)
			}
			finished++
		}
	}
	if len(started) != 6 || finished != 6 {
		t.Fatalf("started=%d finished=%d, want 6 each\n%s", len(started), finished, out.b.String())
	}
	if !strings.Contains(out.b.String(), "starts with delay 0.3 seconds") {
		t.Fatalf("delay not printed with fixed precision:\n%s", out.b.String())
	}
}
