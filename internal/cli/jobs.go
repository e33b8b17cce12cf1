package cli

import (
	"errors"
	"io"
	"strings"

	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/joblog"
)

// jobSource yields the jobs of a run, one at a time: what is known of each
// before a worker renders it. Every mode (a plain run, --resume, --retry-
// failed, --dry-run) reads its jobs from one, so one submit loop and one
// dry-run path serve them all.
type jobSource interface {
	// next returns the next job, or io.EOF after the last.
	next() (*jobData, error)
}

// inputJobs numbers the records of the input, and leaves out those that an
// earlier run's job log has as done: all of them for --resume, those that
// succeeded for --resume-failed. Jobs are matched by sequence number
// alone, as GNU parallel matches them, so that a failed job runs again
// with a command line fixed since (the documented use of
// --resume-failed).
type inputJobs struct {
	src  input.Source
	seq  int64
	prev *joblog.Log // nil when not resuming
	// failedToo runs again the logged jobs that failed (--resume-failed).
	failedToo bool
	// check, if set (--check-joblog), refuses a log written by another
	// command line.
	check func(e *joblog.Entry, d *jobData) error
	// inResults, if set (--resume with --results), leaves out the jobs
	// whose output the results have already.
	inResults func(d *jobData) bool
}

func (j *inputJobs) next() (*jobData, error) {
	for {
		values, err := j.src.Next()
		if err != nil {
			return nil, err
		}
		j.seq++
		d := &jobData{values: values, seq: j.seq}
		if j.inResults != nil && j.inResults(d) {
			continue
		}
		if j.prev == nil {
			return d, nil
		}
		e, ok := j.prev.Entry(j.seq)
		if !ok || j.failedToo && !e.Succeeded() {
			return d, nil
		}
		if j.check != nil {
			if err := j.check(e, d); err != nil {
				return nil, err
			}
		}
	}
}

// retryJobs runs again the failed commands of a job log (--retry-failed),
// as they were logged, ignoring the input.
type retryJobs struct {
	failed []*joblog.Entry
}

// retryFailed lists the jobs whose last row in the log failed, in the
// order of their first row.
func retryFailed(l *joblog.Log) *retryJobs {
	r := &retryJobs{}
	seen := map[int64]bool{}
	for _, e := range l.Entries() {
		if seen[e.Seq] {
			continue
		}
		seen[e.Seq] = true
		if last, _ := l.Entry(e.Seq); !last.Succeeded() {
			r.failed = append(r.failed, last)
		}
	}
	return r
}

func (r *retryJobs) next() (*jobData, error) {
	if len(r.failed) == 0 {
		return nil, io.EOF
	}
	e := r.failed[0]
	r.failed = r.failed[1:]
	return &jobData{seq: e.Seq, line: []byte(e.Command), verbatim: true}, nil
}

// readJobs is a source read to its end ahead of the run, for a --halt rule
// that needs the number of all the jobs.
type readJobs []*jobData

func readAll(src jobSource) (readJobs, error) {
	var all readJobs
	for {
		d, err := src.next()
		if errors.Is(err, io.EOF) {
			return all, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, d)
	}
}

func (r *readJobs) next() (*jobData, error) {
	if len(*r) == 0 {
		return nil, io.EOF
	}
	d := (*r)[0]
	*r = (*r)[1:]
	return d, nil
}

// openJobs reads the job log of an earlier run when resuming, and opens
// the input.
func (p *parts) openJobs() (jobSource, error) {
	o := p.o
	path := strings.TrimPrefix(o.JobLog, "+")
	var prev *joblog.Log
	// As in GNU parallel, --results files stand in for a missing job log:
	// they tell which jobs are done (for --resume), not which failed, so
	// --resume-failed reruns them all. With a log, the log alone counts: a
	// job killed after its files were written but before its row was runs
	// again and is logged, where GNU parallel would skip it unlogged.
	files := resultsDone(o, p.plan) != nil
	byResults := o.Resume && files && o.JobLog == ""
	switch {
	case o.RetryFailed && o.JobLog == "":
		return nil, usageError{errors.New("--retry-failed needs --joblog FILE")}
	case p.resuming && o.JobLog == "" && !files:
		return nil, usageError{errors.New("--resume and --resume-failed need --joblog FILE or --results DIR")}
	}
	if p.resuming && o.JobLog != "" {
		var err error
		if prev, err = joblog.ReadFile(path); err != nil {
			return nil, err
		}
		if prev.Torn > 0 {
			p.c.warnf("joblog %s: line %d was cut off while it was written: left out, that job runs again", path, prev.Torn)
		}
		if o.RetryFailed {
			p.fitSlots()
			return retryFailed(prev), nil
		}
	}
	if p.blocks != nil {
		return p.blockJobs(prev)
	}
	in := p.inputs
	if in == nil {
		var err error
		if in, err = openSources(o, p.c); err != nil {
			return nil, err
		}
		p.closers = append(p.closers, in.close)
	}
	src := in.combine(o)
	if o.Shuf {
		var err error
		if src, err = input.Shuffle(src); err != nil {
			return nil, err
		}
	}
	p.fitSlots() // once the inputs are open, which take descriptors too
	jobs := &inputJobs{src: batch(o, p.plan, src, p.limit, p.maxLen), prev: prev, failedToo: !o.Resume}
	if byResults {
		jobs.inResults = resultsDone(o, p.plan)
	}
	if o.CheckJobLog {
		jobs.check = func(e *joblog.Entry, d *jobData) error { return p.plan.sameCommand(path, e, d) }
	}
	return jobs, nil
}

// fitSlots lowers the job slots to what the open file and process limits
// leave room for; a dry run needs none.
func (p *parts) fitSlots() {
	if !p.o.DryRun {
		p.fit = fitSlots(p.limit)
		p.limit = p.fit.slots
	}
}
