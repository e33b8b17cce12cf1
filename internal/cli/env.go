package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// On one machine a job inherits fanout's whole environment, so --env NAME
// changes nothing for a variable. For a bash function exported with
// `export -f`, GNU parallel writes its definition in front of the command
// (and `export -f` after it), so that shells that do not import bash's
// exported functions define it too; fanout does the same, and then runs
// the command with the shell, as GNU parallel always does with --env.
// --env _ stands for every variable set now but not when --record-env
// wrote ~/.parallel/ignored_vars.

// configDir is GNU parallel's directory for its files: the first that
// exists of $PARALLEL_HOME, $XDG_CONFIG_HOME/parallel, each of
// $XDG_CONFIG_DIRS/parallel, and ~/.parallel; else ~/.parallel.
func configDir(env func(string) string) string {
	home := env("HOME")
	if home == "" {
		home = "/tmp"
	}
	dirs := []string{env("PARALLEL_HOME")}
	if x := env("XDG_CONFIG_HOME"); x != "" {
		dirs = append(dirs, filepath.Join(x, "parallel"))
	}
	for _, x := range filepath.SplitList(env("XDG_CONFIG_DIRS")) {
		if x != "" {
			dirs = append(dirs, filepath.Join(x, "parallel"))
		}
	}
	dirs = append(dirs, filepath.Join(home, ".parallel"))
	for _, d := range dirs {
		if st, err := os.Stat(d); d != "" && err == nil && st.IsDir() {
			return d
		}
	}
	return filepath.Join(home, ".parallel")
}

// recordEnv is --record-env: it writes the names of the variables set now
// to ignored_vars in the configuration directory, one a line.
func recordEnv(env func(string) string, environ []string) error {
	dir := configDir(env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--record-env: %w", err)
	}
	var b strings.Builder
	for _, kv := range environ {
		if k, _, ok := strings.Cut(kv, "="); ok && k != "" {
			b.WriteString(k + "\n")
		}
	}
	path := filepath.Join(dir, "ignored_vars")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("--record-env: %w", err)
	}
	return nil
}

// envNames expands --env's names: _ becomes every variable of environ
// that ignored_vars does not list.
func envNames(names []string, env func(string) string, environ []string) ([]string, error) {
	var out []string
	all := false
	for _, n := range names {
		if n == "_" {
			all = true
			continue
		}
		out = append(out, n)
	}
	if !all {
		return out, nil
	}
	path := filepath.Join(configDir(env), "ignored_vars")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--env _: %s does not exist: run 'fanout --record-env' in a clean environment first", path)
	}
	if err != nil {
		return nil, fmt.Errorf("--env _: %w", err)
	}
	defer f.Close()
	ignore := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ignore[sc.Text()] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--env _: %s: %w", path, err)
	}
	var keys []string
	for _, kv := range environ {
		if k, _, ok := strings.Cut(kv, "="); ok && !ignore[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return append(out, keys...), nil
}

// functionPrefix returns the definitions of the exported bash functions
// among names, in GNU parallel's form, to put before each command line:
// "name() body;\nexport -f name 2> /dev/null;\n", one after the other.
// A name may be the function's or that of the variable bash exports it in
// (BASH_FUNC_name%%, as --env _ lists them).
func functionPrefix(names []string, env func(string) string) string {
	var parts []string
	seen := map[string]bool{}
	for _, n := range names {
		fn := n
		if f, ok := strings.CutPrefix(n, "BASH_FUNC_"); ok {
			if g, ok := strings.CutSuffix(f, "%%"); ok {
				fn = g
			} else if g, ok := strings.CutSuffix(f, "()"); ok {
				fn = g
			}
		}
		if seen[fn] {
			continue
		}
		body := env("BASH_FUNC_" + fn + "%%")
		if body == "" {
			body = env("BASH_FUNC_" + fn + "()")
		}
		if !strings.HasPrefix(body, "() {") {
			continue
		}
		seen[fn] = true
		parts = append(parts, fn+body+";\nexport -f "+fn+" 2> /dev/null;\n")
	}
	return strings.Join(parts, " ")
}

// functionShells are the shells that GNU parallel expects to define
// functions written as bash writes them.
var functionShells = regexp.MustCompile(`(^|/)(ash|bash|rbash|zsh|rzsh|dash|ksh)`)

// envPrefix works out --env for the plan: the text to put before each
// command line, "" when nothing is to be put there.
func envPrefix(o *Options, env func(string) string, c *console, shell string) (string, error) {
	if len(o.Env) == 0 {
		return "", nil
	}
	names, err := envNames(o.Env, env, os.Environ())
	if err != nil {
		return "", err
	}
	prefix := functionPrefix(names, env)
	if prefix != "" && !functionShells.MatchString(shell) {
		c.warnf("warning: shell functions may not be supported in %s", shell)
	}
	return prefix, nil
}
