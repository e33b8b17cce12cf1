package input

import "io"

// Combine returns every combination of the groups' records, the last
// group varying fastest (`::: a b ::: c d` gives a c, a d, b c, b d), as
// GNU parallel does without --link.
//
// The sources of one group are linked as by --link: their records are
// paired, and the shorter sources wrap around until the longest ends
// (`--link ::: a b c ::: 1 2` gives a1 b2 c1). For :::+ and ::::+, which
// do not wrap, use CombineShortest.
//
// As in GNU parallel, a source that turns out to be empty counts as one
// empty value while any other source has values (`::: a b ::: ` gives
// "a ”" and "b ”"); only when all are empty are there no records.
// (GNU parallel itself fails on an empty source under --link.)
//
// The first group is read lazily, one record per combination round, and
// is not kept; every later group is kept in memory as it is read, since
// its records repeat. The first record of every source is read before the
// first combination is returned, to learn which sources are empty. A
// single source is returned as it is.
func Combine(groups [][]Source) Source {
	return newProduct(groups, false)
}

// CombineShortest is Combine for groups linked with :::+ and ::::+: the
// linked sources are paired until the shortest ends, without wrapping
// (`::: a b c :::+ 1 2 ::: x` gives a 1 x, b 2 x), as the GNU parallel
// manual specifies for them. Such groups need not be held in memory, so
// a linked first group streams in constant memory.
func CombineShortest(groups [][]Source) Source {
	return newProduct(groups, true)
}

func newProduct(groups [][]Source, shortest bool) Source {
	var gs [][]Source
	n := 0
	for _, g := range groups {
		if len(g) > 0 {
			gs = append(gs, g)
			n += len(g)
		}
	}
	switch n {
	case 0:
		return eof{}
	case 1:
		return gs[0][0]
	}
	return &product{groups: gs, shortest: shortest}
}

type eof struct{}

func (eof) Next() ([]string, error) { return nil, io.EOF }

// product walks the combinations like an odometer whose digits are the
// groups. A later group's digit reads a new record from its source when it
// passes the records seen so far, and wraps only once the source has
// ended, so each source is read once and in the same order as GNU
// parallel reads it: the last source fully, then one more record of the
// one before, and so on.
type product struct {
	groups   [][]Source
	shortest bool
	started  bool
	err      error

	first Source       // the first group, streamed
	cur   []string     // its current record
	later []Source     // the other groups
	recs  [][][]string // the records of each later group read so far
	done  []bool       // whether each later group has ended
	idx   []int        // the current record of each later group
}

func (p *product) Next() ([]string, error) {
	if p.err != nil {
		return nil, p.err
	}
	var err error
	if !p.started {
		p.started = true
		err = p.start()
	} else {
		err = p.advance()
	}
	if err != nil {
		p.err = err
		return nil, err
	}
	n := len(p.cur)
	for i, recs := range p.recs {
		n += len(recs[p.idx[i]])
	}
	out := make([]string, 0, n)
	out = append(out, p.cur...)
	for i, recs := range p.recs {
		out = append(out, recs[p.idx[i]]...)
	}
	return out, nil
}

// start reads the first record of every source, substitutes one empty
// value for the empty ones, and positions every group on its first record.
func (p *product) start() error {
	var linked []Source
	allEmpty := true
	for _, g := range p.groups {
		members := make([]Source, len(g))
		for i, s := range g {
			rec, err := s.Next()
			switch {
			case err == io.EOF:
				members[i] = &list{values: []string{""}}
			case err != nil:
				return err
			default:
				allEmpty = false
				members[i] = &pushback{rec: rec, src: s}
			}
		}
		linked = append(linked, link(members, p.shortest))
	}
	if allEmpty {
		return io.EOF
	}
	p.first, p.later = linked[0], linked[1:]
	p.recs = make([][][]string, len(p.later))
	p.done = make([]bool, len(p.later))
	p.idx = make([]int, len(p.later))
	// Every group has a record now: each member has at least one.
	var err error
	if p.cur, err = p.first.Next(); err != nil {
		return err
	}
	for i, g := range p.later {
		rec, err := g.Next()
		if err != nil {
			return err
		}
		p.recs[i] = [][]string{rec}
	}
	return nil
}

func (p *product) advance() error {
	for i := len(p.later) - 1; i >= 0; i-- {
		p.idx[i]++
		if p.idx[i] < len(p.recs[i]) {
			return nil
		}
		if !p.done[i] {
			rec, err := p.later[i].Next()
			if err == nil {
				p.recs[i] = append(p.recs[i], rec)
				return nil
			}
			if err != io.EOF {
				return err
			}
			p.done[i] = true
		}
		p.idx[i] = 0
	}
	var err error
	p.cur, err = p.first.Next()
	return err
}

// pushback returns a record already read before the rest of its source.
type pushback struct {
	rec []string
	src Source
}

func (b *pushback) Next() ([]string, error) {
	if b.rec != nil {
		rec := b.rec
		b.rec = nil
		return rec, nil
	}
	return b.src.Next()
}

// link pairs the records of linked sources into one source.
func link(srcs []Source, shortest bool) Source {
	if len(srcs) == 1 {
		return srcs[0]
	}
	if shortest {
		return &zip{srcs: srcs}
	}
	return &wrap{srcs: srcs, seen: make([][][]string, len(srcs)), pos: make([]int, len(srcs)), done: make([]bool, len(srcs))}
}

// zip ends with its shortest source (:::+).
type zip struct {
	srcs []Source
	err  error
}

func (z *zip) Next() ([]string, error) {
	if z.err != nil {
		return nil, z.err
	}
	var out []string
	for _, s := range z.srcs {
		rec, err := s.Next()
		if err != nil {
			z.err = err
			return nil, err
		}
		out = append(out, rec...)
	}
	return out, nil
}

// wrap ends with its longest source, replaying the records of the shorter
// ones from their start (--link). It keeps every record it reads, since
// which sources are shorter is known only at their end.
type wrap struct {
	srcs []Source
	seen [][][]string // the records of each source so far
	pos  []int        // the next record to replay, once a source has ended
	done []bool
	err  error
}

func (w *wrap) Next() ([]string, error) {
	if w.err != nil {
		return nil, w.err
	}
	recs := make([][]string, len(w.srcs))
	fresh := false
	for i, s := range w.srcs {
		if !w.done[i] {
			rec, err := s.Next()
			if err == nil {
				w.seen[i] = append(w.seen[i], rec)
				recs[i] = rec
				fresh = true
				continue
			}
			if err != io.EOF {
				w.err = err
				return nil, err
			}
			w.done[i] = true
		}
		if len(w.seen[i]) == 0 {
			// A source empty from the start has nothing to replay.
			w.err = io.EOF
			return nil, io.EOF
		}
		recs[i] = w.seen[i][w.pos[i]%len(w.seen[i])]
		w.pos[i]++
	}
	if !fresh {
		w.err = io.EOF
		return nil, io.EOF
	}
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	out := make([]string, 0, n)
	for _, r := range recs {
		out = append(out, r...)
	}
	return out, nil
}
