package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fanoutdev/fanout"
	"github.com/fanoutdev/fanout/internal/replace"
)

// fileTmpl is one --template: the source file's text and the name it is
// written to, both rendered for each job.
type fileTmpl struct {
	source string
	text   *replace.Template
	name   *replace.Template
}

// parseJobFiles compiles the templates of the files a job is given or
// leaves: the --results name, --workdir and --template.
func (pl *plan) parseJobFiles(o *Options, env func(string) string) error {
	plain := func(what, s string) (*replace.Template, error) {
		opt := replaceOptions(o, pl.exprs)
		opt.NoAppend = true
		t, err := replace.Parse([]string{s}, opt)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", what, err)}
		}
		return t, nil
	}
	if o.Results != "" && resultsTable(o.Results) == 0 {
		t, err := plain("--results", o.Results)
		if err != nil {
			return err
		}
		if !t.Literal() {
			pl.resTmpl = t
		}
	}
	if o.WorkDir == "..." {
		pl.wdTemp = true
		if pl.dirs.home = env("HOME"); pl.dirs.home == "" {
			return usageError{fmt.Errorf("--workdir ...: $HOME is not set, and the directories go under $HOME/.parallel/tmp; set HOME or give a directory")}
		}
		host, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("--workdir ...: %w", err)
		}
		pl.dirs.host, _, _ = strings.Cut(host, ".")
	}
	if o.WorkDir != "" && o.WorkDir != "." && o.WorkDir != "..." {
		t, err := plain("--workdir", o.WorkDir)
		if err != nil {
			return err
		}
		pl.wdTmpl = t
	}
	for _, f := range o.Templates {
		text, err := os.ReadFile(f.Source)
		if err != nil {
			return fmt.Errorf("--template: %w", err)
		}
		ft := fileTmpl{source: f.Source}
		if ft.text, err = plain("--template "+f.Source, o.renameColumns(string(text))); err != nil {
			return err
		}
		if ft.name, err = plain("--template "+f.Source, f.Name); err != nil {
			return err
		}
		pl.files = append(pl.files, ft)
	}
	return nil
}

// resultsTable says what kind of table --results NAME is: ',' for CSV,
// '\t' for TSV (by the name's ending, in any case, as GNU parallel), 'j'
// for JSON lines, or 0 for files.
func resultsTable(name string) byte {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"):
		return ','
	case strings.HasSuffix(lower, ".tsv"):
		return '\t'
	case strings.HasSuffix(lower, ".json"):
		return 'j'
	}
	return 0
}

// templates are all the plan's templates, for the perl expressions they
// hold; some may be nil.
func (pl *plan) templates() []*replace.Template {
	all := []*replace.Template{pl.tmpl, pl.tagTmpl, pl.resTmpl, pl.wdTmpl, pl.retries}
	for _, f := range pl.files {
		all = append(all, f.name, f.text)
	}
	return append(all, pl.filters...)
}

// jobDirs are what --workdir needs from the machine, found once.
type jobDirs struct {
	home, host string
}

// renderJobFiles renders the job's --results name and working directory,
// and writes its --template files: before it starts, as GNU parallel does.
// Failing to make them ends the run, as it ends GNU parallel's.
func (pl *plan) renderJobFiles(job *fanout.Job, d *jobData, args replace.Args) error {
	if pl.resTmpl != nil {
		d.results = pl.resTmpl.AppendPlain(d.results[:0], args)
	}
	if err := pl.workDir(job, d, args); err != nil {
		return fatalError{err}
	}
	for _, f := range pl.files {
		name := string(f.name.AppendPlain(nil, args))
		if err := os.WriteFile(name, f.text.AppendPlain(nil, args), 0o644); err != nil {
			return fatalError{fmt.Errorf("--template %s: %w", f.source, err)}
		}
	}
	return nil
}

// workDir sets the job's working directory (--workdir) and makes it: "..."
// is a new directory under ~/.parallel/tmp, removed once the job is over
// (see removeWorkDir); "." is where fanout runs; anything else is a
// template.
func (pl *plan) workDir(job *fanout.Job, d *jobData, args replace.Args) error {
	var dir string
	switch {
	case pl.wdTmpl != nil:
		dir = string(pl.wdTmpl.AppendPlain(nil, args))
	case pl.wdTemp:
		dir = filepath.Join(pl.dirs.home, ".parallel", "tmp", pl.dirs.host+"-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(d.seq, 10))
		d.workTemp = dir
	default:
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--workdir: %w", err)
	}
	job.Dir = dir
	return nil
}

// removeWorkDir removes the job's "..." working directory and what the job
// left in it.
func removeWorkDir(d *jobData) {
	if d.workTemp != "" {
		os.RemoveAll(d.workTemp)
	}
}
