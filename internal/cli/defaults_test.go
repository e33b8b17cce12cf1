package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Profiles and $PARALLEL, read as GNU parallel 20221122 reads them (each
// case checked against it), from a temporary home.
func TestDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string // relative to the home
		env   map[string]string // HOME is set to the home
		args  string
		want  Options // Command, TagString, KeepOrder, Jobs, Tag and Warnings compared
		err   string  // the error it must start with, after the home
	}{
		{name: "config: comments, blank lines, options on one line or several, quotes",
			files: map[string]string{".parallel/config": "# comment\n  # indented comment\n\n--tag -k\n--tagstring \"x y\"\r\n"},
			want:  Options{Tag: true, KeepOrder: true, TagString: "x y"}},
		{name: "a # after options is a word",
			files: map[string]string{".parallel/config": "-k # x\n"},
			want:  Options{KeepOrder: true, Command: []string{"#", "x", "echo"}}},
		{name: "-J replaces the config",
			files: map[string]string{".parallel/config": "-k", ".parallel/prof": "-j1 --tagstring P"},
			args:  "-J prof", want: Options{Jobs: "1", TagString: "P"}},
		{name: "--profile=NAME, repeated: in order",
			files: map[string]string{".parallel/p2": "--tagstring 2 --tag", ".parallel/p3": "--tagstring 3"},
			args:  "--profile=p2 -J p3", want: Options{Tag: true, TagString: "3"}},
		{name: "a missing profile is skipped with a warning",
			files: map[string]string{".parallel/config": "-k"},
			args:  "-J nosuch",
			want:  Options{Warnings: []string{"profile nosuch not found (looked in HOME/.parallel/nosuch); ignored"}}},
		{name: "$PARALLEL after the config, the command line last",
			files: map[string]string{".parallel/config": "--tagstring C -k"},
			env:   map[string]string{"PARALLEL": "--tagstring E -j2"},
			args:  "--tagstring A", want: Options{KeepOrder: true, Jobs: "2", TagString: "A"}},
		{name: "-J and --plain count only on the command line",
			files: map[string]string{".parallel/config": "--tagstring C", ".parallel/prof": "--tagstring P"},
			env:   map[string]string{"PARALLEL": "-J prof --plain"},
			want:  Options{TagString: "C"}},
		{name: "--plain reads neither profiles nor $PARALLEL",
			files: map[string]string{".parallel/config": "-k"},
			env:   map[string]string{"PARALLEL": "--tag"},
			args:  "--plain", want: Options{}},
		{name: "words after the options come before the command, profile first",
			files: map[string]string{".parallel/cmd": "-k echo pre"},
			env:   map[string]string{"PARALLEL": "--tag echo env"},
			args:  "-J cmd", want: Options{KeepOrder: true, Tag: true, Command: []string{"echo", "pre", "echo", "env", "echo"}}},
		{name: "every config directory, then ~/.parallelrc",
			files: map[string]string{"ph/config": "--tagstring H -k", "xdg/parallel/config": "--tagstring X --tag", ".parallel/config": "--tagstring C", ".parallelrc": "-j3"},
			env:   map[string]string{"PARALLEL_HOME": "HOME/ph", "XDG_CONFIG_HOME": "HOME/xdg"},
			want:  Options{KeepOrder: true, Tag: true, TagString: "C", Jobs: "3"}},
		{name: "-J NAME in every config directory",
			files: map[string]string{"ph/prof": "--tagstring P -k", ".parallel/prof": "--tagstring Q"},
			env:   map[string]string{"PARALLEL_HOME": "HOME/ph"},
			args:  "-J prof", want: Options{KeepOrder: true, TagString: "Q"}},
		{name: "-J /path",
			files: map[string]string{"elsewhere": "--tagstring D"},
			args:  "-J HOME/elsewhere", want: Options{TagString: "D"}},
		{name: "an option of a source takes no value from the next",
			env: map[string]string{"PARALLEL": "-j"}, args: "3",
			err: "$PARALLEL: option -j needs a value"},
		{name: "a bad option in a profile names the file",
			files: map[string]string{".parallel/config": "\n--frob\n"},
			err:   "HOME/.parallel/config: unknown option --frob"},
		{name: "an unterminated quote names the line",
			files: map[string]string{".parallel/config": "-k\n--tagstring \"x\n"},
			err:   "HOME/.parallel/config:2: unterminated quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			subst := func(s string) string { return strings.ReplaceAll(s, "HOME", home) }
			for name, content := range tt.files {
				path := filepath.Join(home, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := func(k string) string {
				if k == "HOME" {
					return home
				}
				return subst(tt.env[k])
			}
			args := append(strings.Fields(subst(tt.args)), "echo")
			got, err := Parse(args, env)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), subst(tt.err)) {
					t.Fatalf("error %v, want %q", err, subst(tt.err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want.Command == nil {
				want.Command = []string{"echo"}
			}
			for i, w := range want.Warnings {
				want.Warnings[i] = subst(w)
			}
			picked := Options{Command: got.Command, TagString: got.TagString, KeepOrder: got.KeepOrder, Jobs: got.Jobs, Tag: got.Tag, Warnings: got.Warnings}
			if !reflect.DeepEqual(picked, want) {
				t.Fatalf("got\n%+v\nwant\n%+v", picked, want)
			}
		})
	}
}

// A profile that cannot be read for another reason than its absence is
// an error.
func TestUnreadableProfile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".parallel", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Parse([]string{"echo"}, func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "config") {
		t.Fatalf("a directory as the config: %v", err)
	}
}
