package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// shellScript writes fanout's completion script for shell into a file,
// and skips the test when the shell is not installed.
func shellScript(t *testing.T, shell string) (string, string) {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed", shell)
	}
	script, err := Completion(shell, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "fanout."+shell)
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, file
}

// runShell runs a shell program with a bound on its time: a completion
// that waits for input must fail the test, not hang it.
func runShell(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out)
}

// The bash completion, sourced in bash, completes option names (aliases
// too, refused ones not), option values, commands and files.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash, script := shellScript(t, "bash")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "input.txt"), nil, 0o644)
	os.Mkdir(filepath.Join(dir, "spool"), 0o755)
	os.MkdirAll(filepath.Join(dir, ".parallel"), 0o755)
	os.WriteFile(filepath.Join(dir, ".parallel", "myprofile"), nil, 0o644)
	prog := `source "$1"; cd "$2"; HOME=$2
c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _fanout; echo "$*=${COMPREPLY[*]}"; }
c fanout --jo
c fanout --line-b
c fanout --nona
c fanout --trim ''
c fanout --completion f
c fanout --tmpdir sp
c fanout -a inp
c fanout -J my
c fanout -j 3 --tag ech
c fanout -j ''
c fanout echo ::: --j
`
	out := runShell(t, bash, "--norc", "--noprofile", "-c", prog, "bash", script, dir)
	for _, want := range []string{
		"fanout --jo=--joblog --jobs\n",
		"fanout --line-b=--line-buffer --line-buffered\n",
		"fanout --nona=\n",
		"fanout --trim =n l r lr\n",
		"fanout --completion f=fish\n",
		"fanout --tmpdir sp=spool\n",
		"fanout -a inp=input.txt\n",
		"fanout -J my=myprofile\n",
		"fanout -j 3 --tag ech=echo\n",
		"fanout -j =\n",
		"fanout echo ::: --j=\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bash completion: want %q in\n%s", want, out)
		}
	}
}

// The fish completion, sourced in fish, completes option names with their
// help, and option values.
func TestFishCompletion(t *testing.T) {
	t.Parallel()
	fish, script := shellScript(t, "fish")
	prog := `source $argv[1]
complete -C 'fanout --jo'; echo ==
complete -C 'fanout --linebuf'; echo ==
complete -C 'fanout --trim '; echo ==
complete -C 'fanout --nona'; echo ==`
	out := runShell(t, fish, "--no-config", "-c", prog, script)
	parts := strings.Split(out, "==\n")
	if len(parts) < 4 {
		t.Fatalf("fish printed:\n%s", out)
	}
	for i, want := range []string{"--joblog\tlog each finished job", "--linebuffered\twhole lines", "lr\tremove blanks"} {
		if !strings.Contains(parts[i], want) {
			t.Errorf("fish completion %d: want %q in\n%s", i, want, parts[i])
		}
	}
	if !strings.Contains(parts[0], "--jobs\t") {
		t.Errorf("fish completion of --jo lacks --jobs:\n%s", parts[0])
	}
	if strings.TrimSpace(parts[3]) != "" {
		t.Errorf("fish offers a refused option:\n%s", parts[3])
	}
}

// The zsh completion, loaded by compinit in an interactive zsh on a
// pseudo-terminal, lists the options that a prefix starts, and an
// option's values. (Each line typed is then run, and fails: fanout is not
// in $PATH there.)
func TestZshCompletion(t *testing.T) {
	t.Parallel()
	zsh, script := shellScript(t, "zsh")
	prog := `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1=">"; autoload -Uz compinit; compinit -u -D; source ` + script + `; LISTMAX=10000'
zpty -w z $'fanout --jo\t\t'
zpty -r z out '*--jobs*'
print -r -- "$out"
zpty -w z $'fanout --completion \t'
zpty -r z out '*fish*'
print -r -- "$out"
zpty -d z`
	out := runShell(t, zsh, "-f", "-c", prog)
	for _, want := range []string{"--joblog", "--jobs", "bash", "fish"} {
		if !strings.Contains(out, want) {
			t.Errorf("zsh completion: want %q in\n%q", want, out)
		}
	}
}

// A shell fanout has no completions for is a usage error, in one line.
func TestCompletionUnknownShell(t *testing.T) {
	t.Parallel()
	_, err := Completion("tcsh", func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "bash, zsh, fish or auto") {
		t.Fatalf("tcsh: %v", err)
	}
	script, err := Completion("auto", func(k string) string {
		if k == "SHELL" {
			return "/bin/bash"
		}
		return ""
	})
	if err != nil || script == "" {
		t.Fatalf("auto: %v", err)
	}
}
