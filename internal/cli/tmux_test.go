package cli

import "testing"

// A window's name is the command line with what confuses tmux made one
// blank a run, as GNU parallel names it.
func TestTmuxTitle(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"echo a; exit 3":   "echo a  exit 3",
		"echo [x]":         "echo  x ",
		"a\t\n;b":          "a b",
		"echo caf\xc3\xa9": "echo caf \xa9", // a byte at a time, as perl sees it
		"plain":            "plain",
	} {
		if got := tmuxTitle(in); got != want {
			t.Errorf("tmuxTitle(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"tmux": "tmux", "/tmp/x y": "'/tmp/x y'", "": "''"} {
		if got := quoteIfNeeded(in); got != want {
			t.Errorf("quoteIfNeeded(%q) = %q, want %q", in, got, want)
		}
	}
}
