package output

import (
	"bufio"
	"bytes"
	"io"
	"sort"
	"strconv"
	"sync"

	"github.com/fanoutdev/fanout"
)

// Colours are GNU parallel's for --color: a background and a foreground
// from the 256-colour palette that read well together, all of the same
// length so that tabs after them still line up, ordered so that
// neighbouring jobs differ. Each is followed by "clear to the end of the
// line", so the background fills the line. It is built on first use, not
// at every start of the command.
var palette = sync.OnceValue(func() [][]byte {
	type pair struct{ bg, fg int }
	var pairs []pair
	add := func(fg int, ranges ...[2]int) {
		for _, r := range ranges {
			for c := r[0]; c <= r[1]; c++ {
				pairs = append(pairs, pair{c, fg})
			}
		}
	}
	add(0, [2]int{6, 7}, [2]int{9, 11}, [2]int{13, 15}, [2]int{40, 51}, [2]int{75, 87}, [2]int{113, 123},
		[2]int{147, 159}, [2]int{171, 182}, [2]int{185, 231}, [2]int{249, 254})
	add(231, [2]int{1, 9}, [2]int{12, 13}, [2]int{16, 45}, [2]int{52, 81}, [2]int{88, 114}, [2]int{124, 149},
		[2]int{160, 178}, [2]int{180, 180}, [2]int{182, 184}, [2]int{196, 214}, [2]int{232, 250})
	// GNU parallel sorts the indexes by i%23, then by i%7 descending, with
	// a stable sort: the same order, so that a job has the same colour.
	idx := make([]int, len(pairs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := idx[a], idx[b]
		if x%23 != y%23 {
			return x%23 < y%23
		}
		return x%7 > y%7
	})
	out := make([][]byte, len(idx))
	for i, k := range idx {
		p := pairs[k]
		out[i] = []byte("\033[48;5;" + pad3(p.bg) + ";38;5;" + pad3(p.fg) + "m" + clearEOL)
	}
	return out
})

func pad3(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

const (
	// clearEOL and reset are what GNU parallel prints when tput finds no
	// terminal: the same sequences on every terminal fanout knows of.
	clearEOL = "\033[K"
	reset    = "\033[m"
)

// failedColor is --color-failed's white on red.
var failedColor = []byte("\033[48;5;196;38;5;231m" + clearEOL)

// JobColor returns the colour of the job with sequence number seq, as GNU
// parallel's --color gives it.
func JobColor(seq int64) []byte {
	p := palette()
	return p[uint64(seq)%uint64(len(p))]
}

// FailedColor returns --color-failed's colour.
func FailedColor() []byte { return failedColor }

// colorOf returns the colour of r's job (r is nil while it runs), and
// whether the printer colours at all.
func (p *Printer) colorOf(job *fanout.Job, r *fanout.Result) ([]byte, bool) {
	if p.Color == nil {
		return nil, false
	}
	return p.Color(job, r), true
}

// appendColored appends the whole lines of b (each ending in '\n') as GNU
// parallel colours them: the colour and the tag before each line, the
// reset after it, and a carriage return inside a line ending the colour
// and starting it again after itself. head, if not empty, is the start of
// b's first line, held from an earlier write.
func appendColored(dst, head, b, color, tag []byte) []byte {
	first := true
	for len(b) > 0 || first && len(head) > 0 {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		dst = appendColorStart(dst, color, tag)
		if first {
			dst = appendColorBody(dst, head, color, tag)
			first = false
		}
		dst = appendColorBody(dst, line, color, tag)
		dst = appendColorEnd(dst, color)
	}
	return dst
}

func appendColorStart(dst, color, tag []byte) []byte {
	dst = append(dst, color...)
	if tag != nil {
		dst = append(append(dst, tag...), '\t')
	}
	return dst
}

// appendColorBody appends part of a line, a '\r' in it restarting the
// colour and the tag.
func appendColorBody(dst, line, color, tag []byte) []byte {
	for {
		i := bytes.IndexByte(line, '\r')
		if i < 0 {
			return append(dst, line...)
		}
		dst = append(dst, line[:i]...)
		if len(color) > 0 {
			dst = append(dst, reset...)
		}
		dst = appendColorStart(append(dst, '\r'), color, tag)
		line = line[i+1:]
	}
}

func appendColorEnd(dst, color []byte) []byte {
	if len(color) > 0 {
		dst = append(dst, reset...)
	}
	return append(dst, '\n')
}

// writeColored copies o to w in colour, line by line; a last line without
// a newline gets one, as with GNU parallel.
func (p *Printer) writeColored(w io.Writer, o *fanout.Output, color, tag []byte) error {
	if o.Len() == 0 {
		return nil
	}
	if !o.Spilled() {
		p.buf = appendColored(p.buf[:0], nil, o.Bytes(), color, tag)
		_, err := w.Write(p.buf)
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	start := true
	eachChunk(o.Reader(), func(chunk []byte) {
		ends := chunk[len(chunk)-1] == '\n'
		if ends {
			chunk = chunk[:len(chunk)-1]
		}
		p.buf = p.buf[:0]
		if start {
			p.buf = appendColorStart(p.buf, color, tag)
		}
		p.buf = appendColorBody(p.buf, chunk, color, tag)
		if ends {
			p.buf = appendColorEnd(p.buf, color)
		}
		bw.Write(p.buf)
		start = ends
	})
	if !start {
		bw.Write(appendColorEnd(p.buf[:0], color))
	}
	return bw.Flush()
}
