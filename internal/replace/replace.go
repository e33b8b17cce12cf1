// Package replace implements GNU parallel's replacement strings ({}, {.},
// {/}, {//}, {/.}, {#}, {%} and positional {n} with the same modifiers):
// a command template is parsed once and rendered per job, with no parsing
// on the per-job path. It also quotes values for a POSIX shell, so that
// input is never evaluated as shell code.
package replace

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Options controls parsing.
type Options struct {
	// Token is the string that stands for {} (-I); empty means "{}".
	Token string
	// Context is 'X' for -X (a word holding {} is repeated once per value),
	// 'm' for -m, or 0.
	Context byte
	// NoAppend keeps the values from being appended to a command that has
	// no replacement string (-N0).
	NoAppend bool
}

// Args is the per-job data a template is rendered with.
type Args struct {
	// Values are the job's input values: {} is all of them, {n} the nth,
	// {-n} the nth from the end.
	Values []string
	Seq    int64 // {#}
	Slot   int   // {%}
}

type kind uint8

const (
	kLit  kind = iota // literal text
	kVals             // values: all ({}), or one ({n})
	kSeq              // {#}
	kSlot             // {%}
)

// modifier is what a replacement string does to each value.
type modifier uint8

const (
	mNone      modifier = iota
	mNoExt              // {.}
	mBase               // {/}
	mDir                // {//}
	mBaseNoExt          // {/.}
)

// part is a piece of a template: literal text or a replacement string.
type part struct {
	kind kind
	lit  string
	pos  int // for kVals: 0 all values, n > 0 the nth, n < 0 from the end
	mod  modifier
}

// Template is a compiled command template.
type Template struct {
	parts   []part   // the whole line, literal spacing kept
	words   [][]part // the line split at blanks, for argv and -X
	context byte
	shell   bool
}

// ErrPerl is returned for {= perl expression =} replacement strings.
var ErrPerl = errors.New("perl expressions are not supported")

// Parse compiles the command words as given on the command line; they are
// joined by single spaces to form the command line, as GNU parallel does.
// When no replacement string appears and NoAppend is false, the values are
// appended, as if " {}" ended the line.
func Parse(words []string, opt Options) (*Template, error) {
	line := strings.Join(words, " ")
	token := opt.Token
	if token == "" {
		token = "{}"
	}
	parts, err := parseLine(line, token)
	if err != nil {
		return nil, err
	}
	hasRepl := false
	for _, p := range parts {
		if p.kind != kLit {
			hasRepl = true
		}
	}
	if !hasRepl && !opt.NoAppend {
		parts = append(parts, part{kind: kLit, lit: " "}, part{kind: kVals})
	}
	t := &Template{parts: merge(parts), context: opt.Context}
	t.words = splitWords(t.parts)
	t.shell = needsShell(t.parts, t.words)
	return t, nil
}

// parseLine splits line into literal text and replacement strings.
func parseLine(line, token string) ([]part, error) {
	var parts []part
	lit := 0 // start of the pending literal
	flush := func(end int) {
		if end > lit {
			parts = append(parts, part{kind: kLit, lit: line[lit:end]})
		}
	}
	for i := 0; i < len(line); {
		if strings.HasPrefix(line[i:], token) {
			flush(i)
			parts = append(parts, part{kind: kVals})
			i += len(token)
			lit = i
			continue
		}
		if line[i] != '{' {
			i++
			continue
		}
		if strings.HasPrefix(line[i:], "{=") {
			end := strings.Index(line[i+2:], "=}")
			if end >= 0 {
				return nil, fmt.Errorf("unsupported replacement string %q: %w", line[i:i+2+end+2], ErrPerl)
			}
		}
		p, n, ok := parseBrace(line[i:])
		if !ok {
			i++
			continue
		}
		flush(i)
		parts = append(parts, p)
		i += n
		lit = i
	}
	flush(len(line))
	return parts, nil
}

// parseBrace recognises a replacement string at the start of s, other than
// the {} token, and returns it and its length.
func parseBrace(s string) (part, int, bool) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return part{}, 0, false
	}
	body := s[1:end]
	switch body {
	case "#":
		return part{kind: kSeq}, end + 1, true
	case "%":
		return part{kind: kSlot}, end + 1, true
	}
	// Optional position, then an optional modifier.
	i := 0
	if i < len(body) && body[i] == '-' {
		i++
	}
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	pos := 0
	if num := body[:i]; num != "" {
		n, err := strconv.Atoi(num)
		if err != nil || n == 0 {
			return part{}, 0, false
		}
		pos = n
	}
	var m modifier
	switch body[i:] {
	case "":
		if pos == 0 {
			return part{}, 0, false // plain {} is the token
		}
		m = mNone
	case ".":
		m = mNoExt
	case "/":
		m = mBase
	case "//":
		m = mDir
	case "/.":
		m = mBaseNoExt
	default:
		return part{}, 0, false
	}
	return part{kind: kVals, pos: pos, mod: m}, end + 1, true
}

// merge joins adjacent literals.
func merge(parts []part) []part {
	out := parts[:0]
	for _, p := range parts {
		if n := len(out); n > 0 && p.kind == kLit && out[n-1].kind == kLit {
			out[n-1].lit += p.lit
			continue
		}
		out = append(out, p)
	}
	return out
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// splitWords splits the parts at blanks in literal text.
func splitWords(parts []part) [][]part {
	var words [][]part
	var cur []part
	end := func() {
		if len(cur) > 0 {
			words = append(words, cur)
			cur = nil
		}
	}
	for _, p := range parts {
		if p.kind != kLit {
			cur = append(cur, p)
			continue
		}
		s := p.lit
		for len(s) > 0 {
			if isBlank(s[0]) {
				end()
				s = s[1:]
				continue
			}
			j := 0
			for j < len(s) && !isBlank(s[j]) {
				j++
			}
			cur = append(cur, part{kind: kLit, lit: s[:j]})
			s = s[j:]
		}
	}
	end()
	return words
}

// shellWords are builtins and keywords that have no program of their own
// (or whose program would not do what the shell's does).
var shellWords = map[string]bool{
	"exit": true, "cd": true, "export": true, "set": true, "unset": true, "source": true,
	".": true, "eval": true, "exec": true, "alias": true, "read": true, "wait": true,
	"trap": true, "shift": true, "return": true, "break": true, "continue": true,
	"if": true, "then": true, "else": true, "elif": true, "fi": true, "for": true,
	"while": true, "until": true, "do": true, "done": true, "case": true, "esac": true,
	"function": true, "time": true, "ulimit": true, "umask": true, "type": true,
	"command": true, "builtin": true, "local": true, "readonly": true, "declare": true,
	"typeset": true, "let": true, "!": true, "{": true, "}": true, "[[": true,
	"hash": true, "jobs": true, "fg": true, "bg": true, "times": true, "getopts": true,
}

// safeLiteral reports whether c needs no shell at all in literal text.
func safeLiteral(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-_+.,/:@%^=", c) >= 0 || c == ' ' || c == '\t'
}

// needsShell decides once whether the command must run through a shell.
func needsShell(parts []part, words [][]part) bool {
	for _, p := range parts {
		if p.kind != kLit {
			continue
		}
		for i := 0; i < len(p.lit); i++ {
			if !safeLiteral(p.lit[i]) {
				return true
			}
		}
	}
	if len(words) == 0 {
		return true
	}
	first := words[0]
	if len(first) != 1 || first[0].kind != kLit {
		// The program's name comes from the input: the shell decides
		// what it is (a builtin, a function, a path).
		return true
	}
	name := first[0].lit
	return shellWords[name] || strings.IndexByte(name, '=') >= 0
}

// NeedsShell reports whether the command must run through a shell: its
// literal text has shell syntax, or its first word is a shell builtin, a
// keyword, an assignment, or comes from the input.
func (t *Template) NeedsShell() bool { return t.shell }

// UsesSlot reports whether the template names the job slot ({%}), which is
// only known once a worker takes the job.
func (t *Template) UsesSlot() bool {
	for _, p := range t.parts {
		if p.kind == kSlot {
			return true
		}
	}
	return false
}

// AppendShell appends the command line for a shell, every substituted value
// quoted. It is also the form --dry-run, -v and the job log show.
func (t *Template) AppendShell(dst []byte, a Args) []byte {
	if t.context == 'X' {
		return t.appendWords(dst, a, true)
	}
	for _, p := range t.parts {
		dst = appendPart(dst, p, a, true)
	}
	return dst
}

// AppendPlain appends the template rendered with values unquoted (for
// --tagstring and display).
func (t *Template) AppendPlain(dst []byte, a Args) []byte {
	if t.context == 'X' {
		return t.appendWords(dst, a, false)
	}
	for _, p := range t.parts {
		dst = appendPart(dst, p, a, false)
	}
	return dst
}

// appendWords renders word by word, repeating a word that holds {} once
// per value (-X).
func (t *Template) appendWords(dst []byte, a Args, quote bool) []byte {
	for i, w := range t.words {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if !hasAll(w) || len(a.Values) <= 1 {
			for _, p := range w {
				dst = appendPart(dst, p, a, quote)
			}
			continue
		}
		for j := range a.Values {
			if j > 0 {
				dst = append(dst, ' ')
			}
			one := a
			one.Values = a.Values[j : j+1]
			for _, p := range w {
				if p.kind == kVals && p.pos == 0 {
					dst = appendPart(dst, p, one, quote)
				} else {
					dst = appendPart(dst, p, a, quote)
				}
			}
		}
	}
	return dst
}

func hasAll(w []part) bool {
	for _, p := range w {
		if p.kind == kVals && p.pos == 0 {
			return true
		}
	}
	return false
}

// appendPart renders one part.
func appendPart(dst []byte, p part, a Args, quote bool) []byte {
	switch p.kind {
	case kLit:
		return append(dst, p.lit...)
	case kSeq:
		return strconv.AppendInt(dst, a.Seq, 10)
	case kSlot:
		return strconv.AppendInt(dst, int64(a.Slot), 10)
	}
	if p.pos != 0 {
		v, ok := value(a.Values, p.pos)
		if !ok {
			return dst
		}
		return appendValue(dst, modify(v, p.mod), quote)
	}
	for i, v := range a.Values {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = appendValue(dst, modify(v, p.mod), quote)
	}
	return dst
}

func appendValue(dst []byte, v string, quote bool) []byte {
	if quote {
		return AppendQuote(dst, v)
	}
	return append(dst, v...)
}

// value returns the value at a 1-based position, negative from the end.
func value(vals []string, pos int) (string, bool) {
	if pos < 0 {
		pos = len(vals) + pos + 1
	}
	if pos < 1 || pos > len(vals) {
		return "", false
	}
	return vals[pos-1], true
}

// modify applies a replacement string's modifier to one value, as GNU
// parallel does.
func modify(v string, m modifier) string {
	switch m {
	case mNoExt:
		return noExt(v)
	case mBase:
		return base(v)
	case mDir:
		return dir(v)
	case mBaseNoExt:
		return noExt(base(v))
	}
	return v
}

// noExt removes the extension of the last path component: the last dot
// and what follows it, if no slash follows.
func noExt(v string) string {
	i := strings.LastIndexByte(v, '.')
	if i < 0 || strings.IndexByte(v[i:], '/') >= 0 {
		return v
	}
	return v[:i]
}

// base removes everything up to the last slash.
func base(v string) string {
	return v[strings.LastIndexByte(v, '/')+1:]
}

// dir is the directory part, as dirname(1) gives it.
func dir(v string) string {
	s := strings.TrimRight(v, "/")
	if s == "" {
		if v == "" {
			return "."
		}
		return "/"
	}
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "."
	}
	s = strings.TrimRight(s[:i], "/")
	if s == "" {
		return "/"
	}
	return s
}

// Argv returns the argument vector for running without a shell: the words
// of the template with values unquoted. It equals what a shell would make
// of AppendShell's line; a word that is {} expands to one element per
// value, and "X{}Y" with values a and b gives "Xa" and "bY" (with -X,
// "XaY" and "XbY").
func (t *Template) Argv(a Args) []string {
	argv := make([]string, 0, len(t.words)+len(a.Values))
	var cur []byte
	for _, w := range t.words {
		if t.context == 'X' && hasAll(w) && len(a.Values) > 1 {
			for j := range a.Values {
				one := a
				one.Values = a.Values[j : j+1]
				cur = cur[:0]
				for _, p := range w {
					if p.kind == kVals && p.pos == 0 {
						cur = appendPart(cur, p, one, false)
					} else {
						cur = appendPart(cur, p, a, false)
					}
				}
				argv = append(argv, string(cur))
			}
			continue
		}
		argv = appendWord(argv, w, a)
	}
	return argv
}

// appendWord renders one word into zero or more arguments, as the shell
// would split it: values of {} are separate arguments, and a word made
// only of replacement strings with nothing to put in vanishes.
func appendWord(argv []string, w []part, a Args) []string {
	// The common case, a word that is exactly one replacement string of
	// all values, passes the values through without copying.
	if len(w) == 1 && w[0].kind == kVals && w[0].pos == 0 && w[0].mod == mNone {
		return append(argv, a.Values...)
	}
	var cur []byte
	some := false // the current argument exists even if empty
	for _, p := range w {
		switch {
		case p.kind == kVals && p.pos == 0:
			for i, v := range a.Values {
				if i > 0 {
					argv = append(argv, string(cur))
					cur = cur[:0]
				}
				cur = append(cur, modify(v, p.mod)...)
				some = true
			}
		case p.kind == kVals:
			if v, ok := value(a.Values, p.pos); ok {
				cur = append(cur, modify(v, p.mod)...)
				some = true
			}
		default:
			n := len(cur)
			cur = appendPart(cur, p, a, false)
			some = some || len(cur) > n
		}
	}
	if some {
		argv = append(argv, string(cur))
	}
	return argv
}

// safeQuoted reports whether c can stand unquoted in a shell word; the set
// is GNU parallel's, so --dry-run prints what it prints.
func safeQuoted(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '+' || c == '.' || c == '/'
}

// AppendQuote appends s quoted for a POSIX shell: unchanged when every
// character is safe, otherwise in single quotes, with each ' written as
// '"'"' as GNU parallel does. The empty string is ”.
func AppendQuote(dst []byte, s string) []byte {
	safe := s != ""
	for i := 0; i < len(s) && safe; i++ {
		safe = safeQuoted(s[i])
	}
	if safe {
		return append(dst, s...)
	}
	dst = append(dst, '\'')
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, `'"'"'`...)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, '\'')
}
