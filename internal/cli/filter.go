package cli

import (
	"fmt"

	"github.com/fanoutdev/fanout/internal/replace"
)

// filterCode is the perl expression that runs a rendered --filter: its $_
// is the filter's text, evaluated under strict as GNU parallel evaluates
// it; a filter that does not compile or dies is false, as there.
const filterCode = ` $_ = (eval("use strict; no warnings; " . $_)) ? 1 : 0 `

// parseFilters compiles --filter: each is a template, rendered with its
// values unquoted, then evaluated by perl.
func (pl *plan) parseFilters(o *Options) error {
	if len(o.Filter) == 0 {
		return nil
	}
	for _, f := range o.Filter {
		opt := replaceOptions(o, pl.exprs)
		opt.NoAppend = true
		t, err := replace.Parse([]string{f}, opt)
		if err != nil {
			return usageError{fmt.Errorf("--filter: %w", err)}
		}
		pl.filters = append(pl.filters, t)
	}
	// The check is a perl expression of its own, in GNU parallel's
	// default brackets whatever --parens says, run once per filter with
	// the rendered filter as its value; it is kept out of templates(), so
	// that no job's values are ever evaluated as code.
	check, err := replace.Parse([]string{"{=" + filterCode + "=}"}, replace.Options{Exprs: pl.exprs, NoAppend: true})
	if err != nil {
		return fmt.Errorf("--filter: %w", err)
	}
	pl.filterCheck = check
	pl.eval = true
	return nil
}

// passes reports whether the job with args meets every --filter; args'
// perl expressions are evaluated already.
func (pl *plan) passes(args *replace.Args) (bool, error) {
	for _, f := range pl.filters {
		code := f.AppendPlain(nil, *args)
		check := replace.Args{Values: []string{string(code)}, Seq: args.Seq, Slot: args.Slot, Total: args.Total, Slots: args.Slots}
		if _, err := replace.Evaluate(pl.perl, &check, pl.filterCheck); err != nil {
			return false, err
		}
		if string(pl.filterCheck.AppendPlain(nil, check)) != "1" {
			return false, nil
		}
	}
	return true, nil
}
