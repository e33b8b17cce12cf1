package replace

import (
	"fmt"
	"math"
)

// Exprs is the list of perl expressions that templates use, each once;
// the zero value is an empty list.
type Exprs struct {
	list []string
	idx  map[string]int
}

func (e *Exprs) add(code string) int {
	if i, ok := e.idx[code]; ok {
		return i
	}
	if e.idx == nil {
		e.idx = map[string]int{}
	}
	e.idx[code] = len(e.list)
	e.list = append(e.list, code)
	return len(e.list) - 1
}

// List returns the expressions, in the order the templates hold them;
// a Call names one by its index here.
func (e *Exprs) List() []string { return e.list }

// Call is one evaluation: expression Expr run with $_ set to the job's
// value Arg (counting from 0).
type Call struct{ Expr, Arg int }

// Result is what a Call gave: $_ after the expression ran, and whether
// the expression called uq(), to have it inserted without quotes.
type Result struct {
	Value    string
	Unquoted bool
}

// PerlJob is one job's evaluations, handed to an Evaluator.
type PerlJob struct {
	Seq    int64
	Slot   int
	Total  int64 // the number of jobs, for total_jobs(); 0 when not known
	Slots  int   // the number of job slots
	Values []string
	Calls  []Call

	// The Evaluator fills these in: one Result per Call, and whether an
	// expression called skip().
	Results []Result
	Skip    bool
}

// Evaluator runs perl expressions.
type Evaluator interface {
	Eval(job *PerlJob) error
}

// Evals holds one job's results of perl expressions, for rendering.
type Evals struct {
	job   PerlJob
	index map[Call]int
}

func (e *Evals) get(expr, arg int) (string, bool) {
	if e == nil {
		return "", false
	}
	i, ok := e.index[Call{Expr: expr, Arg: arg}]
	if !ok || i >= len(e.job.Results) {
		return "", false
	}
	r := e.job.Results[i]
	return r.Value, r.Unquoted
}

// NeedsEval reports whether the template needs Evaluate before it
// renders a job: it has perl expressions, {choose_k} or {uniq}.
func (t *Template) NeedsEval() bool { return t.perl || t.skips }

// UsesJobEnv reports whether the template names variables that GNU
// parallel sets for each job ({slot}, {host}, {sshlogin}): they are left
// to the shell, and the job needs them in its environment.
func (t *Template) UsesJobEnv() bool { return t.jobEnv }

// UsesPerl reports whether the template has perl expressions.
func (t *Template) UsesPerl() bool { return t.perl }

// UsesTotal reports whether the template needs the number of jobs ({##},
// {0#}, or a perl expression that calls total_jobs()), which is known only
// once all input is read.
func (t *Template) UsesTotal() bool { return t.total }

// Exprs returns the list the template's perl expressions are in.
func (t *Template) Exprs() *Exprs { return t.exprs }

// Evaluate runs what the templates need before they render a job: their
// perl expressions, through ev, in the order parallel runs them, each
// once per value, and the tests of {choose_k} and {uniq}. It stores the
// results in a.Evals and reports whether the job is to be skipped.
func Evaluate(ev Evaluator, a *Args, tmpls ...*Template) (skip bool, err error) {
	vals := a.Values
	if len(vals) == 0 {
		// parallel gives a job without values one empty value.
		vals = []string{""}
	}
	e := &Evals{job: PerlJob{Seq: a.Seq, Slot: a.Slot, Total: a.Total, Slots: a.Slots, Values: vals}}
	for _, t := range tmpls {
		if t == nil {
			continue
		}
		for i := range t.parts {
			p := &t.parts[i]
			if p.kind == kLit {
				continue
			}
			if p.op.skips() && skips(p.op, a.Values) {
				skip = true
			}
			if p.op != opPerl {
				continue
			}
			if p.all {
				for v := range vals {
					e.call(Call{Expr: p.expr, Arg: v})
				}
			} else if v, ok := p.pick(len(vals)); ok {
				e.call(Call{Expr: p.expr, Arg: v})
			}
		}
	}
	if len(e.job.Calls) > 0 {
		if ev == nil {
			return false, fmt.Errorf("perl expressions need an evaluator")
		}
		if err := ev.Eval(&e.job); err != nil {
			return false, err
		}
		skip = skip || e.job.Skip
	}
	a.Evals = e
	return skip, nil
}

func (e *Evals) call(c Call) {
	if _, ok := e.index[c]; ok {
		return
	}
	if e.index == nil {
		e.index = map[Call]int{}
	}
	e.index[c] = len(e.job.Calls)
	e.job.Calls = append(e.job.Calls, c)
}

// skips is {choose_k}'s and {uniq}'s test, on the values as perl's @arg
// holds them, after an undefined first element: {choose_k} skips unless
// each value sorts after the one before, {uniq} if two are equal, and as
// the undefined element counts as "", if one is empty.
func skips(o op, vals []string) bool {
	switch o {
	case opChooseK:
		for i := 1; i < len(vals); i++ {
			if vals[i-1] >= vals[i] {
				return true
			}
		}
	case opUniq:
		seen := map[string]bool{"": true}
		for _, v := range vals {
			if seen[v] {
				return true
			}
			seen[v] = true
		}
	}
	return false
}

// log10ish is log(x)/log(10), as perl computes the width of {0#}: not
// math.Log10, which is exact at powers of ten where perl's quotient is not.
func log10ish(x float64) float64 { return math.Log(x) / math.Log(10) }
