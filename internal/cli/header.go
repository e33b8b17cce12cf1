package cli

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/replace"
)

// readHeaders opens the inputs before the templates are compiled, for
// what GNU parallel takes from them first: --skip-first-line leaves out
// the first line of the first source, then --header names the columns of
// every source by its first line, and {name} in the templates becomes the
// column's number. Block mode reads its header itself; --retry-failed
// reads no input.
func (p *parts) readHeaders() error {
	o := p.o
	if o.Pipe.On() || o.RetryFailed || !o.Pipe.HeaderSet && !o.SkipFirstLine {
		return nil
	}
	in, err := openSources(o, p.c)
	if err != nil {
		return err
	}
	p.closers = append(p.closers, in.close)
	p.inputs = in
	lines, err := firstLines(o, in)
	if err != nil || lines == nil {
		return err
	}
	cols, err := headerColumns(o, lines)
	if err != nil {
		return err
	}
	if _, _, err := replace.Parens(o.Parens); err != nil {
		return usageError{err}
	}
	o.headerCols = cols
	for _, s := range headerTargets(o) {
		*s = o.renameColumns(*s)
	}
	for _, c := range cols {
		for len(p.columns) < c.id {
			p.columns = append(p.columns, "")
		}
		p.columns[c.id-1] = c.name
	}
	return nil
}

// renameColumns rewrites the names of --header's columns in s to their
// numbers, one column after the other, as GNU parallel does; without
// --header s is returned as it is.
func (o *Options) renameColumns(s string) string {
	if len(o.headerCols) == 0 {
		return s
	}
	left, right, _ := replace.Parens(o.Parens) // checked by readHeaders
	for _, c := range o.headerCols {
		s = renameColumn(s, c.name, c.id, left, right)
	}
	return s
}

// column is a name --header gives a column, and the column's number.
type column struct {
	name string
	id   int
}

// firstLines reads what --skip-first-line and --header take from the
// sources before their records: the first line of the first source, then
// the header line of each (none for "--header 0"), which it returns, in
// source order. Without --header it returns nil.
func firstLines(o *Options, in *sources) ([]string, error) {
	if o.SkipFirstLine {
		if _, _, err := input.FirstRecord(in.list[0]); err != nil {
			return nil, err
		}
	}
	if !o.argHeader() {
		return nil, nil
	}
	lines := []string{}
	if o.Pipe.Header == "0" {
		return lines, nil
	}
	for _, src := range in.list {
		line, _, err := input.FirstRecord(src)
		if err != nil {
			return nil, err
		}
		lines = append(lines, strings.TrimSuffix(line, "\r"))
	}
	return lines, nil
}

// headerColumns names the columns, in GNU parallel's order: the header
// line of each source, split as its records are, its columns numbered on
// from the last source's; then the :::: and -a files by their names,
// numbered among the files alone, so that "--header 0 ... :::: f1 f2" may
// name them {f1} and {f2}.
func headerColumns(o *Options, lines []string) ([]column, error) {
	var cols []column
	sep, err := colsepFor(o)
	if err != nil {
		return nil, err
	}
	id := 1
	for _, line := range lines {
		for _, name := range input.Columns(sep, line) {
			cols = append(cols, column{name, id})
			id++
		}
	}
	id = 1
	for _, s := range o.Sources {
		if s.Kind == File && s.Path != "-" {
			cols = append(cols, column{s.Path, id})
			id++
		}
	}
	return cols, nil
}

// headerTargets are the options in which GNU parallel renames columns,
// but for the text of --template's files, renamed as it is read.
func headerTargets(o *Options) []*string {
	t := []*string{&o.TagString, &o.Results, &o.RetriesTmpl, &o.WorkDir}
	for i := range o.Command {
		t = append(t, &o.Command[i])
	}
	for i := range o.Templates {
		t = append(t, &o.Templates[i].Name)
	}
	return t
}

// renameColumn rewrites, in s, the replacement strings that name a column
// ({name}, {name.}, {name/}, {name//}, {name/.}, and the perl expression
// {=name ...=}) to use its number instead, as GNU parallel does. Names are
// taken literally, though GNU parallel reads them as patterns.
func renameColumn(s, name string, id int, left, right string) string {
	if !strings.Contains(s, name) {
		return s
	}
	n := strconv.Itoa(id)
	q := regexp.QuoteMeta(name)
	s = regexp.MustCompile(`\{`+q+`(|/|//|\.|/\.)\}`).ReplaceAllString(s, "{"+n+"${1}}")
	expr := regexp.MustCompile(regexp.QuoteMeta(left) + q + `(.*?)` + regexp.QuoteMeta(right))
	dollar := func(s string) string { return strings.ReplaceAll(s, "$", "$$") }
	return expr.ReplaceAllString(s, dollar(left)+n+"${1}"+dollar(right))
}
