package cli

import (
	"sync"

	"github.com/fanoutdev/fanout"
)

// settle lets -t print a job's command, and -p ask of it, only once the
// output of the jobs that finished before it started is out. GNU parallel
// prints finished
// jobs' output before it starts the next job, so that under -j1 each
// command on standard error comes after the previous job's output; the
// pool's workers start the next job while the sink may still be printing
// the last.
//
// With -k only the finished jobs whose turn has come print, so what is
// awaited is the finished prefix of the sequence, not every finished job.
type settle struct {
	ordered bool

	mu        sync.Mutex
	finished  int64          // jobs over, in any order (unordered)
	prefix    int64          // the highest seq with every seq up to it over (ordered)
	over      map[int64]bool // seqs over beyond prefix (ordered)
	delivered int64          // results the sink is done with
	changed   chan struct{}  // closed and renewed at each delivery
}

func newSettle(ordered bool) *settle {
	return &settle{ordered: ordered, over: map[int64]bool{}, changed: make(chan struct{})}
}

// observe counts a job that is over (a Finished event).
func (s *settle) observe(ev fanout.Event) {
	if ev.Kind != fanout.Finished {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished++
	if !s.ordered {
		return
	}
	s.over[ev.Seq] = true
	for s.over[s.prefix+1] {
		delete(s.over, s.prefix+1)
		s.prefix++
	}
}

// delivered counts a result the sink has printed (or dropped).
func (s *settle) done() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivered++
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait returns once every result that is due has been delivered, or once
// stopped is closed.
func (s *settle) wait(stopped <-chan struct{}) {
	s.mu.Lock()
	due := s.finished
	if s.ordered {
		due = s.prefix
	}
	for s.delivered < due {
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-stopped:
			return
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
}
