package input

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Packing says how Batch packs records into jobs.
type Packing struct {
	// Max is how many records a batch holds at most (-n, -N); zero or less
	// sets no count limit. Records are counted, not values: a record of
	// several columns or sources counts once, as in GNU parallel.
	Max int

	// Meter, if set, measures the command line of each batch, and MaxLen
	// bounds it: a batch ends before the record that would make its line
	// MaxLen long or longer (GNU parallel's rule), and a record that does
	// so alone stops the input with a *LineTooLongError.
	Meter  Meter
	MaxLen int

	// Spread, above 1, is the number of job slots that -X and -m share
	// the input among. When the input ends while a batch fills, the
	// records of that batch are spread over Spread batches (ceil(n/Spread)
	// each, later batches no larger), so that a short input keeps every
	// slot busy instead of running as one job, as GNU parallel does.
	Spread int
}

// Meter measures the command line that the values of a batch make, as
// records join it, without rendering it.
type Meter interface {
	// Reset begins the line of batch seq (the first is 1), with no values.
	Reset(seq int64)
	// Add adds a record, the last n values of line, which holds all the
	// batch's values so far, and returns the length of the line.
	Add(line []string, n int) int
	// Undo takes the record of the last Add back out.
	Undo()
}

// LineTooLongError is the error for a record whose command line alone is
// longer than the limit.
type LineTooLongError struct {
	Len, Max int      // the line's length, and the limit it reaches
	Record   []string // the record's values
}

// Error is GNU parallel's message, down to its "at input 0" (it counts no
// inputs there) and the values cut to 50 bytes.
func (e *LineTooLongError) Error() string {
	vals := strings.Join(e.Record, " ")
	if len(vals) > 50 {
		vals = vals[:50] + "..."
	}
	return fmt.Sprintf("command line too long (%d >= %d) at input 0: %s", e.Len, e.Max, vals)
}

// Batch packs records into one record each, their values concatenated,
// for -n, -N, -X and -m, and holds each line to the Meter's limit. With
// Max 1 and no Meter, src is returned as it is.
//
// A batch is returned once it is full or the input ends, so a slow input
// delays it, as with xargs.
func Batch(src Source, p Packing) Source {
	if p.Max == 1 && p.Meter == nil {
		return src
	}
	return &batch{src: src, p: p}
}

type batch struct {
	src    Source
	p      Packing
	held   [][]string // records read but not packed yet, oldest first
	spread bool       // the records have been spread once
	err    error      // from src, returned once the held records are out
	fail   error      // a line too long: the end of the batches
	seq    int64      // batches returned
}

// next returns the oldest held record, else one from src.
func (b *batch) next() ([]string, error) {
	if len(b.held) > 0 {
		rec := b.held[0]
		b.held[0] = nil
		b.held = b.held[1:]
		return rec, nil
	}
	if b.err != nil {
		return nil, b.err
	}
	rec, err := b.src.Next()
	if err != nil {
		b.err = err
	}
	return rec, err
}

func (b *batch) Next() ([]string, error) {
	if b.fail != nil {
		return nil, b.fail
	}
	first, err := b.next()
	if err != nil {
		return nil, err
	}
	b.seq++
	m := b.p.Meter
	if m != nil {
		m.Reset(b.seq)
		if n := m.Add(first, len(first)); n >= b.p.MaxLen {
			b.fail = &LineTooLongError{Len: n, Max: b.p.MaxLen, Record: first}
			return nil, b.fail
		}
	}
	if b.p.Max == 1 {
		return first, nil
	}
	out := append([]string(nil), first...)
	n := 1
	// The size of each record, kept only while a spread may still come.
	var sizes []int
	track := b.p.Spread > 1 && !b.spread
	if track {
		sizes = append(sizes, len(first))
	}
	for b.p.Max <= 0 || n < b.p.Max {
		rec, err := b.next()
		if err != nil {
			// A failure after some records still lets them run first.
			break
		}
		out = append(out, rec...)
		if m != nil && m.Add(out, len(rec)) >= b.p.MaxLen {
			m.Undo()
			out = out[:len(out)-len(rec)]
			b.held = append([][]string{rec}, b.held...)
			break
		}
		n++
		if track {
			sizes = append(sizes, len(rec))
		}
	}
	if track && n > 1 && len(b.held) == 0 {
		if b.err == nil {
			// Full by count: look one record ahead to learn whether the
			// input ends here, as GNU parallel does; this waits for it.
			if rec, err := b.next(); err == nil {
				b.held = append(b.held, rec)
			}
		}
		if len(b.held) == 0 && errors.Is(b.err, io.EOF) {
			out = b.spreadOut(out, sizes)
		}
	}
	return out, nil
}

// spreadOut keeps the first share of the batch out, whose records have
// the given sizes, holds the rest for the next batches, and limits those
// to the same share.
func (b *batch) spreadOut(out []string, sizes []int) []string {
	b.spread = true
	share := (len(sizes) + b.p.Spread - 1) / b.p.Spread
	b.p.Max = share
	cut := 0
	for _, s := range sizes[:share] {
		cut += s
	}
	// The held records share out's array past its cut, which the caller's
	// appends cannot reach.
	at := cut
	for _, s := range sizes[share:] {
		b.held = append(b.held, out[at:at+s:at+s])
		at += s
	}
	return out[:cut:cut]
}
