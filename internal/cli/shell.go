package cli

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// shellFor is the shell that runs shell lines, found as GNU parallel finds
// it: $PARALLEL_SHELL; else the shell fanout was started from (the nearest
// shell among its ancestors), so that functions exported with `export -f`
// and the shell's own syntax and messages are the user's; else $SHELL;
// else /bin/sh. A shell that cannot be found is an error.
func shellFor(env func(string) string) (string, error) {
	sh, from := env("PARALLEL_SHELL"), "$PARALLEL_SHELL"
	if sh == "" {
		sh, from = parentShell(), "the shell fanout was started from"
	}
	if sh == "" {
		sh, from = env("SHELL"), "$SHELL"
	}
	if sh == "" {
		return "/bin/sh", nil
	}
	path, err := exec.LookPath(sh)
	if err != nil {
		return "", fmt.Errorf("shell %s (%s) not found; set PARALLEL_SHELL to a shell", sh, from)
	}
	return path, nil
}

// shells are the names a shell process goes by, a login shell's with a
// leading dash. Only shells that read POSIX sh quoting are taken: fanout
// quotes values for them (csh, fish and rc quote otherwise, and are passed
// over for the next shell up, or $SHELL).
var shells = map[string]bool{
	"sh": true, "bash": true, "dash": true, "ash": true, "ksh": true, "ksh93": true,
	"mksh": true, "lksh": true, "pdksh": true, "posh": true, "yash": true, "zsh": true,
	"rbash": true,
}

// shellName returns the shell that a process's argv[0] names, or "".
func shellName(argv0 string) string {
	name := strings.TrimPrefix(filepath.Base(strings.TrimPrefix(argv0, "-")), "-")
	if shells[name] {
		return name
	}
	return ""
}

// exportedFunction reports whether name is a shell function that the
// environment carries to bash (`export -f name`): only a shell can run it.
func exportedFunction(name string, env func(string) string) bool {
	return env("BASH_FUNC_"+name+"%%") != "" || env("BASH_FUNC_"+name+"()") != ""
}
