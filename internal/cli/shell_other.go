//go:build !linux

package cli

// parentShell returns "": only Linux is asked for fanout's ancestors, so
// elsewhere $SHELL decides, unless $PARALLEL_SHELL does.
func parentShell() string { return "" }
