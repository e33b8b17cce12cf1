// Package progress draws GNU parallel's --bar, --eta and --progress on a
// terminal: pure renderers that turn a State into the bytes to draw, and
// Live, which keeps the State from the pool's events and redraws it in
// place, out of the way of the output around it.
package progress

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Style is what is drawn. When several options are given, the bar wins
// over --eta and --eta over --progress, as in GNU parallel.
type Style int

const (
	// Off draws nothing.
	Off Style = iota
	// Progress is --progress: running and completed jobs on one line,
	// under a list of the computers.
	Progress
	// ETA is --eta: the --progress line after the estimate.
	ETA
	// Bar is --bar: a reverse-video bar across the terminal.
	Bar
)

// State is a run's progress at one moment.
type State struct {
	Started   int64 // jobs started so far
	Completed int64 // jobs finished so far, in the order they finished
	// Total is the number of jobs in all, known once the input is read
	// or given by --total-jobs; zero or less means not known yet.
	Total int64
	Slots int           // jobs run at once (-j)
	CPUs  int           // cores, for --progress's list of computers
	Busy  time.Duration // the sum of the finished jobs' runtimes
	// Elapsed is the time since the run started.
	Elapsed time.Duration
	// Arg is the arguments of the job started last, for the bar.
	Arg string
}

// Estimate is what the finished jobs say about the rest.
type Estimate struct {
	Known bool  // the total is known, and with it Left, Percent and ETA
	Left  int64 // jobs not finished, running ones included
	// Percent is the share of the jobs finished, 0 to 100.
	Percent int
	// Avg is the wall-clock seconds each job costs the run: the mean
	// runtime of the finished jobs spread over the slots.
	Avg float64
	// ETA is the seconds until the last job finishes, 0 until one has.
	ETA int64
}

// Estimate computes the estimate from the mean runtime of the finished
// jobs and the number of slots: the jobs left run that many at once.
func (s State) Estimate() Estimate {
	var e Estimate
	total := s.Total
	if total > 0 {
		e.Known = true
		// A --total-jobs that was too small is outgrown, as in GNU parallel.
		total = max(total, s.Completed)
		e.Left = total - s.Completed
		e.Percent = int(s.Completed * 100 / total)
	}
	if s.Completed == 0 {
		return e
	}
	slots := max(s.Slots, 1)
	mean := s.Busy.Seconds() / float64(s.Completed)
	e.Avg = mean / float64(slots)
	if e.Known && e.Left > 0 {
		// The last jobs do not fill the slots: they take a runtime each.
		e.ETA = int64(float64(e.Left) * mean / float64(min(int64(slots), e.Left)))
	}
	return e
}

// Reverse video on and off, which draws the bar.
const (
	rev   = "\x1b[7m"
	reset = "\x1b[0m"
)

// AppendBar appends --bar's line for a terminal width columns wide: the
// percentage done, completed:left=ETA and the arguments of the newest job,
// padded to the width, the finished share of it in reverse video. Its look
// is GNU parallel's; before the total is known, "?" stands for what needs
// it.
func AppendBar(dst []byte, s State, width int) []byte {
	width = max(width, 1)
	e := s.Estimate()
	start := len(dst)
	if e.Known {
		dst = strconv.AppendInt(dst, int64(e.Percent), 10)
		dst = append(dst, "% "...)
	} else {
		dst = append(dst, "?% "...)
	}
	dst = strconv.AppendInt(dst, s.Completed, 10)
	dst = append(dst, ':')
	if e.Known {
		dst = strconv.AppendInt(dst, e.Left, 10)
		dst = append(dst, '=')
		dst = AppendUnits(dst, e.ETA)
	} else {
		dst = append(dst, "?=?s"...)
	}
	dst = append(dst, ' ')
	dst = appendPrintable(dst, s.Arg)
	// The text is cut or padded to exactly width characters; the first
	// width*percent of them are in reverse video.
	text := string(dst[start:])
	dst = append(dst[:start], rev...)
	split := 0
	if e.Known {
		split = int(int64(width) * s.Completed / max(s.Total, s.Completed))
	}
	n := 0
	for _, r := range text {
		if n == width {
			break
		}
		if n == split {
			dst = append(dst, reset...)
		}
		dst = utf8.AppendRune(dst, r)
		n++
	}
	for ; n < width; n++ {
		if n == split {
			dst = append(dst, reset...)
		}
		dst = append(dst, ' ')
	}
	if split == width {
		dst = append(dst, reset...)
	}
	return append(dst, reset...)
}

// appendPrintable appends s with each control character as a space, so
// that an argument with a newline cannot break the line.
func appendPrintable(dst []byte, s string) []byte {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// AppendUnits appends a number of seconds as GNU parallel writes it: 45s,
// 2m05s, 1h02m05s, 3d01h02m05s.
func AppendUnits(dst []byte, secs int64) []byte {
	d, h, m, s := secs/86400, secs/3600%24, secs/60%60, secs%60
	switch {
	case d > 0:
		return fmt.Appendf(dst, "%dd%02dh%02dm%02ds", d, h, m, s)
	case h > 0:
		return fmt.Appendf(dst, "%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Appendf(dst, "%dm%02ds", m, s)
	}
	return fmt.Appendf(dst, "%ds", s)
}

// Intro is what --progress and --eta print once, before their first
// line: the computers the jobs run on, here the one.
func Intro(s State) string {
	return fmt.Sprintf("\nComputers / CPU cores / Max jobs to run\n1:local / %d / %d\n", s.CPUs, s.Slots)
}

// A status layout of --progress: the header naming its fields, and how
// it writes the one computer's numbers.
type layout struct {
	header string
	name   string // the computer's name, or its number
	fields int    // running/completed, + %, + average seconds
}

// layouts are GNU parallel's, from the widest down: the first that fits
// the terminal is drawn, the last whatever the width.
var layouts = [...]layout{
	{"Computer:jobs running/jobs completed/%of started jobs/Average seconds to complete", "local", 4},
	{"Computer:jobs running/jobs completed/%of started jobs", "1", 4},
	{"Computer:jobs running/jobs completed/%of started jobs", "local", 3},
	{"Computer:jobs running/jobs completed/%of started jobs", "1", 3},
	{"Computer:jobs running/jobs completed", "local", 2},
	{"Computer:jobs running/jobs completed", "1", 2},
	{"Computer:jobs completed", "local", 1},
	{"Computer:jobs completed", "1", 1},
}

// AppendStatus appends the --progress line (with eta, the --eta line)
// for a terminal width columns wide, and returns the header that goes
// with it: a narrower terminal gets fewer fields.
func AppendStatus(dst []byte, s State, width int, eta bool) ([]byte, string) {
	start := len(dst)
	var l layout
	for _, l = range layouts {
		dst = appendStatus(dst[:start], s, l, eta)
		if utf8.RuneCount(dst[start:]) <= width {
			break
		}
	}
	return dst, l.header
}

func appendStatus(dst []byte, s State, l layout, eta bool) []byte {
	if eta {
		e := s.Estimate()
		if e.Known {
			dst = fmt.Appendf(dst, "ETA: %ds Left: %d AVG: %.2fs  ", e.ETA, e.Left, e.Avg)
		} else {
			dst = fmt.Appendf(dst, "ETA: ?s Left: ? AVG: %.2fs  ", e.Avg)
		}
	}
	if s.Started == 0 {
		return dst
	}
	running := max(s.Started-s.Completed, 0) // a job can fail before it starts
	// The share of the started jobs this computer ran, which with one
	// computer is all of them.
	share := (running + s.Completed) * 100 / max(s.Started, running+s.Completed)
	dst = append(append(dst, l.name...), ':')
	switch l.fields {
	case 4:
		var per float64
		if s.Completed > 0 {
			per = s.Elapsed.Seconds() / float64(s.Completed)
		}
		return fmt.Appendf(dst, "%d/%d/%d%%/%.1fs ", running, s.Completed, share, per)
	case 3:
		return fmt.Appendf(dst, "%d/%d/%d%%", running, s.Completed, share)
	case 2:
		return fmt.Appendf(dst, "%d/%d", running, s.Completed)
	}
	return strconv.AppendInt(dst, s.Completed, 10)
}
