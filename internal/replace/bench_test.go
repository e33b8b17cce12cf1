package replace

import "testing"

func BenchmarkAppendShell(b *testing.B) {
	tm, _ := Parse([]string{"gzip -9 {} > {.}.gz"}, Options{})
	a := Args{Values: []string{"/data/logs/access.log"}, Seq: 1, Slot: 1}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = tm.AppendShell(buf[:0], a)
	}
}

func BenchmarkArgv(b *testing.B) {
	tm, _ := Parse([]string{"convert", "{}", "{/.}.png"}, Options{})
	a := Args{Values: []string{"/data/img/photo.jpg"}, Seq: 1, Slot: 1}
	b.ReportAllocs()
	for b.Loop() {
		tm.Argv(a)
	}
}
