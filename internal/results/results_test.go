package results

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fanoutdev/fanout"
)

type values []string

func (v values) Values(j *fanout.Job) []string { return j.Data.([]string) }
func (v values) Command(j *fanout.Job) string  { return j.String() }

func (v values) Seq(j *fanout.Job) int64 {
	seq, _ := seqs.Load(j)
	return seq.(int64)
}

// seqs numbers the test jobs (*fanout.Job to int64) in the order run
// submits them, as a command numbers its input. The pool's collector reads
// a job's number while run submits the next.
var seqs sync.Map

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a":   "a",
		"a/b": `a\_b`,
		`a\b`: `a\\b`,
		"..":  `\.\.`,
		".":   `\.`,
		"":    "",
		"x y": "x y",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func run(t *testing.T, sink fanout.Sink, jobs ...*fanout.Job) {
	t.Helper()
	p := &fanout.Pool{Limit: 2, Sink: sink, CaptureLimit: 1024}
	for i, j := range jobs {
		seqs.Store(j, int64(i+1))
		if _, err := p.Go(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
}

func job(shell string, vals ...string) *fanout.Job {
	return &fanout.Job{Shell: shell, Data: vals}
}

func TestDirLayout(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	run(t, &Dir{Root: root, Sources: 2, Job: values{}},
		job("echo out; echo err >&2", "a", "x"),
		job("head -c 5000 /dev/zero", "a/b", "y"))
	for path, want := range map[string]string{
		"1/a/2/x/stdout":    "out\n",
		"1/a/2/x/stderr":    "err\n",
		"1/a/2/x/seq":       "1",
		`1/a\_b/2/y/seq`:    "2",
		`1/a\_b/2/y/stdout`: strings.Repeat("\x00", 5000),
	} {
		b, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || string(b) != want {
			t.Errorf("%s: got %q (%v), want %q", path, b, err, want)
		}
	}
}

// Without Sources, the values of a job are numbered in turn (sources and
// --colsep columns); with it, each packed record starts again at 1.
func TestDirNumbering(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sources int
		values  []string
		want    string
	}{
		{0, []string{"a", "b", "x"}, "1/a/2/b/3/x/seq"},
		{1, []string{"a", "b"}, "1/a/1/b/seq"},
		{2, []string{"a", "x", "b", "y"}, "1/a/2/x/1/b/2/y/seq"},
	} {
		root := t.TempDir()
		run(t, &Dir{Root: root, Sources: c.sources, Job: values{}}, job("true", c.values...))
		if _, err := os.Stat(filepath.Join(root, c.want)); err != nil {
			t.Errorf("Sources %d, values %q: %v", c.sources, c.values, err)
		}
	}
}

func TestJSONLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.json")
	s, err := CreateJSON(path, values{}, false)
	if err != nil {
		t.Fatal(err)
	}
	weird := "tab\there \"quoted\" back\\slash \x01 é \xff"
	run(t, s, job(`printf '%s' "$0"`, weird), job("head -c 3000 /dev/zero | tr '\\0' y; exit 3", "b"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	got := map[int]map[string]any{}
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got[int(m["Seq"].(float64))] = m
	}
	if len(got) != 2 {
		t.Fatalf("got %d objects", len(got))
	}
	if got[2]["Exitval"].(float64) != 3 || got[2]["Stdout"] != strings.Repeat("y", 3000) {
		t.Errorf("job 2: %v", got[2])
	}
	if v := got[1]["V"].([]any); len(v) != 1 || v[0] != strings.ToValidUTF8(weird, "\ufffd") {
		t.Errorf("job 1 V = %q", v)
	}
}

// A resumed run appends to the JSON lines, after cutting off a last line
// that a kill tore.
func TestJSONLinesAppendCutsTornLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.json")
	s, err := CreateJSON(path, values{}, false)
	if err != nil {
		t.Fatal(err)
	}
	run(t, s, job("echo a", "a"))
	s.Close()
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{ "Seq": 2, "Host": ":", "Std`)
	f.Close()
	s, err = CreateJSON(path, values{}, true)
	if err != nil {
		t.Fatal(err)
	}
	run(t, s, job("echo b", "b"))
	s.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", b)
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
	}
}
