package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// doc/fanout.1 is what fanout --man prints: run go generate after
// changing an option.
func TestManPageIsCurrent(t *testing.T) {
	t.Parallel()
	got, err := os.ReadFile("../../doc/fanout.1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != Man() {
		t.Fatal("doc/fanout.1 is stale: run go generate ./internal/cli")
	}
}

// The manual page has every name of every accepted option, aliases
// included, and every refused one.
func TestManListsEveryName(t *testing.T) {
	t.Parallel()
	man := Man()
	for _, o := range optIndex().options() {
		for _, n := range o.names {
			if !strings.Contains(man, roff(n)) {
				t.Errorf("the manual page lacks %s", n)
			}
		}
	}
}

// The manual page is roff that man(7) formats without a warning.
func TestManFormats(t *testing.T) {
	t.Parallel()
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed")
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(Man())
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("groff: %v\n%s", err, out)
	}
}
