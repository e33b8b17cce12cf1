package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestNewLimitCheck(t *testing.T) {
	t.Parallel()
	c := newConsole(Streams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	for _, tc := range []struct {
		spec    string
		want    string // a piece of the script; "" for an error
		wantErr string
	}{
		{spec: "test -e go", want: "test -e go"},
		{spec: "mem 1G", want: "1073741824"},
		{spec: "mem 1g", want: "1000000000"},
		{spec: "load 4", want: "n > 4"},
		{spec: "io 90", want: "max > 90"},
		{spec: "mem", wantErr: "give mem one number"},
		{spec: "load x", wantErr: "not a size"},
		{spec: "  ", wantErr: "--limit needs a command"},
	} {
		l, err := newLimitCheck(tc.spec, "/bin/sh", c)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("newLimitCheck(%q) = %v, want an error with %q", tc.spec, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("newLimitCheck(%q): %v", tc.spec, err)
		case !strings.Contains(l.script, tc.want):
			t.Errorf("newLimitCheck(%q) runs %q, want it to hold %q", tc.spec, l.script, tc.want)
		}
	}
}

func TestLimitCheckStatus(t *testing.T) {
	t.Parallel()
	var errs bytes.Buffer
	c := newConsole(Streams{Out: &bytes.Buffer{}, Err: &errs})
	for script, want := range map[string]int{"exit 0": 0, "exit 1": 1, "exit 2": 2, "exit 7": 1, "kill -9 $$": 1} {
		l, err := newLimitCheck(script, "/bin/sh", c)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.run(); got != want {
			t.Errorf("--limit %q: run() = %d, want %d", script, got, want)
		}
	}
	if !strings.Contains(errs.String(), "exited with 7") {
		t.Errorf("no warning for an exit status that means nothing: %q", errs.String())
	}
}
