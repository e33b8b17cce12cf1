package replace

import "slices"

// QuotedLen is len(AppendQuote(nil, s)), counted without building it.
func QuotedLen(s string) int {
	if s == "" {
		return 2
	}
	n, safe, quotes := len(s), true, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			quotes++
		}
		safe = safe && safeQuoted(c)
	}
	if safe {
		return n
	}
	// Two quotes around it, and each ' becomes '"'"' (four more bytes);
	// a ' at either end drops the empty pair of quotes it would leave.
	n += 2 + 4*quotes
	if s[0] == '\'' {
		n -= 2
	}
	if s[len(s)-1] == '\'' && len(s) > 0 {
		n -= 2
	}
	return n
}

// mgroup is what the meter knows of a stretch of the line: its literal
// length, the replacement strings for every value it holds (one entry per
// modifier) and the parts whose length depends on one value or on the job.
// A repeated group is a -X context group, written once per value.
type mgroup struct {
	lit    int
	all    []int  // the values for every value, as indexes in meterPlan.alls
	single []part // positional values, {#}, {%} and the like
	repeat bool
}

// meterPlan is a template's line reduced to what its length depends on,
// built once at parse time.
type meterPlan struct {
	groups []mgroup
	alls   []part // the replacement strings for every value, each once
}

func (t *Template) buildMeter() {
	var mp meterPlan
	add := func(g *mgroup, p *part) {
		switch {
		case p.kind == kLit:
			g.lit += len(p.lit)
		case p.all && !p.op.isNumber() && p.op != opRaw:
			k := slices.IndexFunc(mp.alls, func(q part) bool { return q.op == p.op && q.args == p.args && q.expr == p.expr })
			if k < 0 {
				k = len(mp.alls)
				mp.alls = append(mp.alls, *p)
			}
			g.all = append(g.all, k)
		default:
			g.single = append(g.single, *p)
		}
	}
	if t.context != 'X' {
		var g mgroup
		for i := range t.parts {
			add(&g, &t.parts[i])
		}
		mp.groups = []mgroup{g}
	} else {
		for i := range t.items {
			it := &t.items[i]
			g := mgroup{repeat: it.normal}
			if it.space {
				g.lit = 1
			}
			for j := range it.parts {
				add(&g, &it.parts[j])
			}
			mp.groups = append(mp.groups, g)
		}
	}
	t.meter = mp
}

// Meter measures the line a template renders as values join it, so that
// packing (-X, -m, -n, -s) knows a line's length without rendering it:
// each value is looked at once, when it is added. Its zero value is not
// usable; get one from Template.Meter.
type Meter struct {
	t     *Template
	sums  []int // the rendered length of every value, per entry of alls
	n     int   // values added
	prevN int
	prev  []int
	// SlotLen is the length {%} is counted with: the number of digits of
	// the highest job slot. Zero counts one digit.
	SlotLen int
}

// Meter returns a meter for lines of this template, with no values yet.
func (t *Template) Meter() *Meter {
	n := len(t.meter.alls)
	return &Meter{t: t, sums: make([]int, n), prev: make([]int, n)}
}

// Reset starts a new line with no values.
func (m *Meter) Reset() {
	clear(m.sums)
	clear(m.prev)
	m.n, m.prevN = 0, 0
}

// Add adds values to the line; Undo takes the last Add back.
func (m *Meter) Add(values []string) {
	copy(m.prev, m.sums)
	m.prevN = m.n
	for k := range m.t.meter.alls {
		p := &m.t.meter.alls[k]
		if p.op == opPerl {
			continue // known only once perl has run: counted as nothing
		}
		for _, v := range values {
			m.sums[k] += m.valueLen(apply(p.op, p.args, v))
		}
	}
	m.n += len(values)
}

// Undo removes the values of the last Add; only one Add can be undone.
func (m *Meter) Undo() {
	copy(m.sums, m.prev)
	m.n = m.prevN
}

func (m *Meter) valueLen(v string) int {
	if m.t.quote && !m.t.qwords {
		return QuotedLen(v)
	}
	return len(v)
}

// Len returns the length of the line for job seq: AppendShell's, for the
// values added since Reset, which must be values (values is read only for
// positional replacement strings). With -q, as in GNU parallel, it is
// three times the unquoted length, as quoting a word at most triples it.
func (m *Meter) Len(values []string, seq int64) int {
	n := 0
	for i := range m.t.meter.groups {
		g := &m.t.meter.groups[i]
		one := g.lit
		for j := range g.single {
			one += m.singleLen(&g.single[j], values, seq)
		}
		if !g.repeat || m.n == 0 {
			n += one
			for _, k := range g.all {
				if m.n > 0 {
					n += m.sums[k] + m.n - 1
				}
			}
			continue
		}
		// One copy per value, a space between copies.
		n += m.n*one + m.n - 1
		for _, k := range g.all {
			n += m.sums[k]
		}
	}
	if m.t.qwords {
		n *= 3
	}
	return n
}

func (m *Meter) singleLen(p *part, values []string, seq int64) int {
	if p.op.isNumber() || p.op == opRaw {
		if !p.all {
			if _, ok := p.pick(max(len(values), 1)); !ok {
				return 0
			}
		}
		switch p.op {
		case opSeq:
			return digits(seq)
		case opSlot:
			return max(m.SlotLen, 1)
		case opRaw:
			return len(p.raw)
		}
		// {##}, {0#} and {0%} are known only as the job runs; a few
		// digits, not counted.
		return 0
	}
	if p.op == opPerl {
		return 0
	}
	i, ok := p.pick(len(values))
	if !ok {
		return 0
	}
	return m.valueLen(apply(p.op, p.args, values[i]))
}

// digits is the length of n in decimal.
func digits(n int64) int {
	d := 1
	if n < 0 {
		d++
		n = -n
	}
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}
