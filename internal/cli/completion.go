package cli

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Completion returns the shell script that completes fanout's command
// line in shell: "bash", "zsh", "fish", or "auto" for the shell fanout
// was started from (else $SHELL). Like --help, it is written from the
// option table, aliases included, so it offers every name the parser
// takes and no other.
func Completion(shell string, env func(string) string) (string, error) {
	if shell == "auto" {
		shell = parentShell()
		if shell == "" {
			shell = env("SHELL")
		}
		shell = filepath.Base(shell)
	}
	switch shell {
	case "bash":
		return bashCompletion(), nil
	case "zsh":
		return zshCompletion(), nil
	case "fish":
		return fishCompletion(), nil
	}
	return "", fmt.Errorf("--completion %s: no completions for that shell (use bash, zsh, fish or auto)", show(shell))
}

// completing is one accepted option, as the completions see it.
type completing struct {
	f     *flagSpec
	names []string // aliases included
	value valueKind
}

// valueKind is what an option's value is completed with.
type valueKind struct {
	files, dirs bool
	profiles    bool     // the files of $PARALLEL_HOME, else ~/.parallel
	words       []string // fixed choices
}

// valueKinds map an option's value, as --help names it, to its
// completion; a value not here (a number, a string) has none.
var valueKinds = map[string]valueKind{
	"FILE":       {files: true},
	"DIR|F.json": {files: true},
	"DIR":        {dirs: true},
	"NAME":       {profiles: true},
	"n|l|r|lr":   {words: []string{"n", "l", "r", "lr"}},
	"SHELL":      {words: []string{"bash", "zsh", "fish", "auto"}},
	"WHEN,WHY=N": {words: []string{"never", "now,fail=1", "soon,fail=1", "now,success=1", "soon,success=1", "now,done=1", "soon,done=1"}},
}

// completions lists the accepted options with all their names.
func completions() []completing {
	var cs []completing
	for _, o := range optIndex().options() {
		if o.flag == nil {
			continue
		}
		cs = append(cs, completing{f: o.flag, names: o.names, value: valueKinds[o.flag.arg]})
	}
	return cs
}

// options returns the index's options in the order of the flag table,
// then the refusals.
func (ix *optionIndex) options() []*knownOption {
	seen := map[*knownOption]bool{}
	var all []*knownOption
	add := func(o *knownOption) {
		if o != nil && !seen[o] {
			seen[o] = true
			all = append(all, o)
		}
	}
	for i := range flags {
		add(ix.long[longKey(strings.TrimLeft(flags[i].names[0], "-"))])
	}
	for _, r := range refusals {
		add(ix.long[longKey(strings.TrimLeft(strings.Fields(r.names)[0], "-"))])
	}
	return all
}

// bashCompletion is mostly the script's text, with the option names
// filled in: they are the only part that varies.
func bashCompletion() string {
	var all, takes, files, dirs, profiles []string
	var choices strings.Builder
	for _, c := range completions() {
		all = append(all, c.names...)
		if c.f.arg != "" {
			takes = append(takes, c.names...)
		}
		switch {
		case c.value.files:
			files = append(files, c.names...)
		case c.value.dirs:
			dirs = append(dirs, c.names...)
		case c.value.profiles:
			profiles = append(profiles, c.names...)
		case c.value.words != nil:
			fmt.Fprintf(&choices, "    %s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", strings.Join(c.names, "|"), strings.Join(c.value.words, " "))
		}
	}
	sort.Strings(all)
	return fmt.Sprintf(`# bash completion for fanout, written by: fanout --completion bash
# Use: eval "$(fanout --completion bash)", or save it in the directory
# bash-completion loads from (such as ~/.local/share/bash-completion/completions/fanout).
_fanout() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i w
  local takes=' %s '
  # The options end at the command, --, or an input source; after them
  # come the command's own words and the values: files.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case $w in
    --|:::|::::|:::+|::::+) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --*=*) ;;
    -*) [[ $takes == *" $w "* ]] && ((i++)) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
  done
  case $prev in
    %s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    %s) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    %s) COMPREPLY=($(cd "${PARALLEL_HOME:-$HOME/.parallel}" 2>/dev/null && compgen -f -- "$cur")); return ;;
%s  esac
  if [[ $takes == *" $prev "* ]]; then
    COMPREPLY=()
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '%s' -- "$cur"))
  else
    COMPREPLY=($(compgen -c -- "$cur" | sort -u))
  fi
}
complete -F _fanout fanout
`, strings.Join(takes, " "), strings.Join(files, "|"), strings.Join(dirs, "|"), strings.Join(profiles, "|"), choices.String(), strings.Join(all, " "))
}

// zshQuote quotes s for a zsh _arguments description in single quotes.
func zshQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`)
	return r.Replace(s)
}

func zshCompletion() string {
	var b strings.Builder
	b.WriteString(`#compdef fanout
# zsh completion for fanout, written by: fanout --completion zsh
# Use: eval "$(fanout --completion zsh)" after compinit, or save it as
# _fanout in a directory of $fpath.
_fanout() {
  _arguments -s -S \
`)
	for _, c := range completions() {
		action := ""
		switch {
		case c.value.files:
			action = "_files"
		case c.value.dirs:
			action = "_files -/"
		case c.value.profiles:
			action = `_files -W "${PARALLEL_HOME:-$HOME/.parallel}"`
		case c.value.words != nil:
			action = "(" + strings.Join(c.value.words, " ") + ")"
		}
		excl := "(" + strings.Join(c.names, " ") + ")"
		for _, n := range c.names {
			spec := n
			if c.f.arg != "" {
				if strings.HasPrefix(n, "--") {
					spec += "="
				} else {
					spec += "+"
				}
			}
			spec += "[" + zshQuote(c.f.doc) + "]"
			if c.f.arg != "" {
				spec += ":" + zshQuote(c.f.arg) + ":" + action
			}
			if !repeatable(c.f) {
				spec = excl + spec
			}
			fmt.Fprintf(&b, "    '%s' \\\n", spec)
		}
	}
	b.WriteString(`    '(-)1:command:_command_names -e' \
    '*::arguments:_normal'
}
if [[ $funcstack[1] == _fanout ]]; then
  _fanout "$@"
else
  compdef _fanout fanout
fi
`)
	return b.String()
}

// repeatable reports whether an option may be given more than once to
// more effect (-a, -v, -J), so that the completion offers it again.
func repeatable(f *flagSpec) bool {
	for _, n := range f.names {
		switch n {
		case "-a", "-v", "-J":
			return true
		}
	}
	return false
}

// fishQuote quotes s for fish in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func fishCompletion() string {
	var b strings.Builder
	b.WriteString(`# fish completion for fanout, written by: fanout --completion fish
# Use: fanout --completion fish | source, or save it as
# ~/.config/fish/completions/fanout.fish.
`)
	for _, c := range completions() {
		b.WriteString("complete -c fanout")
		for _, n := range c.names {
			if strings.HasPrefix(n, "--") {
				b.WriteString(" -l " + n[2:])
			} else {
				b.WriteString(" -s " + n[1:])
			}
		}
		switch {
		case c.value.files:
			b.WriteString(" -r -F")
		case c.value.dirs:
			b.WriteString(" -x -a '(__fish_complete_directories)'")
		case c.value.profiles:
			b.WriteString(" -x -a '(set -q PARALLEL_HOME; and ls $PARALLEL_HOME; or ls ~/.parallel)'")
		case c.value.words != nil:
			b.WriteString(" -x -a " + fishQuote(strings.Join(c.value.words, " ")))
		case c.f.arg != "":
			b.WriteString(" -x")
		}
		b.WriteString(" -d " + fishQuote(c.f.doc) + "\n")
	}
	b.WriteString(`complete -c fanout -n 'not __fish_seen_subcommand_from ::: :::: :::+ ::::+; and not string match -q -- "-*" (commandline -ct)' -a '(__fish_complete_subcommand)'
`)
	return b.String()
}
