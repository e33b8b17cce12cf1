package replace

import (
	"regexp"
	"strconv"
	"strings"
)

// op is what a replacement string computes: a value's transformation, a
// number, unquoted text, or perl code (opPerl).
type op uint8

const (
	opNone op = iota // {}
	opNoExt
	opBase
	opDir
	opBaseNoExt
	opDirPlus    // {+/}
	opExt        // {+.}
	opExt2       // {+..}
	opExt3       // {+...}
	opNoExt2     // {..}
	opNoExt3     // {...}
	opBaseNoExt2 // {/..}
	opBaseNoExt3 // {/...}
	opChooseK    // {choose_k}: the value, and the job is skipped unless its values increase
	opUniq       // {uniq}: the value, and the job is skipped if two values are equal

	// Rules with arguments taken from the replacement string.
	opDefault        // {:-str}
	opSkipN          // {:N}
	opSubstr         // {:N:M}
	opTrimPrefix     // {#re}
	opTrimPrefixLong // {##re}
	opTrimSuffix     // {%re}
	opTrimSuffixLong // {%%re}
	opSub            // {/re/str}
	opSubPrefix      // {/#re/str}
	opSubSuffix      // {/%re/str}
	opSubAll         // {//re/str}
	opUpper          // {^re}
	opUpperAll       // {^^re}
	opLower          // {,re}
	opLowerAll       // {,,re}

	// Rules that do not depend on a value.
	opSeq     // {#}
	opSlot    // {%}
	opTotal   // {##}
	opSlotPad // {0%}
	opSeqPad  // {0#}
	opRaw     // {slot} {host} ...: text the shell expands, not quoted

	opPerl // perl code, run by an Evaluator
)

// isNumber reports whether op gives a number, not a value's transformation.
func (o op) isNumber() bool { return o >= opSeq && o <= opSeqPad }

// skips reports whether op may skip the job.
func (o op) skips() bool { return o == opChooseK || o == opUniq }

// opArgs is what a rule with arguments took from the replacement string,
// compiled once.
type opArgs struct {
	str  string // {:-str}, the replacement of {/re/str}
	n, m int    // {:N:M}, saturated
	re   *regexp.Regexp
	anch *regexp.Regexp // re anchored, for the matches perl's s///g adds
}

// newOpArgs compiles a rule's arguments; ok is false when Go's regexp
// syntax does not take the pattern, and the rule's perl code must serve.
func newOpArgs(o op, groups []string) (a *opArgs, ok bool) {
	a = &opArgs{}
	g := func(i int) string {
		if i < len(groups) {
			return groups[i]
		}
		return ""
	}
	var pattern string
	switch o {
	case opDefault:
		a.str = g(0)
		return a, true
	case opSkipN:
		a.n = satAtoi(g(0))
		return a, true
	case opSubstr:
		a.n, a.m = satAtoi(g(0)), satAtoi(g(1))
		return a, true
	case opTrimPrefix:
		pattern = `^(?:` + ungreedy(g(0)) + `)`
	case opTrimPrefixLong, opSubPrefix, opUpper, opLower:
		pattern = `^(?:` + g(0) + `)`
	case opTrimSuffix:
		pattern = `(.*)(?:` + ungreedy(g(0)) + `)(\n?)\z`
	case opTrimSuffixLong, opSubSuffix:
		pattern = `(?:` + g(0) + `)(\n?)\z`
	case opSub, opSubAll, opUpperAll, opLowerAll:
		pattern = `(?:` + g(0) + `)`
	default:
		return a, true
	}
	a.str = g(1)
	var err error
	if a.re, err = regexp.Compile(toLatin1(perlSpace(pattern))); err != nil {
		return nil, false
	}
	if o == opSubSuffix || o == opSubAll || o == opUpperAll || o == opLowerAll {
		a.anch = regexp.MustCompile(`^(?:` + a.re.String() + `)`)
	}
	return a, true
}

// satAtoi reads the digits of a position or length, saturating where perl
// would go to floating point: such a number is past any value's end.
func satAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 1 << 40
	}
	return n
}

// ungreedy is parallel's make_regexp_ungreedy: a "?" after every *, +
// and } quantifier outside a class and not escaped, unless one follows.
func ungreedy(re string) string {
	var b strings.Builder
	class, escape, found := false, false, false
	for i := 0; i < len(re); i++ {
		c := re[i]
		if found {
			if c != '?' {
				b.WriteByte('?')
			}
			found = false
		}
		b.WriteByte(c)
		switch {
		case escape:
			escape = false
		case c == '\\':
			escape = true
		case c == '[':
			class = true
		case class:
			class = c != ']'
		case c == '*' || c == '}' || c == '+':
			found = true
		}
	}
	if found {
		b.WriteByte('?')
	}
	return b.String()
}

// apply computes a value rule on one value.
func apply(o op, a *opArgs, v string) string {
	switch o {
	case opNone, opChooseK, opUniq:
		return v
	case opNoExt:
		return noExt(v)
	case opBase:
		return base(v)
	case opDir:
		return dir(v)
	case opBaseNoExt:
		return noExt(base(v))
	case opDirPlus:
		if i := strings.LastIndexByte(v, '/'); i >= 0 {
			return v[:i]
		}
		return dropLastLine(v)
	case opExt:
		return ext(v)
	case opExt2:
		return extN(v, 2)
	case opExt3:
		return extN(v, 3)
	case opNoExt2:
		return noExtN(v, 2)
	case opNoExt3:
		return noExtN(v, 3)
	case opBaseNoExt2:
		return noExtN(base(v), 2)
	case opBaseNoExt3:
		return noExtN(base(v), 3)
	case opDefault:
		if v == "" || v == "0" {
			return a.str
		}
		return v
	case opSkipN:
		return v[min(a.n, len(v)):]
	case opSubstr:
		if a.n > len(v) {
			return ""
		}
		return v[a.n:min(len(v), a.n+min(a.m, len(v)))]
	}
	return applyRegexp(o, a, v)
}

// applyRegexp computes the rules that take a regexp, over the value's
// bytes as perl sees them.
func applyRegexp(o op, a *opArgs, v string) string {
	s := toLatin1(v)
	var out string
	switch o {
	case opTrimPrefix, opTrimPrefixLong:
		out = s
		if loc := a.re.FindStringIndex(s); loc != nil {
			out = s[loc[1]:]
		}
	case opTrimSuffix:
		// s/(.*)RE$/$1/: the match ends where perl's $ does, before a
		// final newline, which stays.
		out = s
		if loc := a.re.FindStringSubmatchIndex(s); loc != nil {
			out = s[:loc[3]] + s[loc[4]:]
		}
	case opTrimSuffixLong:
		out = s
		if loc := a.re.FindStringSubmatchIndex(s); loc != nil {
			out = s[:loc[0]] + s[loc[2]:]
		}
	case opSub, opSubPrefix:
		out = s
		if loc := a.re.FindStringIndex(s); loc != nil {
			out = s[:loc[0]] + toLatin1(a.str) + s[loc[1]:]
		}
	case opSubSuffix:
		out = replaceMatches(s, suffixMatches(a, s), func(string) string { return toLatin1(a.str) })
	case opSubAll:
		out = replaceMatches(s, globalMatches(a, s), func(string) string { return toLatin1(a.str) })
	case opUpper, opLower, opUpperAll, opLowerAll:
		f := upperASCII
		if o == opLower || o == opLowerAll {
			f = lowerASCII
		}
		var ms [][2]int
		if o == opUpper || o == opLower {
			if loc := a.re.FindStringIndex(s); loc != nil {
				ms = [][2]int{{loc[0], loc[1]}}
			}
		} else {
			ms = globalMatches(a, s)
		}
		out = replaceMatches(s, ms, f)
	}
	return fromLatin1(out)
}

// globalMatches are the matches of perl's s///g: Go's, and the empty
// match perl also takes right after a non-empty one.
func globalMatches(a *opArgs, s string) [][2]int {
	var ms [][2]int
	all := a.re.FindAllStringIndex(s, -1)
	for i, loc := range all {
		ms = append(ms, [2]int{loc[0], loc[1]})
		e := loc[1]
		if loc[0] == e || i+1 < len(all) && all[i+1][0] == e {
			continue
		}
		if l := a.anch.FindStringIndex(s[e:]); l != nil && l[1] == 0 {
			ms = append(ms, [2]int{e, e})
		}
	}
	return ms
}

// suffixMatches are the matches of perl's s/RE$/.../g, which all end
// where $ matches: at the end, or before a final newline.
func suffixMatches(a *opArgs, s string) [][2]int {
	loc := a.re.FindStringSubmatchIndex(s)
	if loc == nil {
		return nil
	}
	ms := [][2]int{{loc[0], loc[2]}}
	pos, empty := loc[2], loc[0] == loc[2]
	for pos <= len(s) {
		l := a.anch.FindStringSubmatchIndex(s[pos:])
		if l == nil || l[2] == 0 && empty {
			// perl takes no second empty match at one place: it moves on.
			pos++
			empty = false
			continue
		}
		ms = append(ms, [2]int{pos, pos + l[2]})
		empty = l[2] == 0
		pos += l[2]
	}
	return ms
}

func replaceMatches(s string, ms [][2]int, f func(string) string) string {
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m[0]])
		b.WriteString(f(s[m[0]:m[1]]))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// upperASCII is perl's uc on bytes: only ASCII letters change.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// dollar is where perl's $ matches last: before a final newline, or at
// the end.
func dollar(v string) int {
	if strings.HasSuffix(v, "\n") {
		return len(v) - 1
	}
	return len(v)
}

// dropLastLine is s:.*$::, where '.' stops at a newline and $ matches
// before a final one: it empties the line $ ends.
func dropLastLine(v string) string {
	e := dollar(v)
	start := strings.LastIndexByte(v[:e], '\n') + 1
	return v[:start] + v[e:]
}

// ext is s:.*\.:: || s:.*$:: : up to the last dot of the first line that
// has one goes.
func ext(v string) string {
	for start := 0; start < len(v); {
		end := strings.IndexByte(v[start:], '\n')
		if end < 0 {
			end = len(v)
		} else {
			end += start
		}
		if d := strings.LastIndexByte(v[start:end], '.'); d >= 0 {
			return v[:start] + v[start+d+1:]
		}
		start = end + 1
	}
	return dropLastLine(v)
}

// nthLastDot returns the index of the nth dot from the end when no slash
// follows it, or -1.
func nthLastDot(v string, n int) int {
	i := len(v)
	for ; n > 0; n-- {
		i = strings.LastIndexByte(v[:i], '.')
		if i < 0 {
			return -1
		}
	}
	if strings.IndexByte(v[i:], '/') >= 0 {
		return -1
	}
	return i
}

// noExtN is s:\.[^/.]*\.[^/.]*$:: with n dots: the last n extensions go.
func noExtN(v string, n int) string {
	if i := nthLastDot(v, n); i >= 0 {
		return v[:i]
	}
	return v
}

// extN is s:.*\.([^/.]*\.[^/.]*)$:$1: || s:.*$:: with n dots: the last n
// extensions stay, with the lines before the one they start in.
func extN(v string, n int) string {
	i := nthLastDot(v, n)
	if i < 0 {
		return dropLastLine(v)
	}
	start := strings.LastIndexByte(v[:i], '\n') + 1
	return v[:start] + v[i+1:]
}

// padded is sprintf("%0*d") with parallel's width: 1+int(log(n)/log(10)),
// computed the way perl computes it.
func padded(dst []byte, v int64, n int64) []byte {
	w := 1
	if n > 1 {
		w = 1 + int(log10ish(float64(n)))
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < w; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}
