package results

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fanoutdev/fanout"
)

// cmdJob is a Job whose values are its Data, and whose command is "cmd".
type cmdJob struct{}

func (cmdJob) Values(j *fanout.Job) []string { return j.Data.([]string) }
func (cmdJob) Command(j *fanout.Job) string  { return "cmd" }
func (cmdJob) Seq(j *fanout.Job) int64       { return 7 }

// tableRow writes one row (and the header) for values, with out as the
// job's stdout.
func tableRow(t testing.TB, sep byte, values []string, out string) []byte {
	var b bytes.Buffer
	tb := NewTable(&b, "test", sep, cmdJob{})
	r := &fanout.Result{Job: &fanout.Job{Data: values}}
	r.Stdout.Write([]byte(out))
	if err := tb.Receive(r); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTableQuoting(t *testing.T) {
	t.Parallel()
	// GNU parallel 20221122's quoting: a field with a quote, white space,
	// the separator or a NUL is quoted; nothing else is.
	for _, c := range []struct {
		sep  byte
		v    string
		want string
	}{
		{',', "a", "a"},
		{',', "a,b", `"a,b"`},
		{',', "a b", `"a b"`},
		{',', `a"b`, `"a""b"`},
		{',', "a\tb", "\"a\tb\""},
		{',', "a\nb", "\"a\nb\""},
		{',', "a\x00b", "\"a\x00b\""},
		{'\t', "a,b", "a,b"},
		{'\t', "a\tb", "\"a\tb\""},
		{',', "", ""},
	} {
		row := tableRow(t, c.sep, []string{c.v}, "")
		_, second, _ := bytes.Cut(row, []byte("\n"))
		fields := bytes.Split(second, []byte{c.sep})
		// Seq Host Start Runtime Send Receive Exitval Signal Command: V1 is
		// the tenth field, unless the value's quoting split it.
		got := string(bytes.Join(fields[9:len(fields)-2], []byte{c.sep}))
		if got != c.want {
			t.Errorf("sep %q value %q: field %q, want %q (row %q)", c.sep, c.v, got, c.want, row)
		}
	}
}

// FuzzTable checks that a CSV row reads back, with encoding/csv, as the
// values and the output it was written with, and that cutting the table
// anywhere and reopening it keeps only whole rows.
func FuzzTable(f *testing.F) {
	f.Add("a", "b,c", "out\n", 10)
	f.Add(`a"b`, "x\ny", "", 3)
	f.Add("", " ", "\"\"\n\n", 40)
	f.Fuzz(func(t *testing.T, v1, v2, out string, cut int) {
		if !valid(v1) || !valid(v2) || !valid(out) {
			return // encoding/csv reads \r\n as \n, and rejects NUL-free quirks less kindly
		}
		row := tableRow(t, ',', []string{v1, v2}, out)
		recs, err := csv.NewReader(bytes.NewReader(row)).ReadAll()
		if err != nil {
			t.Fatalf("row %q does not parse: %v", row, err)
		}
		if len(recs) != 2 || len(recs[1]) != 13 {
			t.Fatalf("row %q: %d records, want a header and a row of 13 fields", row, len(recs))
		}
		if got := recs[1]; got[9] != v1 || got[10] != v2 || got[11] != out {
			t.Fatalf("row %q reads back as %q, %q, %q", row, got[9], got[10], got[11])
		}
		// Cut the table (two rows) at any byte: reopened, it holds whole
		// rows only.
		table := append(append([]byte{}, row...), row[bytes.IndexByte(row, '\n')+1:]...)
		cut = min(max(cut, 0), len(table))
		path := filepath.Join(t.TempDir(), "t.csv")
		os.WriteFile(path, table[:cut], 0o644)
		tb, err := CreateTable(path, ',', cmdJob{}, true)
		if err != nil {
			t.Fatal(err)
		}
		tb.Close()
		kept, _ := os.ReadFile(path)
		if !bytes.HasPrefix(table, kept) {
			t.Fatalf("kept %q is not a prefix of the table", kept)
		}
		if _, err := csv.NewReader(bytes.NewReader(kept)).ReadAll(); err != nil {
			t.Fatalf("kept %q does not parse: %v", kept, err)
		}
		if len(kept) > 0 && kept[len(kept)-1] != '\n' {
			t.Fatalf("kept %q ends inside a row", kept)
		}
	})
}

// valid leaves out what encoding/csv reads differently from how the table
// is written: a carriage return (read as part of a line end).
func valid(s string) bool { return !strings.ContainsRune(s, '\r') }

// FuzzNames checks the files a templated --results name gives: three
// distinct names, a directory's inside it, a file's beside it.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"out/a", "out/a/", "x", "/", "a.b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		out, errName, seq := Names(path)
		if out == errName || out == seq || errName == seq {
			t.Fatalf("Names(%q) = %q, %q, %q: not distinct", path, out, errName, seq)
		}
		if strings.HasSuffix(path, "/") {
			for _, n := range []string{out, errName, seq} {
				if filepath.Dir(n)+"/" != filepath.Clean(path)+"/" && filepath.Dir(n) != filepath.Clean(path) {
					t.Fatalf("Names(%q): %q is not in the directory", path, n)
				}
			}
			return
		}
		if out != path || !strings.HasPrefix(errName, path) || !strings.HasPrefix(seq, path) {
			t.Fatalf("Names(%q) = %q, %q, %q", path, out, errName, seq)
		}
	})
}
