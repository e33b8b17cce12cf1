package fanout

// EventKind says what happened to a job.
type EventKind int

const (
	// Started: the job's process is about to start, in its slot.
	Started EventKind = iota + 1
	// Finished: the job is over, after its last attempt; its result has
	// not reached the Sink yet.
	Finished
)

func (k EventKind) String() string {
	switch k {
	case Started:
		return "started"
	case Finished:
		return "finished"
	}
	return "unknown"
}

// Event is one thing that happened to a job, reported to Pool.Observe as
// it happens.
type Event struct {
	Kind EventKind
	Seq  int64 // the job's submission number
	Slot int   // the worker running it
	Job  *Job
	// Result is the job's result so far: for Finished, the one the Sink
	// will get. It may be read during the call, not kept.
	Result *Result
}
