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
