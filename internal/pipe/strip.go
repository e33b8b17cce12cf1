package pipe

import (
	"bytes"
	"regexp"
)

// stripper removes record separators from the records of a block (--rrs).
type stripper struct {
	end, start     []byte         // literal separators
	endRe, startRe *regexp.Regexp // with Format.Regexp: anchored at a record's end and start
	lines          bool
}

func newStripper(f *Format) (*stripper, error) {
	st := &stripper{lines: f.Lines > 0}
	if !f.Regexp {
		st.end, st.start = []byte(f.RecEnd), []byte(f.RecStart)
		return st, nil
	}
	var err error
	if f.RecEnd != "" {
		if st.endRe, err = regexp.Compile(`(?:` + f.RecEnd + `)\z`); err != nil {
			return nil, err
		}
	}
	if f.RecStart != "" {
		if st.startRe, err = regexp.Compile(`\A(?:` + f.RecStart + `)`); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// strip removes the separators of each record of b, moving the bytes that
// stay to the front of b, and returns what stays. This is work per record,
// paid only with --rrs.
func (st *stripper) strip(b []byte, c cutter) []byte {
	if st.lines {
		return b
	}
	w := 0
	for a := 0; a < len(b); {
		p := c.first(b, a)
		if p < 0 {
			p = len(b)
		}
		rec := b[a:p]
		rec = st.trim(rec)
		w += copy(b[w:], rec)
		a = p
	}
	return b[:w]
}

func (st *stripper) trim(rec []byte) []byte {
	if st.startRe != nil {
		if m := st.startRe.FindIndex(rec); m != nil {
			rec = rec[m[1]:]
		}
	} else if len(st.start) > 0 {
		rec = bytes.TrimPrefix(rec, st.start)
	}
	if st.endRe != nil {
		if m := st.endRe.FindIndex(rec); m != nil {
			rec = rec[:m[0]]
		}
	} else if len(st.end) > 0 {
		rec = bytes.TrimSuffix(rec, st.end)
	}
	return rec
}
