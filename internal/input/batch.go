package input

import (
	"errors"
	"io"
)

// Packing says how Batch packs records into jobs.
type Packing struct {
	// Max is how many records a batch holds at most (-n, -N); zero or less
	// sets no count limit. Records are counted, not values: a record of
	// several columns or sources counts once, as in GNU parallel.
	Max int

	// MaxBytes, if positive, bounds the summed length of a batch's values
	// plus one separator each, so that -X and -m stay within the command
	// line limit. A record that alone exceeds it still forms a batch of
	// its own rather than being dropped.
	MaxBytes int

	// Spread, above 1, is the number of job slots that -X and -m share
	// the input among. When the input ends while a batch fills, the
	// records of that batch are spread over Spread batches (ceil(n/Spread)
	// each, later batches no larger), so that a short input keeps every
	// slot busy instead of running as one job, as GNU parallel does.
	Spread int
}

// Batch packs records into one record each, their values concatenated,
// for -n, -N, -X and -m. With Max 1, or no limit at all, src is returned
// as it is.
//
// A batch is returned once it is full or the input ends, so a slow input
// delays it, as with xargs.
func Batch(src Source, p Packing) Source {
	if !p.Packs() {
		return src
	}
	return &batch{src: src, p: p}
}

// Packs reports whether p puts more than one record into a job.
func (p Packing) Packs() bool {
	return p.Max != 1 && (p.Max > 0 || p.MaxBytes > 0)
}

type batch struct {
	src    Source
	p      Packing
	held   [][]string // records read but not packed yet, oldest first
	spread bool       // the records have been spread once
	err    error      // from src, returned once the held records are out
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
	first, err := b.next()
	if err != nil {
		return nil, err
	}
	out := append([]string(nil), first...)
	n, size := 1, bytesOf(first)
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
		if b.p.MaxBytes > 0 && size+bytesOf(rec) > b.p.MaxBytes {
			b.held = append([][]string{rec}, b.held...)
			break
		}
		out = append(out, rec...)
		n++
		size += bytesOf(rec)
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

// bytesOf is the length a record adds to a command line: each value and
// the space before it.
func bytesOf(rec []string) int {
	n := 0
	for _, v := range rec {
		n += len(v) + 1
	}
	return n
}
