// Package replace implements GNU parallel's replacement strings ({}, {.},
// {/}, {//}, {/.}, {#}, {%} and positional {n} with the same modifiers):
// a command template is parsed once and rendered per job, with no parsing
// on the per-job path. It also quotes values for a POSIX shell, so that
// input is never evaluated as shell code.
//
// The rules follow GNU parallel (20221122) closely, including its quirks,
// because the rendered line is what --dry-run, -v and the job log show and
// users compare it with what parallel prints.
package replace

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Options controls parsing.
type Options struct {
	// Token is the string that stands for {} (-I); empty means "{}". As in
	// GNU parallel it replaces {} only: {.}, {/} and the others keep
	// working, {n} does not (its positional form becomes "{n" followed by
	// Token without its first byte, when Token starts with '{').
	Token string
	// Context is 'X' for -X (a word holding {} is repeated once per value),
	// 'm' for -m, or 0.
	Context byte
	// NoAppend keeps the values from being appended to a command that has
	// no replacement string (-N0, --tagstring).
	NoAppend bool
	// AlwaysQuote quotes the values even when the command line starts
	// with a replacement string. GNU parallel does not quote them then, so
	// that `parallel {} ::: "echo hi"` runs the input as a command.
	AlwaysQuote bool
	// QuoteWords is -q: each command word is one word whatever it holds
	// (blanks and shell syntax included), quoted as a whole on the shell
	// line, with the values in it unquoted, as GNU parallel's -q does.
	QuoteWords bool
}

// Args is the per-job data a template is rendered with.
type Args struct {
	// Values are the job's input values: {} is all of them, {n} the nth,
	// {-n} the nth from the end.
	Values []string
	Seq    int64 // {#}
	Slot   int   // {%}
}

// ErrPerl is returned (wrapped) for {= perl expression =} replacement
// strings, which would need a perl interpreter.
var ErrPerl = errors.New("perl expressions are not supported")

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
	mod  modifier
	// all: kVals stands for every value. Otherwise pos picks one value
	// (see pick); for kSeq and kSlot, a set pos makes the number appear
	// only when that value exists, which is how parallel treats {n#}.
	all    bool
	hasPos bool
	posOK  bool // false when the position overflowed: never present
	sep    bool // kLit: the space between two command words
	pos    int
	lit    string
}

// item is one element of a line prepared for -X: an unquoted space that
// separates context groups, or a group of parts between such spaces.
type item struct {
	space  bool
	parts  []part
	repl   bool // holds a replacement string: rendered through the values
	normal bool // holds a replacement string for all values: one copy per value
}

// Template is a compiled command template.
type Template struct {
	parts   []part // the whole line, literal spacing kept
	items   []item // the line cut into context groups, for -X
	context byte
	quote   bool // quote the values
	shell   bool
	program string // the literal first word, when the command has one
	slot    bool
	words   int  // a guess at the number of words, to size argv
	qwords  bool // -q: see Options.QuoteWords
	meter   meterPlan
}

// rpl is a replacement string as written in a template.
type rpl struct {
	text string
	kind kind
	mod  modifier
}

// Parse compiles the command words as given on the command line; they are
// joined by single spaces to form the command line, as GNU parallel does.
// When no replacement string appears and NoAppend is false, the values are
// appended, as if " {}" ended the line.
//
// Replacement strings are found the way parallel finds them: in each word
// on its own, the longest kind first, each everywhere in the remaining
// literal text, so "{{}}" is a brace, the values and a brace. Anything
// else in braces is literal.
func Parse(words []string, opt Options) (*Template, error) {
	switch opt.Context {
	case 0, 'X', 'm':
	default:
		return nil, fmt.Errorf("unknown context mode %q: want 0, 'X' or 'm'", opt.Context)
	}
	// parallel looks for a perl expression across words, as it merges
	// the words an unfinished one spans, but for the others word by word:
	// "{1" and "}" stay literal.
	if expr, ok := perlExpr(strings.Join(words, " ")); ok {
		return nil, fmt.Errorf("unsupported replacement string %q: %w", expr, ErrPerl)
	}
	var segs []part // literal runs within a word, replacement strings, and the spaces between words
	for i, w := range words {
		if i > 0 {
			segs = append(segs, part{kind: kLit, lit: " ", sep: true})
		}
		ws := []part{{kind: kLit, lit: w}}
		for _, r := range rpls(opt.Token) {
			ws = replaceAll(ws, r)
		}
		segs = append(segs, ws...)
	}
	hasRepl := slices.ContainsFunc(segs, func(p part) bool { return p.kind != kLit })
	if !hasRepl && !opt.NoAppend {
		if len(words) > 0 {
			segs = append(segs, part{kind: kLit, lit: " ", sep: true})
		}
		segs = append(segs, part{kind: kVals, all: true})
	}
	t := &Template{
		parts:   merge(segs, opt.QuoteWords),
		context: opt.Context,
		qwords:  opt.QuoteWords,
	}
	t.quote = opt.AlwaysQuote || !leadingRepl(t.parts)
	if t.qwords {
		t.items = wordItems(segs)
		t.shell, t.words, t.program = wordsNeedShell(segs, len(words))
	} else {
		t.items = contextItems(segs)
		t.shell, t.words, t.program = needsShell(t.parts)
	}
	t.slot = slices.ContainsFunc(t.parts, func(p part) bool { return p.kind == kSlot })
	t.buildMeter()
	return t, nil
}

// merge joins adjacent literal text, so rendering has fewer parts to walk.
// With keepSep (-q) the spaces between words stay parts of their own, as
// they are the only blanks that separate words.
func merge(segs []part, keepSep bool) []part {
	var out []part
	for _, p := range segs {
		if p.kind == kLit && p.lit == "" {
			continue
		}
		if n := len(out); n > 0 && p.kind == kLit && out[n-1].kind == kLit && !(keepSep && (p.sep || out[n-1].sep)) {
			out[n-1].lit += p.lit
			continue
		}
		p.sep = p.sep && keepSep
		out = append(out, p)
	}
	return out
}

// wordItems cuts a -q line into context groups: each command word is one,
// as blanks inside a word are part of it.
func wordItems(segs []part) []item {
	var items []item
	var cur item
	for _, p := range segs {
		if p.sep {
			if len(cur.parts) > 0 {
				items = append(items, cur)
			}
			items = append(items, item{space: true})
			cur = item{}
			continue
		}
		if p.kind == kLit && p.lit == "" {
			continue
		}
		cur.parts = append(cur.parts, p)
		if p.kind != kLit {
			cur.repl = true
			cur.normal = cur.normal || p.kind == kVals && p.all
		}
	}
	if len(cur.parts) > 0 {
		items = append(items, cur)
	}
	return items
}

// wordsNeedShell is needsShell for -q, where every word is quoted: only
// the first word matters, when it comes from the input or names a builtin.
func wordsNeedShell(segs []part, words int) (shell bool, n int, program string) {
	var first strings.Builder
	firstRepl := false
	for _, p := range segs {
		if p.sep {
			break
		}
		if p.kind != kLit {
			firstRepl = true
		}
		first.WriteString(p.lit)
	}
	name := first.String()
	switch {
	case words == 0, firstRepl, shellWords[name]:
		return true, words + 1, ""
	}
	return false, words + 1, name
}

// perlExpr finds the first {= ... =} whose body holds neither "{=" nor
// "=}", which is what parallel takes for a perl expression. A "{=" with
// no "=}" after it is literal text, as in parallel.
func perlExpr(line string) (string, bool) {
	for i := 0; ; {
		k := strings.Index(line[i:], "{=")
		if k < 0 {
			return "", false
		}
		start := i + k
		for j := start + 2; j < len(line); j++ {
			if strings.HasPrefix(line[j:], "=}") {
				return line[start : j+2], true
			}
			if strings.HasPrefix(line[j:], "{=") {
				break
			}
		}
		i = start + 1
	}
}

// rpls lists the replacement strings longest first, the order parallel
// replaces them in; a shorter one may be part of a longer one.
func rpls(token string) []rpl {
	if token == "" {
		token = "{}"
	}
	list := []rpl{
		{"{//}", kVals, mDir},
		{"{/.}", kVals, mBaseNoExt},
		{"{.}", kVals, mNoExt},
		{"{/}", kVals, mBase},
		{"{#}", kSeq, mNone},
		{"{%}", kSlot, mNone},
	}
	// The token takes the place of {} and, as -I '{.}' does in parallel,
	// of a replacement string it is equal to.
	list = slices.DeleteFunc(list, func(r rpl) bool { return r.text == token })
	list = append(list, rpl{token, kVals, mNone})
	slices.SortStableFunc(list, func(a, b rpl) int { return len(b.text) - len(a.text) })
	return list
}

// replaceAll cuts every occurrence of r, and of its positional form, out
// of the literal parts.
func replaceAll(parts []part, r rpl) []part {
	var out []part
	for _, p := range parts {
		if p.kind != kLit {
			out = append(out, p)
			continue
		}
		out = cut(out, p.lit, func(s string) (part, int, bool) {
			if strings.HasPrefix(s, r.text) {
				return part{kind: r.kind, mod: r.mod, all: r.kind == kVals}, len(r.text), true
			}
			return part{}, 0, false
		})
	}
	if !strings.HasPrefix(r.text, "{") {
		return out
	}
	// parallel replaces all plain occurrences before the positional ones.
	parts, out = out, nil
	for _, p := range parts {
		if p.kind != kLit {
			out = append(out, p)
			continue
		}
		out = cut(out, p.lit, func(s string) (part, int, bool) { return positional(s, r) })
	}
	return out
}

// cut appends the parts of s: literal text and what match finds, leftmost
// first and not overlapping.
func cut(out []part, s string, match func(string) (part, int, bool)) []part {
	lit := 0
	for i := 0; i < len(s); {
		p, n, ok := match(s[i:])
		if !ok {
			i++
			continue
		}
		if i > lit {
			out = append(out, part{kind: kLit, lit: s[lit:i]})
		}
		out = append(out, p)
		i += n
		lit = i
	}
	if lit < len(s) {
		out = append(out, part{kind: kLit, lit: s[lit:]})
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isPerlSpace is perl's \s on bytes.
func isPerlSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// positional matches parallel's /\{(-?\d+)\s*REST/ at the start of s,
// where REST is the replacement string without its "{", e.g. "{-2 /.}".
// It backtracks as the regexp would, for tokens such as "{1x}".
func positional(s string, r rpl) (part, int, bool) {
	if len(s) < 2 || s[0] != '{' {
		return part{}, 0, false
	}
	rest := r.text[1:]
	i := 1
	if s[i] == '-' {
		i++
	}
	d := i
	for d < len(s) && isDigit(s[d]) {
		d++
	}
	for end := d; end > i; end-- {
		ws := end
		for ws < len(s) && isPerlSpace(s[ws]) {
			ws++
		}
		for w := ws; w >= end; w-- {
			if strings.HasPrefix(s[w:], rest) {
				return positionalPart(s[1:end], r), w + len(rest), true
			}
		}
	}
	return part{}, 0, false
}

// positionalPart builds the part for position num of r. parallel tests
// the position with perl truth, so "0" means all values while "00" and
// "-0" point past the end; {n#} and {n%} carry the position with a "1"
// appended, an artefact of how parallel stores them.
func positionalPart(num string, r rpl) part {
	p := part{kind: r.kind, mod: r.mod, hasPos: true}
	if r.kind != kVals {
		num += "1"
	} else if num == "0" {
		return part{kind: kVals, mod: r.mod, all: true}
	}
	n, err := strconv.Atoi(num)
	p.pos, p.posOK = n, err == nil
	return p
}

// pick returns the index of the value p stands for among n values, the
// way perl indexes an array: {-n} counts from the end and, as perl allows
// one wrap of a negative index, {-3} of two values is the second.
func (p *part) pick(n int) (int, bool) {
	if !p.posOK {
		return 0, false
	}
	i := p.pos - 1
	if p.pos <= 0 {
		i = n + p.pos
		if i < 0 {
			i += n
		}
	}
	return i, i >= 0 && i < n
}

// leadingRepl reports whether the line starts with a replacement string
// in its first word (before a blank or '='): parallel then takes the
// values as shell code and does not quote them.
func leadingRepl(parts []part) bool {
	for _, p := range parts {
		if p.kind != kLit {
			return true
		}
		if strings.ContainsAny(p.lit, " \t\n=") {
			return false
		}
	}
	return false
}

// contextItems cuts the line into -X context groups. As in parallel, a
// space ends a group and is kept between groups, a tab ends a group and
// starts the next one, and other blanks (a newline) do not end a group.
// segs holds each word's literal runs apart, as the rules depend on them.
func contextItems(parts []part) []item {
	var items []item
	var cur item
	end := func() {
		if len(cur.parts) > 0 {
			items = append(items, cur)
		}
		cur = item{}
	}
	for _, p := range parts {
		if p.kind != kLit {
			cur.parts = append(cur.parts, p)
			cur.repl = true
			cur.normal = cur.normal || p.kind == kVals && p.all
			continue
		}
		if p.lit == " \n" && !p.sep {
			// parallel keeps a run that matches /^ $/ whole, and perl's $
			// matches before a final newline: then the space ends nothing.
			cur.parts = append(cur.parts, p)
			continue
		}
		s := p.lit
		for len(s) > 0 {
			switch s[0] {
			case ' ':
				end()
				items = append(items, item{space: true})
				s = s[1:]
				continue
			case '\t':
				end()
			}
			j := 1
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			cur.parts = append(cur.parts, part{kind: kLit, lit: s[:j]})
			s = s[j:]
		}
	}
	end()
	return items
}

// shellWords are builtins and keywords that have no program of their own,
// or whose program could not do what the shell's does (cd, read).
var shellWords = map[string]bool{
	"exit": true, "cd": true, "export": true, "set": true, "unset": true, "source": true,
	".": true, ":": true, "eval": true, "exec": true, "alias": true, "unalias": true,
	"read": true, "wait": true, "trap": true, "shift": true, "return": true,
	"break": true, "continue": true, "if": true, "then": true, "else": true,
	"elif": true, "fi": true, "for": true, "select": true, "in": true, "while": true,
	"until": true, "do": true, "done": true, "case": true, "esac": true,
	"function": true, "time": true, "ulimit": true, "umask": true, "type": true,
	"command": true, "builtin": true, "local": true, "readonly": true,
	"declare": true, "typeset": true, "let": true, "!": true, "{": true, "}": true,
	"[[": true, "]]": true, "coproc": true, "hash": true, "jobs": true, "fg": true,
	"bg": true, "times": true, "getopts": true, "shopt": true, "enable": true,
	"disown": true, "suspend": true, "logout": true, "history": true, "fc": true,
	"pushd": true, "popd": true, "dirs": true, "mapfile": true, "readarray": true,
	"caller": true, "bind": true, "complete": true, "compgen": true, "compopt": true,
	"help": true,
}

// safeLiteral reports whether c means nothing to a shell in literal text.
func safeLiteral(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-_+.,/:@%^= \t", c) >= 0
}

// needsShell decides once whether the command must run through a shell,
// and counts the words to size Argv's result.
func needsShell(parts []part) (shell bool, words int, program string) {
	var first strings.Builder
	firstDone, firstRepl, inWord := false, false, false
	for _, p := range parts {
		if p.kind != kLit {
			if !inWord {
				words++
			}
			inWord = true
			if !firstDone {
				firstRepl = true
			}
			continue
		}
		for i := 0; i < len(p.lit); i++ {
			c := p.lit[i]
			if !safeLiteral(c) {
				shell = true
			}
			if c == ' ' || c == '\t' {
				if inWord {
					firstDone = true
				}
				inWord = false
				continue
			}
			if !inWord {
				words++
			}
			inWord = true
			if !firstDone {
				first.WriteByte(c)
			}
		}
	}
	name := first.String()
	switch {
	case words == 0:
		// An empty command does nothing only in a shell.
		shell = true
	case firstRepl:
		// The program's name comes from the input: the shell decides
		// what it is (a builtin, a function, a path).
		shell = true
	case shellWords[name], strings.IndexByte(name, '=') >= 0, strings.HasPrefix(name, "%"):
		// A builtin, an assignment, or a job (%1 is fg %1 in bash).
		shell = true
	}
	if !firstRepl {
		program = name
	}
	return shell, words, program
}

// NeedsShell reports whether the command must run through a shell: its
// literal text has shell syntax, or its first word is a shell builtin, a
// keyword, an assignment, or comes from the input.
func (t *Template) NeedsShell() bool { return t.shell }

// Program returns the command's first word, the program it runs, or ""
// when that word comes from the input.
func (t *Template) Program() string { return t.program }

// UsesSlot reports whether the template names the job slot ({%}), which is
// only known once a worker takes the job.
func (t *Template) UsesSlot() bool { return t.slot }

// AppendShell appends the command line for a shell, every substituted value
// quoted, except where GNU parallel does not quote them: when the line
// starts with a replacement string and AlwaysQuote is off, the input is
// meant to be shell code. It is also the form --dry-run, -v and the job
// log show.
func (t *Template) AppendShell(dst []byte, a Args) []byte {
	s := sink{mode: toShell, quote: t.quote, qw: t.qwords, buf: dst}
	t.render(&s, &a)
	s.endWord()
	return s.buf
}

// AppendPlain appends the template rendered with values unquoted and the
// literal text as written (for --tagstring and display).
func (t *Template) AppendPlain(dst []byte, a Args) []byte {
	s := sink{mode: toPlain, buf: dst}
	t.render(&s, &a)
	return s.buf
}

// Argv returns the argument vector for running without a shell: the words
// of the template with values unquoted. It equals what a shell would make
// of AppendShell's line; a word that is {} expands to one element per
// value, and "X{}Y" with values a and b gives "Xa" and "bY" (with -X,
// "XaY" and "XbY"). A word that renders to nothing, such as {3} with two
// values, is dropped, as the shell drops it.
func (t *Template) Argv(a Args) []string {
	s := sink{mode: toArgv, qw: t.qwords, argv: make([]string, 0, t.words+len(a.Values))}
	t.render(&s, &a)
	s.endWord()
	return s.argv
}

// render walks the template once, whatever the output.
func (t *Template) render(s *sink, a *Args) {
	if t.context != 'X' {
		for i := range t.parts {
			s.part(&t.parts[i], a.Values, a)
		}
		return
	}
	for i := range t.items {
		it := &t.items[i]
		switch {
		case it.space:
			s.space()
		case !it.normal || len(a.Values) == 0:
			for j := range it.parts {
				s.part(&it.parts[j], a.Values, a)
			}
		default:
			for v := range a.Values {
				if v > 0 {
					s.space()
				}
				for j := range it.parts {
					s.part(&it.parts[j], a.Values[v:v+1], a)
				}
			}
		}
	}
}

const (
	toShell = iota
	toPlain
	toArgv
)

// sink receives the rendering: bytes for a shell or for display, or the
// words of an argument vector.
type sink struct {
	mode  uint8
	quote bool
	// qw (-q) builds words as for argv, with the template's blanks inside
	// them, and on a shell line quotes each word whole.
	qw  bool
	buf []byte

	argv []string
	// The word being built: while it is a single piece of the template
	// or of a value it is kept as that string (pend), and is copied into
	// word only when a second piece joins it.
	open, copied bool
	pend         string
	word         []byte
	words        int // words written to buf (-q)
}

// words reports whether the sink builds words rather than bytes.
func (s *sink) byWords() bool { return s.mode == toArgv || s.qw && s.mode == toShell }

// part renders one part; all is the values {} stands for here (one of
// them, for a -X copy).
func (s *sink) part(p *part, all []string, a *Args) {
	switch p.kind {
	case kLit:
		if p.sep {
			s.space()
			return
		}
		s.lit(p.lit)
	case kSeq, kSlot:
		if p.hasPos {
			if _, ok := p.pick(len(a.Values)); !ok {
				return
			}
		}
		n := a.Seq
		if p.kind == kSlot {
			n = int64(a.Slot)
		}
		s.num(n)
	case kVals:
		if p.all {
			for i, v := range all {
				if i > 0 {
					s.space()
				}
				s.value(modify(v, p.mod))
			}
			return
		}
		if i, ok := p.pick(len(a.Values)); ok {
			s.value(modify(a.Values[i], p.mod))
		}
	}
}

// space is a blank that separates words.
func (s *sink) space() {
	if s.byWords() {
		s.endWord()
		return
	}
	s.buf = append(s.buf, ' ')
}

// lit adds literal text, in which blanks separate words (but for -q).
func (s *sink) lit(text string) {
	if !s.byWords() {
		s.buf = append(s.buf, text...)
		return
	}
	if s.qw {
		s.add(text)
		return
	}
	for len(text) > 0 {
		if text[0] == ' ' || text[0] == '\t' {
			s.endWord()
			text = text[1:]
			continue
		}
		j := 1
		for j < len(text) && text[j] != ' ' && text[j] != '\t' {
			j++
		}
		s.add(text[:j])
		text = text[j:]
	}
}

// value adds a substituted value; quoted, it is one word, or part of one,
// even when empty.
func (s *sink) value(v string) {
	switch {
	case s.byWords():
		s.add(v)
	case s.quote && s.mode == toShell:
		s.buf = AppendQuote(s.buf, v)
	default:
		s.buf = append(s.buf, v...)
	}
}

func (s *sink) num(n int64) {
	if !s.byWords() {
		s.buf = strconv.AppendInt(s.buf, n, 10)
		return
	}
	s.copyPend()
	s.word = strconv.AppendInt(s.word, n, 10)
}

// add joins piece to the current word, opening one if needed.
func (s *sink) add(piece string) {
	if !s.open {
		s.open, s.copied, s.pend = true, false, piece
		return
	}
	s.copyPend()
	s.word = append(s.word, piece...)
}

// copyPend moves the pending piece into word, so more can be appended.
func (s *sink) copyPend() {
	if s.word == nil {
		// One buffer serves all the words, and most fit in it.
		s.word = make([]byte, 0, 64)
	}
	if !s.open {
		s.open, s.copied, s.word = true, true, s.word[:0]
		return
	}
	if !s.copied {
		s.word = append(s.word[:0], s.pend...)
		s.copied = true
	}
}

func (s *sink) endWord() {
	if !s.open {
		return
	}
	s.open = false
	if s.mode == toShell {
		if s.words > 0 {
			s.buf = append(s.buf, ' ')
		}
		s.words++
		if s.copied {
			s.buf = AppendQuote(s.buf, string(s.word))
		} else {
			s.buf = AppendQuote(s.buf, s.pend)
		}
		return
	}
	if s.copied {
		s.argv = append(s.argv, string(s.word))
	} else {
		s.argv = append(s.argv, s.pend)
	}
}

// modify applies a replacement string's modifier to one value.
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

// noExt is parallel's s:\.[^/.]*$:: : it removes the last dot and what
// follows, unless a slash follows. So ".bashrc" gives "" and "a/." "a/".
func noExt(v string) string {
	i := strings.LastIndexByte(v, '.')
	if i < 0 || strings.IndexByte(v[i:], '/') >= 0 {
		return v
	}
	return v[:i]
}

// base is parallel's s:.*/:: , where '.' does not match a newline: it
// removes the first run, within one line, that ends in a slash. Values
// without a newline lose everything up to the last slash, so "a/" gives "".
func base(v string) string {
	i := strings.IndexByte(v, '/')
	if i < 0 {
		return v
	}
	start := strings.LastIndexByte(v[:i], '\n') + 1
	eol := strings.IndexByte(v[i:], '\n')
	if eol < 0 {
		eol = len(v)
	} else {
		eol += i
	}
	end := strings.LastIndexByte(v[:eol], '/') + 1
	if start == 0 {
		return v[end:]
	}
	return v[:start] + v[end:]
}

// dir is perl's File::Basename::dirname, which parallel uses for {//}:
// trailing slashes do not count, "a" and "" give "." and "/" gives "/".
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

// safeQuoted reports whether c can stand unquoted in a shell word; the set
// is GNU parallel's, so --dry-run prints what it prints.
func safeQuoted(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '+' || c == '.' || c == '/'
}

// AppendQuote appends s quoted for a POSIX shell: unchanged when it is
// non-empty and every byte is safe, otherwise in single quotes with each '
// written as '"'"'. As GNU parallel does, a pair of quotes enclosing
// nothing at either end, left by a leading or trailing ', is dropped: "it's"
// gives 'it'"'"'s' and "'a" gives "'"'a'. The empty string gives a pair of
// single quotes, so that it stays an argument.
func AppendQuote(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "''"...)
	}
	safe := true
	for i := 0; i < len(s) && safe; i++ {
		safe = safeQuoted(s[i])
	}
	if safe {
		return append(dst, s...)
	}
	rest := s
	if rest[0] == '\'' {
		// Opening the quote only to close it at once would print ''.
		dst = append(dst, `"'"`...)
		rest = rest[1:]
	}
	dst = append(dst, '\'')
	for {
		i := strings.IndexByte(rest, '\'')
		if i < 0 {
			break
		}
		dst = append(dst, rest[:i]...)
		dst = append(dst, `'"'"'`...)
		rest = rest[i+1:]
	}
	dst = append(dst, rest...)
	dst = append(dst, '\'')
	if s[len(s)-1] == '\'' {
		dst = dst[:len(dst)-2]
	}
	return dst
}
