package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/output"
)

// retriesForever is --retries 0, which GNU parallel documents as "retry
// until it succeeds" and counts as 2^31 attempts.
const retriesForever = 1 << 31

// ParseDelay parses --delay: a duration as ParseDuration reads it, with
// "auto" after it for a delay that adapts as jobs end (jobDelay). "auto"
// alone is no delay, which stays none, as in GNU parallel.
func ParseDelay(s string) (time.Duration, bool, error) {
	v, auto := strings.CutSuffix(s, "auto")
	if v == "" && auto {
		return 0, true, nil
	}
	d, err := ParseDuration(v)
	if err != nil {
		return 0, false, fmt.Errorf("--delay %q: %v (use seconds, such as 0.5, 2m or 1sauto)", s, err)
	}
	return d, auto, nil
}

// jobDelay is the pause between job starts. With auto, as in GNU
// parallel, each job that fails makes it 30% longer and each that
// succeeds 10% shorter; the submit loop reads it, workers change it.
type jobDelay struct {
	auto bool
	ns   atomic.Int64
}

func newJobDelay(d time.Duration, auto bool) *jobDelay {
	j := &jobDelay{auto: auto}
	j.ns.Store(int64(d))
	return j
}

func (j *jobDelay) current() time.Duration { return time.Duration(j.ns.Load()) }

// finished adapts the delay to r. A job that exited non-zero, or could
// not start, failed; one killed by a signal counts as succeeded, as GNU
// parallel's exit value of 0 for it does.
func (j *jobDelay) finished(r *fanout.Result) {
	if !j.auto {
		return
	}
	factor := 0.9
	if r.ExitCode > 0 || r.Err != nil {
		factor = 1.3
	}
	for {
		old := j.ns.Load()
		next := int64(math.Min(float64(old)*factor, float64(math.MaxInt64/2)))
		if j.ns.CompareAndSwap(old, next) {
			return
		}
	}
}

// ParseNice parses --nice: a whole number, clamped to the -20..19 that
// the system allows.
func ParseNice(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("--nice %q: not a whole number (niceness runs from -20 to 19)", s)
	}
	return max(-20, min(n, 19)), nil
}

// colorFor is the printer's colouring for --color and --color-failed, or
// nil without them. --color is by job sequence number, GNU parallel's
// colours; --color-failed turns a job that failed white on red, and is
// known only once it ended (not with --line-buffer, as in GNU parallel).
func colorFor(o *Options) func(*fanout.Job, *fanout.Result) []byte {
	if !o.Color && !o.ColorFailed {
		return nil
	}
	color, failed := o.Color, o.ColorFailed
	return func(j *fanout.Job, r *fanout.Result) []byte {
		if failed && r != nil && (r.ExitCode > 0 || r.Err != nil) {
			return output.FailedColor()
		}
		if color {
			return output.JobColor(dataOf(j).seq)
		}
		return nil
	}
}

// exactOnly are the long names (as optionIndex keys them) that are never
// abbreviated: fanout's own options that GNU parallel 20221122 lacks, so
// that a prefix keeps the meaning it has there (--bi is --bin).
var exactOnly = map[string]bool{"citation": true, "bibtex": true}

// citation answers --citation and --bibtex.
const citation = `fanout prints no citation notice and asks for none: --will-cite and
--no-notice are accepted and do nothing. If you publish work done with
GNU parallel's command-line syntax and want to credit it, cite GNU
parallel: O. Tange, GNU Parallel 20221122 ('Херсо́н'), Zenodo,
https://doi.org/10.5281/zenodo.7347980.
`

func printCitation(w io.Writer) int {
	io.WriteString(w, citation)
	return ExitOK
}

// ParseSemTimeout parses --semaphore-timeout: seconds as ParseDuration
// reads them, negative to give up rather than take the slot.
func ParseSemTimeout(s string) (time.Duration, error) {
	v, neg := strings.CutPrefix(s, "-")
	d, err := ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("--semaphore-timeout %q: %v (use seconds: 10 takes the slot after 10s, -10 gives up)", s, err)
	}
	if neg {
		d = -d
	}
	return d, nil
}

// running builds what the options for running jobs on this machine ask
// of the parts: the delay between starts, the admission of jobs (--load,
// --memfree, --memsuspend, --noswap), the --env prefix and the niceness.
// A dry run starts nothing, so it changes nothing of the machine's.
func (p *parts) running(env func(string) string) error {
	o := p.o
	p.delay = newJobDelay(o.Delay, o.DelayAuto)
	if l, ok := p.exe.(*fanout.Local); ok {
		prefix, err := envPrefix(o, env, p.c, l.Shell)
		if err != nil {
			return err
		}
		if prefix != "" {
			p.plan.envPrefix, p.plan.shell = prefix, true
		}
	}
	if o.DryRun {
		return nil
	}
	if o.NiceSet {
		if err := applyNice(o.Nice); err != nil {
			return fmt.Errorf("--nice %d: %w", o.Nice, err)
		}
	}
	seq := o.TermSeq
	if seq == nil {
		seq = fanout.DefaultTermSeq
	}
	sh, err := shellFor(env)
	if err != nil {
		return err
	}
	adm, err := admissionFor(o, p.c, seq, sh)
	if err != nil {
		return err
	}
	if adm != nil {
		p.adm = adm
		p.closers = append(p.closers, adm.close)
	}
	return nil
}
