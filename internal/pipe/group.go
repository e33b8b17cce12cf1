package pipe

import (
	"bytes"
	"regexp"
)

// groupCutter cuts between lines whose keys differ (--group-by): lines in
// a row with the same key stay in one block. A cut needs the whole line
// after it, to know its key; at the end of the input (eof) a last line
// without a newline is whole.
type groupCutter struct {
	key func(line []byte) []byte
	eof bool
}

func (*groupCutter) overlap() int { return 1 << 62 } // a key needs the whole line before the cut

// lineStart returns where the line holding b[i] starts.
func lineStart(b []byte, i int) int { return bytes.LastIndexByte(b[:i], '\n') + 1 }

// lineEnd returns the end of the line that starts at p (after its
// newline), or -1 when the line is not whole yet.
func (c *groupCutter) lineEnd(b []byte, p int) int {
	if i := bytes.IndexByte(b[p:], '\n'); i >= 0 {
		return p + i + 1
	}
	if c.eof && p < len(b) {
		return len(b)
	}
	return -1
}

func (c *groupCutter) last(b []byte) int {
	// s is the start of the last whole line.
	s := -1
	if c.eof && len(b) > 0 && b[len(b)-1] != '\n' {
		s = lineStart(b, len(b))
	} else if e := bytes.LastIndexByte(b, '\n'); e >= 0 {
		s = lineStart(b, e)
	}
	if s <= 0 {
		return -1
	}
	k := c.key(b[s:c.lineEnd(b, s)])
	for s > 0 {
		ps := lineStart(b, s-1)
		pk := c.key(b[ps:s])
		if !bytes.Equal(pk, k) {
			return s
		}
		s, k = ps, pk
	}
	return -1
}

func (c *groupCutter) first(b []byte, from int) int {
	from = max(from, 0)
	if from >= len(b) {
		return -1
	}
	i := bytes.IndexByte(b[from:], '\n')
	if i < 0 {
		return -1
	}
	p := from + i + 1 // the first line start after from
	pk := c.key(b[lineStart(b, p-1):p])
	for p < len(b) {
		e := c.lineEnd(b, p)
		if e < 0 {
			return -1
		}
		k := c.key(b[p:e])
		if !bytes.Equal(pk, k) {
			return p
		}
		p, pk = e, k
	}
	return -1
}

func (c *groupCutter) nth(b []byte, n int) (int, int) { return nthCut(c.first, b, n) }

// ColumnKey returns the key of a line that --group-by, --shard and --bin
// take from column col (counting from 1): the line split at sep as perl's
// split does, the column's text, a last column with the line's newline.
// Column 0 is the first column, and a negative one counts from the end
// after one more is taken off, as GNU parallel has them. A column past
// the last is empty. With a literal sep, no key allocates.
func ColumnKey(sep *regexp.Regexp, col int) func(line []byte) []byte {
	idx := col
	if col != 0 {
		idx = col - 1
	}
	lit, complete := sep.LiteralPrefix()
	if complete && lit != "" && idx >= 0 {
		s := []byte(lit)
		return func(line []byte) []byte {
			for k := 0; k < idx; k++ {
				i := bytes.Index(line, s)
				if i < 0 {
					return nil
				}
				line = line[i+len(s):]
			}
			if i := bytes.Index(line, s); i >= 0 {
				return line[:i]
			}
			return line
		}
	}
	return func(line []byte) []byte {
		f := perlSplit(sep, line)
		i := idx
		if i < 0 {
			i += len(f)
		}
		if i < 0 || i >= len(f) {
			return nil
		}
		return f[i]
	}
}

// perlSplit splits line at sep as perl's split does: a match of nothing
// at the start makes no empty first field, empty fields at the end go.
func perlSplit(sep *regexp.Regexp, line []byte) [][]byte {
	var f [][]byte
	last := 0
	for _, m := range sep.FindAllIndex(line, -1) {
		if m[1] == 0 {
			continue
		}
		if m[0] == m[1] && m[0] >= len(line) {
			break
		}
		f = append(f, line[last:m[0]])
		last = m[1]
	}
	f = append(f, line[last:])
	for len(f) > 0 && len(f[len(f)-1]) == 0 {
		f = f[:len(f)-1]
	}
	return f
}

// valueAt is GNU parallel's value_at for --pipepart --group-by: the key
// of the first line that starts at or after pos (the line holding pos-1
// is read past), where that line starts, and whether the file ends after
// it. Past the last line the key is empty and the position the end (or
// pos-1, beyond it, as a seek there leaves it).
func (p *Parts) valueAt(pos int64) ([]byte, int64, bool, error) {
	line := pos
	if pos != 0 {
		if pos-1 >= p.end {
			return nil, pos - 1, true, nil
		}
		_, e, err := p.lineFrom(pos - 1)
		if err != nil {
			return nil, 0, false, err
		}
		line = e
	}
	if line >= p.end {
		return nil, line, true, nil
	}
	b, e, err := p.lineFrom(line)
	if err != nil {
		return nil, 0, false, err
	}
	return bytes.Clone(p.group(b)), line, e >= p.end, nil
}

// lineFrom reads from off to the end of its line (after the newline, or
// the end of the file), in windows that double.
func (p *Parts) lineFrom(off int64) ([]byte, int64, error) {
	for n := int64(4096); ; n *= 2 {
		b, eof, err := p.read(off, n)
		if err != nil {
			return nil, 0, err
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[:i+1], off + int64(i) + 1, nil
		}
		if eof {
			return b, off + int64(len(b)), nil
		}
	}
}

// groupCut is one step of GNU parallel's split_positions_for_group_by:
// the end of the block that starts at the line start a. Its rule: b is the
// line a block on, c a block further; if a's key is b's, the block ends
// where b's group does (moving b and c on while c's key is b's too); if
// not, it ends where b's group starts when c's key is b's, else where b's
// group ends. The ends are found by halving, so the file is read only
// around them; it assumes each key's lines are together, as GNU parallel
// does.
func (p *Parts) groupCut(apos int64) (int64, error) {
	ka, _, _, err := p.valueAt(apos)
	if err != nil {
		return 0, err
	}
	kb, bpos, eof, err := p.valueAt(apos + p.size)
	if err != nil || eof {
		return p.end, err
	}
	kc, cpos, _, err := p.valueAt(bpos + p.size)
	if err != nil {
		return 0, err
	}
	var end int64
	switch {
	case bytes.Equal(ka, kb):
		for bytes.Equal(kb, kc) {
			bpos = cpos
			if kc, cpos, _, err = p.valueAt(cpos + p.size); err != nil {
				return 0, err
			}
			if cpos >= p.end {
				cpos = p.end
				break
			}
		}
		end, err = p.searchEnd(kb, bpos, cpos)
	case bytes.Equal(kb, kc):
		end, err = p.searchStart(kb, apos, bpos)
	default:
		end, err = p.searchEnd(kb, bpos, cpos)
	}
	if err != nil {
		return 0, err
	}
	if end <= apos {
		// Keys not together can send the halving back: the block takes
		// the next line at least, so that the cutting goes on.
		_, e, err := p.lineFrom(apos)
		return min(max(e, apos+1), p.end), err
	}
	return min(end, p.end), nil
}

// searchEnd halves (spos, epos] for where the group of key s, at spos,
// ends: GNU parallel's binary_search_end.
func (p *Parts) searchEnd(s []byte, spos, epos int64) (int64, error) {
	vpos := spos
	for dif := epos - spos; dif > 0; dif /= 2 {
		v, at, _, err := p.valueAt(spos + dif)
		if err != nil {
			return 0, err
		}
		vpos = at
		if bytes.Equal(v, s) {
			spos = at
			dif = epos - spos
		} else {
			epos = at
		}
	}
	return vpos, nil
}

// searchStart halves (spos, epos] for where the group of key s, at epos,
// starts: GNU parallel's binary_search_start.
func (p *Parts) searchStart(s []byte, spos, epos int64) (int64, error) {
	vpos := epos
	for dif := epos - spos; dif > 0; dif /= 2 {
		v, at, _, err := p.valueAt(spos + dif)
		if err != nil {
			return 0, err
		}
		vpos = at
		if bytes.Equal(v, s) {
			epos = at
		} else {
			spos = at
			dif = epos - spos
		}
	}
	return vpos, nil
}

// AwkColumnKey is ColumnKey for a separator of one space as perl's split
// takes it from a string (GNU parallel's --shard and --bin with --colsep
// ' '): white space at the start is skipped and fields are split at runs
// of it, so a key never holds the newline.
func AwkColumnKey(col int) func(line []byte) []byte {
	idx := col
	if col != 0 {
		idx = col - 1
	}
	return func(line []byte) []byte {
		if idx < 0 {
			f := bytes.Fields(line)
			if i := idx + len(f); i >= 0 {
				return f[i]
			}
			return nil
		}
		k := 0
		for i := 0; i < len(line); {
			for i < len(line) && isSpace(line[i]) {
				i++
			}
			s := i
			for i < len(line) && !isSpace(line[i]) {
				i++
			}
			if s == i {
				return nil
			}
			if k == idx {
				return line[s:i]
			}
			k++
		}
		return nil
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
