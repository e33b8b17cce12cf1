package replace

// RuleCode returns the GNU parallel perl code of the built-in or --plus
// rule key, and whether fanout computes it in Go, for the tests that hold
// the Go code to the perl.
func RuleCode(key string) (code string, native bool) {
	for _, rs := range [][]rule{builtinRules, plusRules} {
		for _, r := range rs {
			if r.key == key {
				return r.perl, r.op != opPerl
			}
		}
	}
	return "", false
}
