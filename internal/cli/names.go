package cli

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// A knownOption is what a name on the command line stands for: one that
// fanout accepts (flag), or one of GNU parallel's that it refuses with a
// reason. Every spelling of it, aliases included, leads to the same one.
type knownOption struct {
	names  []string  // every spelling, "-j" and "--jobs" alike; the first is shown
	flag   *flagSpec // nil for a refused option
	reason string    // why it is refused
}

// optionIndex finds options by name the way GNU parallel's option parser
// (Perl's Getopt::Long with "bundling") does. After a single dash each
// letter is an option of its own, found exactly, case included. After two
// dashes a name is found ignoring case (single letters keep theirs, so
// --k is -k, and --P, being --p, is -p), or as an abbreviation: a prefix
// of the names of only one option.
type optionIndex struct {
	short map[string]*knownOption // "-k"
	long  map[string]*knownOption // "keep-order", "k": the keys --NAME is looked up in
	keys  []string                // long's keys, sorted, for prefixes
}

var optIndex = sync.OnceValue(func() *optionIndex {
	var all []*knownOption
	byName := map[string]*knownOption{}
	for i := range flags {
		o := &knownOption{names: append([]string(nil), flags[i].names...), flag: &flags[i]}
		all = append(all, o)
		for _, n := range o.names {
			byName[n] = o
		}
	}
	aliasNames := make([]string, 0, len(aliases))
	for a := range aliases {
		aliasNames = append(aliasNames, a)
	}
	sort.Strings(aliasNames)
	for _, a := range aliasNames {
		if o := byName[aliases[a]]; o != nil {
			o.names = append(o.names, a)
		}
	}
	for _, r := range refusals {
		all = append(all, &knownOption{names: strings.Fields(r.names), reason: r.reason})
	}
	return newIndex(all)
})

func newIndex(all []*knownOption) *optionIndex {
	ix := &optionIndex{short: map[string]*knownOption{}, long: map[string]*knownOption{}}
	for _, o := range all {
		for _, n := range o.names {
			if len(n) == 2 {
				ix.short[n] = o
			}
			ix.long[longKey(strings.TrimLeft(n, "-"))] = o
		}
	}
	for k := range ix.long {
		ix.keys = append(ix.keys, k)
	}
	sort.Strings(ix.keys)
	return ix
}

// longKey is how a name after -- is compared: without case, except for a
// single letter.
func longKey(name string) string {
	if len(name) == 1 {
		return name
	}
	return strings.ToLower(name)
}

// lookupLong finds the option --name (name without the dashes) stands
// for, and the full name it is known by.
func (ix *optionIndex) lookupLong(name string) (*knownOption, string, error) {
	key := strings.ToLower(name)
	if o := ix.long[key]; o != nil {
		return o, "--" + name, nil
	}
	hits := gnuFirst(ix.prefixed(key))
	if len(hits) == 0 {
		return nil, "", ix.unknown("--" + name)
	}
	var names []string
	for _, o := range hits {
		names = append(names, matching(o, key))
	}
	if len(hits) == 1 {
		return hits[0], names[0], nil
	}
	sort.Strings(names)
	return nil, "", fmt.Errorf("option --%s is ambiguous: %s; write more of its name", show(name), strings.Join(names, ", "))
}

// gnuFirst drops fanout's own options from hits that GNU parallel's
// options share: a prefix GNU parallel reads as one of its options, or
// finds ambiguous among them, stays so (--rep is --replace, not --report).
func gnuFirst(hits []*knownOption) []*knownOption {
	if len(hits) < 2 {
		return hits
	}
	gnu := hits[:0:0]
	for _, o := range hits {
		if o.flag == nil || !o.flag.own {
			gnu = append(gnu, o)
		}
	}
	if len(gnu) == 0 {
		return hits
	}
	return gnu
}

// matching returns the first of o's long names that key is a prefix of.
func matching(o *knownOption, key string) string {
	for _, n := range o.names {
		if strings.HasPrefix(longKey(strings.TrimLeft(n, "-")), key) {
			return n
		}
	}
	return o.names[0]
}

// prefixed returns the options whose names start with key, each once, in
// the order of their first name.
func (ix *optionIndex) prefixed(key string) []*knownOption {
	var hits []*knownOption
	seen := map[*knownOption]bool{}
	i := sort.SearchStrings(ix.keys, key)
	for ; i < len(ix.keys) && strings.HasPrefix(ix.keys[i], key); i++ {
		if exactOnly[ix.keys[i]] {
			continue
		}
		if o := ix.long[ix.keys[i]]; !seen[o] {
			seen[o] = true
			hits = append(hits, o)
		}
	}
	return hits
}

// unknown is the error for a name no option has, naming the closest
// accepted one when it is near enough to be a slip of the keyboard.
func (ix *optionIndex) unknown(name string) error {
	if s := ix.suggest(name); s != "" {
		return fmt.Errorf("unknown option %s; did you mean %s?", show(name), s)
	}
	return fmt.Errorf("unknown option %s", show(name))
}

// suggest returns the accepted name closest to name, or "" when none is
// close: at most one edit for short names, two for longer ones.
func (ix *optionIndex) suggest(name string) string {
	word := strings.ToLower(strings.TrimLeft(name, "-"))
	if len(word) < 2 {
		return ""
	}
	best, bestD := "", 3
	if len(word) < 5 {
		bestD = 2
	}
	for _, k := range ix.keys {
		o := ix.long[k]
		if o.flag == nil || len(k) < 2 {
			continue
		}
		// The keys are sorted: of equally close names the first wins.
		if d := editDistance(word, k); d < bestD {
			best, bestD = "--"+k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours count one.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// refusedError is the error for an option fanout refuses.
func refusedError(name string, o *knownOption) error {
	if strings.HasPrefix(o.reason, whyNotYet) {
		return fmt.Errorf("%s is %s", name, o.reason)
	}
	return fmt.Errorf("%s is not supported: %s", name, o.reason)
}
