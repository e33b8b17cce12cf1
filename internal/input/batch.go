package input

// Batch packs up to max records into one, their values concatenated, for
// -n, -N, -X and -m, which count records (a record of several columns or
// sources counts once, as in GNU parallel). max <= 0 sets no count limit.
//
// maxBytes > 0 also bounds the summed length of the values plus one
// separator each, so that -X and -m stay within the command line limit; a
// record that alone exceeds it still forms a batch of its own rather than
// being dropped. With max <= 1 and no byte limit, or max == 1, src is
// returned as it is.
//
// A batch is returned once it is full or the input ends, so a slow input
// delays it, as with xargs.
func Batch(src Source, max int, maxBytes int) Source {
	if max == 1 || (max <= 0 && maxBytes <= 0) {
		return src
	}
	return &batch{src: src, max: max, maxBytes: maxBytes}
}

type batch struct {
	src      Source
	max      int
	maxBytes int
	held     []string // read but did not fit the previous batch
	holding  bool
	err      error // from src, returned once the held record is out
}

func (b *batch) Next() ([]string, error) {
	rec, holding := b.held, b.holding
	b.held, b.holding = nil, false
	if !holding {
		if b.err != nil {
			return nil, b.err
		}
		var err error
		if rec, err = b.src.Next(); err != nil {
			b.err = err
			return nil, err
		}
	}
	out := append([]string(nil), rec...)
	n, size := 1, bytesOf(rec)
	for b.max <= 0 || n < b.max {
		rec, err := b.src.Next()
		if err != nil {
			// A failure after some records still lets them run first.
			b.err = err
			break
		}
		if b.maxBytes > 0 && size+bytesOf(rec) > b.maxBytes {
			b.held, b.holding = rec, true
			break
		}
		out = append(out, rec...)
		n++
		size += bytesOf(rec)
	}
	return out, nil
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
