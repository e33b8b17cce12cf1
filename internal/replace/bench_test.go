package replace

import "testing"

func BenchmarkAppendShell(b *testing.B) {
	tm := mustParse(b, []string{"gzip -9 {} > {.}.gz"}, Options{})
	a := Args{Values: []string{"/data/logs/access.log"}, Seq: 1, Slot: 1}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = tm.AppendShell(buf[:0], a)
	}
}

func BenchmarkArgv(b *testing.B) {
	tm := mustParse(b, []string{"convert", "{}", "{/.}.png"}, Options{})
	a := Args{Values: []string{"/data/img/photo.jpg"}, Seq: 1, Slot: 1}
	b.ReportAllocs()
	for b.Loop() {
		tm.Argv(a)
	}
}

// TestAppendNoAllocs holds the byte-rendering paths to zero allocations
// into a reused buffer, as the runner renders every job's line.
func TestAppendNoAllocs(t *testing.T) {
	for _, c := range []struct {
		words []string
		opt   Options
	}{
		{[]string{"gzip -9 {} > {.}.gz"}, Options{}},
		{[]string{"echo", "{#}", "{%}", "{1/.}", "{-1//}", "X{}Y"}, Options{}},
		{[]string{"echo", "X{}Y", "{/}"}, Options{Context: 'X'}},
	} {
		tm := mustParse(t, c.words, c.opt)
		a := Args{Values: []string{"/data/it's/a.log", "b c"}, Seq: 12, Slot: 3}
		buf := make([]byte, 0, 256)
		if n := testing.AllocsPerRun(100, func() {
			buf = tm.AppendShell(buf[:0], a)
			buf = tm.AppendPlain(buf[:0], a)
		}); n != 0 {
			t.Errorf("%q: %v allocs per render", c.words, n)
		}
	}
}

func BenchmarkParsePlus(b *testing.B) {
	words := []string{"convert", "{}", "-resize", "50%", "{+/}/thumbs/{/..}_{#}.{+..}", "{:-none}", "{%.jpg}", "{//a/b}"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(words, Options{Plus: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendShellPlus(b *testing.B) {
	tm := mustParse(b, []string{"mv {} {+/}/{/..}.{+..}.bak"}, Options{Plus: true})
	a := Args{Values: []string{"/data/logs/access.log.gz"}, Seq: 1, Slot: 1}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = tm.AppendShell(buf[:0], a)
	}
}

// BenchmarkMeter is the packer's cost per value under -X: one Add and one
// Len, which must not allocate.
func BenchmarkMeter(b *testing.B) {
	tm, err := Parse([]string{"gzip", "-9", "--", "pre{}", "{.}.gz"}, Options{Context: 'X'})
	if err != nil {
		b.Fatal(err)
	}
	m := tm.Meter()
	vals := []string{"/data/some/path/file-000123.txt", "it's here.txt", "x"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1000 == 0 {
			m.Reset()
		}
		m.Add(vals[i%3 : i%3+1])
		m.Len(vals, 1)
	}
}

func TestMeterNoAllocs(t *testing.T) {
	tm, _ := Parse([]string{"echo", "{}", "{1}"}, Options{Context: 'X'})
	m := tm.Meter()
	vals := []string{"a b", "c"}
	if n := testing.AllocsPerRun(100, func() { m.Reset(); m.Add(vals); m.Len(vals, 3) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
