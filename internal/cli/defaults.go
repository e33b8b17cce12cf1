package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// systemConfig is the profile every user of the machine gets.
const systemConfig = "/etc/parallel/config"

// wordGroup is a list of words that default options come from, and where
// it was read, for error messages.
type wordGroup struct {
	from  string // "$PARALLEL", or a file's path
	words []string
}

// defaults returns the words that come before the command line, in GNU
// parallel's order: the profile files, then $PARALLEL, then
// $PARALLEL_CSH. Without -J the profiles are /etc/parallel/config, config
// in each of configDirs, and ~/.parallelrc, each where it exists; -J NAME
// (given on the command line, repeatable) reads NAME in each of
// configDirs instead, or the path NAME itself when it starts with / or
// ./. --plain reads none of them. read reads a file; a profile -J names
// that is nowhere to be found is a warning, as GNU parallel skips it.
func defaults(argv *Options, env func(string) string, read func(string) ([]byte, error)) ([]wordGroup, []string, error) {
	if argv.Plain {
		return nil, nil, nil
	}
	var groups []wordGroup
	var warnings []string
	for _, set := range profileSets(argv.Profiles, env) {
		n := len(groups)
		for _, path := range set.paths {
			g, err := readProfile(path, read)
			if err != nil {
				return nil, nil, err
			}
			if g != nil {
				groups = append(groups, *g)
			}
		}
		if len(groups) == n && set.name != "" {
			warnings = append(warnings, fmt.Sprintf("profile %s not found (looked in %s); ignored", show(set.name), strings.Join(set.paths, ", ")))
		}
	}
	for _, name := range []string{"PARALLEL", "PARALLEL_CSH"} {
		words, err := splitWords(env(name))
		if err != nil {
			return nil, nil, fmt.Errorf("$%s: %v", name, err)
		}
		if len(words) > 0 {
			groups = append(groups, wordGroup{from: "$" + name, words: words})
		}
	}
	return groups, warnings, nil
}

// profileSet is the files one profile is read from, in order: those of -J
// name, or (name "") the default ones.
type profileSet struct {
	name  string
	paths []string
}

// profileSets are the profiles to read: each -J name's, or without one
// the default config files.
func profileSets(names []string, env func(string) string) []profileSet {
	dirs := configDirs(env)
	if len(names) == 0 {
		paths := []string{systemConfig}
		for _, d := range dirs {
			paths = append(paths, filepath.Join(d, "config"))
		}
		if home := env("HOME"); home != "" {
			paths = append(paths, filepath.Join(home, ".parallelrc"))
		}
		return []profileSet{{paths: paths}}
	}
	var sets []profileSet
	for _, n := range names {
		sets = append(sets, profileSet{name: n, paths: profilePaths(n, dirs)})
	}
	return sets
}

// configDirs are the directories profiles are looked for in, as GNU
// parallel 20221122 has them: $PARALLEL_HOME, $XDG_CONFIG_HOME/parallel,
// each of $XDG_CONFIG_DIRS/parallel, then ~/.parallel. One that does not
// exist holds no file, so they need not be checked here.
func configDirs(env func(string) string) []string {
	var dirs []string
	if d := env("PARALLEL_HOME"); d != "" {
		dirs = append(dirs, d)
	}
	if d := env("XDG_CONFIG_HOME"); d != "" {
		dirs = append(dirs, filepath.Join(d, "parallel"))
	}
	for _, d := range strings.Split(env("XDG_CONFIG_DIRS"), ":") {
		if d != "" {
			dirs = append(dirs, filepath.Join(d, "parallel"))
		}
	}
	if home := env("HOME"); home != "" {
		dirs = append(dirs, filepath.Join(home, ".parallel"))
	}
	return dirs
}

// profilePaths are the files -J name may be.
func profilePaths(name string, dirs []string) []string {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, "./") {
		return []string{name}
	}
	var paths []string
	for _, d := range dirs {
		paths = append(paths, filepath.Join(d, name))
	}
	return paths
}

// readProfile reads a profile file as GNU parallel does: each line split
// into words like $PARALLEL, except lines whose first non-blank is #. It
// returns nil for a file that does not exist.
func readProfile(path string, read func(string) ([]byte, error)) (*wordGroup, error) {
	data, err := read(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	g := &wordGroup{from: path}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " \t\r\f\v"), "#") {
			continue
		}
		words, err := splitWords(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		g.words = append(g.words, words...)
	}
	return g, nil
}
