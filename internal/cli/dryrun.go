package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/replace"
)

// dryRun prints the commands instead of running them. A job's slot ({%})
// is the one it would get if every job took as long as every other. It
// returns the number of jobs a replacement string skipped, which GNU
// parallel counts as failed even here.
func dryRun(pl *plan, jobs jobSource, out io.Writer, limit int, verbose func([]byte)) (skipped int, err error) {
	bw := bufio.NewWriterSize(out, 64<<10)
	for {
		d, err := jobs.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bw.Flush()
			return skipped, err
		}
		var job fanout.Job
		if err := pl.render(&job, d, replace.Args{Values: d.values, Seq: d.seq, Slot: int((d.seq-1)%int64(limit)) + 1}); err != nil {
			bw.Flush()
			return skipped, err
		}
		if d.skipped {
			skipped++
		}
		if pl.tag && !d.verbatim {
			bw.Write(d.tag)
			bw.WriteByte('\t')
		}
		if verbose != nil {
			verbose(d.line) // -t: GNU parallel prints it as the job "starts"
		}
		bw.Write(d.line)
		if err := bw.WriteByte('\n'); err != nil {
			return skipped, fmt.Errorf("write standard output: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return skipped, fmt.Errorf("write standard output: %w", err)
	}
	return skipped, nil
}
