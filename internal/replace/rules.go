package replace

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// rule is one replacement string as GNU parallel's table (%Global::rpl)
// holds it: the string as written, which may hold regexp groups, and the
// perl code that computes its value. op is the same computation in Go;
// opPerl means there is none, and the perl code must run.
type rule struct {
	key  string
	perl string
	op   op
}

// Builtin and --plus rules, with GNU parallel 20221122's perl code: it is
// what the Go implementations are tested against, and what runs when one
// cannot serve (a regexp Go's syntax does not take).
var builtinRules = []rule{
	{"{}", "", opNone},
	{"{#}", "1 $_=$job->seq()", opSeq},
	{"{%}", "1 $_=$job->slot()", opSlot},
	{"{/}", "s:.*/::", opBase},
	{"{//}", `$Global::use{"File::Basename"} ||= eval "use File::Basename; 1;"; $_ = dirname($_);`, opDir},
	{"{/.}", `s:.*/::; s:\.[^/.]*$::;`, opBaseNoExt},
	{"{.}", `s:\.[^/.]*$::`, opNoExt},
}

var plusRules = []rule{
	{"{+/}", `s:/[^/]*$:: || s:.*$::`, opDirPlus},
	{"{+.}", `s:.*\.:: || s:.*$::`, opExt},
	{"{+..}", `s:.*\.([^/.]*\.[^/.]*)$:$1: || s:.*$::`, opExt2},
	{"{+...}", `s:.*\.([^/.]*\.[^/.]*\.[^/.]*)$:$1: || s:.*$::`, opExt3},
	{"{..}", `s:\.[^/.]*\.[^/.]*$::`, opNoExt2},
	{"{...}", `s:\.[^/.]*\.[^/.]*\.[^/.]*$::`, opNoExt3},
	{"{/..}", `s:.*/::; s:\.[^/.]*\.[^/.]*$::`, opBaseNoExt2},
	{"{/...}", `s:.*/::; s:\.[^/.]*\.[^/.]*\.[^/.]*$::`, opBaseNoExt3},
	{"{choose_k}", `for $t (2..$#arg){ if($arg[$t-1] ge $arg[$t]) { skip() } }`, opChooseK},
	{"{uniq}", `if(::uniq(@arg) != @arg) { skip(); }`, opUniq},
	{"{##}", `1 $_=total_jobs()`, opTotal},
	{"{0%}", `1 $f=1+int((log($Global::max_jobs_running||1)/log(10)));$_=sprintf("%0${f}d",slot())`, opSlotPad},
	{"{0#}", `1 $f=1+int((log(total_jobs())/log(10)));$_=sprintf("%0${f}d",seq())`, opSeqPad},
	{"{:-([^}]+?)}", `$_ ||= $$1`, opDefault},
	{`{:(\d+?)}`, `substr($_,0,$$1) = ""`, opSkipN},
	{`{:(\d+?):(\d+?)}`, `$_ = substr($_,$$1,$$2);`, opSubstr},
	{"{#([^#}][^}]*?)}", `$nongreedy=::make_regexp_ungreedy($$1);s/^$nongreedy(.*)/$1/;`, opTrimPrefix},
	{"{##([^#}][^}]*?)}", `s/^$$1//;`, opTrimPrefixLong},
	{"{%([^}]+?)}", `$nongreedy=::make_regexp_ungreedy($$1);s/(.*)$nongreedy$/$1/;`, opTrimSuffix},
	{"{%%([^}]+?)}", `s/$$1$//;`, opTrimSuffixLong},
	{"{/([^#%}/]+?)/([^}]*?)}", `s/$$1/$$2/;`, opSub},
	{"{/#([^}]+?)/([^}]*?)}", `s/^$$1/$$2/g;`, opSubPrefix},
	{"{/%([^}]+?)/([^}]*?)}", `s/$$1$/$$2/g;`, opSubSuffix},
	{"{//([^}]+?)/([^}]*?)}", `s/$$1/$$2/g;`, opSubAll},
	{"{^([^}]+?)}", `s/^($$1)/uc($1)/e;`, opUpper},
	{"{^^([^}]+?)}", `s/($$1)/uc($1)/eg;`, opUpperAll},
	{"{,([^}]+?)}", `s/^($$1)/lc($1)/e;`, opLower},
	{"{,,([^}]+?)}", `s/($$1)/lc($1)/eg;`, opLowerAll},
	{"{slot}", `1 $_="\${PARALLEL_JOBSLOT}";uq()`, opRaw},
	{"{host}", `1 $_="\${PARALLEL_SSHHOST}";uq()`, opRaw},
	{"{sshlogin}", `1 $_="\${PARALLEL_SSHLOGIN}";uq()`, opRaw},
	{"{hgrp}", `1 $_="\${PARALLEL_HOSTGROUPS}";uq()`, opRaw},
	{"{agrp}", `1 $_="\${PARALLEL_ARGHOSTGROUPS}";uq()`, opRaw},
}

// rawText is what the unquoted --plus strings insert: a variable the
// shell expands.
var rawText = map[string]string{
	"{slot}": "${PARALLEL_JOBSLOT}", "{host}": "${PARALLEL_SSHHOST}", "{sshlogin}": "${PARALLEL_SSHLOGIN}",
	"{hgrp}": "${PARALLEL_HOSTGROUPS}", "{agrp}": "${PARALLEL_ARGHOSTGROUPS}",
}

// matcher finds a rule's replacement string in literal text, in its plain
// form and, for a rule that starts with "{", its positional one ({2.}).
type matcher struct {
	rule  rule
	first int            // the byte every match starts with, or -1
	lit   string         // the key, when it has no regexp group
	plain *regexp.Regexp // anchored at the start; nil when lit serves
	pos   *regexp.Regexp // anchored; nil when the key does not start with "{"
}

// ruleTable builds the rules a template is parsed with, in GNU parallel's
// order: the defaults, --plus, the renaming options, then --rpl; longest
// key first, as a short key may be part of a long one.
func ruleTable(opt *Options) ([]matcher, error) {
	table := map[string]rule{}
	add := func(rs []rule) {
		for _, r := range rs {
			table[r.key] = r
		}
	}
	if opt.Plus {
		add(plusRules)
	}
	add(builtinRules)
	rename := func(old, new string) {
		if new == "" || new == old {
			return
		}
		if r, ok := table[old]; ok {
			r.key = new
			table[new] = r
		} else {
			delete(table, new)
		}
		delete(table, old)
	}
	rename("{}", opt.Token)
	rename("{.}", opt.ExtToken)
	rename("{/}", opt.BaseToken)
	rename("{//}", opt.DirToken)
	rename("{#}", opt.SeqToken)
	rename("{%}", opt.SlotToken)
	rename("{/.}", opt.BaseExtToken)
	for _, def := range opt.Rpl {
		// parallel splits at the first blank: split/\s/,$_,2.
		key, code := def, ""
		if i := strings.IndexAny(def, " \t\n\r\f\v"); i >= 0 {
			key, code = def[:i], def[i+1:]
		}
		if key == "" {
			return nil, fmt.Errorf("--rpl %q: no replacement string before the perl expression", def)
		}
		table[key] = rule{key: key, perl: code, op: opPerl}
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	// parallel breaks ties in hash order, which changes from run to run;
	// any fixed order is as right, and this one is stable.
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(len(b)-len(a), strings.Compare(a, b))
	})
	ms := make([]matcher, 0, len(keys))
	for _, k := range keys {
		m, err := newMatcher(table[k])
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// splitKey cuts a key as parallel does, /^([^(]*)(\(.*\))?([^)]*)$/: the
// literal text before the first "(", the regexp groups up to the last ")",
// and the literal text after them.
func splitKey(key string) (prefix, group, postfix string) {
	i := strings.IndexByte(key, '(')
	if i < 0 {
		return key, "", ""
	}
	j := strings.LastIndexByte(key, ')')
	if j < i {
		return key[:i], "", key[i:]
	}
	return key[:i], key[i : j+1], key[j+1:]
}

// matchers caches the matchers of rules that come with fanout, by rule:
// every Parse would compile the same regexps again.
var matchers sync.Map

func newMatcher(r rule) (matcher, error) {
	if r.op != opPerl {
		if m, ok := matchers.Load(r); ok {
			return m.(matcher), nil
		}
	}
	m, err := compileMatcher(r)
	if err == nil && r.op != opPerl {
		matchers.Store(r, m)
	}
	return m, err
}

func compileMatcher(r rule) (matcher, error) {
	m := matcher{rule: r, first: -1}
	prefix, group, postfix := splitKey(r.key)
	if prefix != "" {
		m.first = int(prefix[0])
	}
	var grp string
	if group != "" {
		g, err := goRegexp(group)
		if err != nil {
			return m, fmt.Errorf("replacement string %q: %w", r.key, err)
		}
		grp = g
	} else {
		m.lit = toLatin1(r.key)
	}
	re := func(s string) (*regexp.Regexp, error) {
		x, err := regexp.Compile(`^(?:` + s + `)`)
		if err != nil {
			return nil, fmt.Errorf("replacement string %q: %w", r.key, err)
		}
		return x, nil
	}
	var err error
	if m.lit == "" {
		if m.plain, err = re(quoteLatin1(prefix) + grp + quoteLatin1(postfix)); err != nil {
			return m, err
		}
	}
	if strings.HasPrefix(prefix, "{") {
		// perl's \s* between the position and the rest; its \s has \v.
		if m.pos, err = re(`\{(-?[0-9]+)[\t\n\v\f\r ]*` + quoteLatin1(prefix[1:]) + grp + quoteLatin1(postfix)); err != nil {
			return m, err
		}
	}
	return m, nil
}

// quoteLatin1 quotes literal text for a pattern run over Latin-1 text.
func quoteLatin1(s string) string { return regexp.QuoteMeta(toLatin1(s)) }

// goRegexp turns a perl regexp, written over bytes, into a Go one over
// the same bytes read as Latin-1 runes, so that "." is one byte as in
// perl. It fails for what Go's syntax does not take (look-arounds,
// back-references).
func goRegexp(perl string) (string, error) {
	s := toLatin1(perlSpace(perl))
	if _, err := regexp.Compile(s); err != nil {
		return "", fmt.Errorf("regexp %q: %v", perl, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return s, nil
}

// perlSpace spells perl's \s and \S out, as perl's has the vertical tab
// and Go's does not.
func perlSpace(re string) string {
	if !strings.Contains(re, `\s`) && !strings.Contains(re, `\S`) {
		return re
	}
	var b strings.Builder
	class := false
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re):
			switch n := re[i+1]; {
			case n == 's' && class:
				b.WriteString(`\t\n\v\f\r `)
			case n == 's':
				b.WriteString(`[\t\n\v\f\r ]`)
			case n == 'S' && !class:
				b.WriteString(`[^\t\n\v\f\r ]`)
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
			continue
		case c == '[' && !class:
			class = true
			if i+1 < len(re) && re[i+1] == ']' || i+2 < len(re) && re[i+1] == '^' && re[i+2] == ']' {
				// A ] first in a class is a member, not its end.
				j := strings.IndexByte(re[i+1:], ']')
				b.WriteString(re[i : i+1+j+1])
				i += j + 1
				continue
			}
		case c == ']' && class:
			class = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// toLatin1 maps each byte of s to the rune of the same number, so that a
// Go regexp sees bytes as perl does. ASCII text comes back as it is.
func toLatin1(s string) string {
	i := 0
	for i < len(s) && s[i] < 0x80 {
		i++
	}
	if i == len(s) {
		return s
	}
	r := make([]rune, 0, len(s))
	for j := 0; j < len(s); j++ {
		r = append(r, rune(s[j]))
	}
	return string(r)
}

// fromLatin1 undoes toLatin1.
func fromLatin1(s string) string {
	i := 0
	for i < len(s) && s[i] < 0x80 {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, c := range s {
		b = append(b, byte(c))
	}
	return string(b)
}

// match is one replacement string found in literal text.
type match struct {
	start, end int
	pos        string   // the position, as written ({-2.} gives "-2"); "" for the plain form
	groups     []string // the key's regexp groups, up to the first that took no part
}

// at matches the plain or positional form at the start of s.
func (m *matcher) at(s string, positional bool) (match, bool) {
	if !positional {
		if m.lit != "" {
			if strings.HasPrefix(s, m.lit) {
				return match{end: len(m.lit)}, true
			}
			return match{}, false
		}
		return reMatch(m.plain, s, false)
	}
	return reMatch(m.pos, s, true)
}

func reMatch(re *regexp.Regexp, s string, positional bool) (match, bool) {
	loc := re.FindStringSubmatchIndex(s)
	if loc == nil {
		return match{}, false
	}
	mt := match{end: loc[1]}
	g := 2
	if positional {
		mt.pos = s[loc[2]:loc[3]]
		g = 4
	}
	for ; g+1 < len(loc) && loc[g] >= 0; g += 2 {
		mt.groups = append(mt.groups, fromLatin1(s[loc[g]:loc[g+1]]))
	}
	return mt, true
}

// find looks for the replacement string where parallel's substitution
// finds it: at the start of the text, or else at the last place it
// matches (its regexp starts with a lazy run of a greedy class, so it
// tries the longest run first).
func (m *matcher) find(s string, positional bool) (match, bool) {
	if mt, ok := m.at(s, positional); ok {
		return mt, true
	}
	for i := len(s) - 1; i > 0; i-- {
		if c := int(s[i]); c != m.first && m.first >= 0 && !(positional && c == '{') {
			continue
		}
		if mt, ok := m.at(s[i:], positional); ok {
			mt.start, mt.end = i, mt.end+i
			return mt, true
		}
	}
	return match{}, false
}
