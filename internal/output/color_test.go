package output

import "testing"

// The palette is GNU parallel's, in its order: the first colours and the
// count, as its init_color computes them.
func TestPaletteIsGNUParallels(t *testing.T) {
	if len(palette()) != 307 {
		t.Fatalf("%d colours, want 307", len(palette()))
	}
	for i, want := range map[int]string{0: "185;38;5;000", 1: "134;38;5;231", 2: "021;38;5;231", 3: "243;38;5;231", 306: "166;38;5;231"} {
		if got := string(palette()[i]); got != "\033[48;5;"+want+"m\033[K" {
			t.Errorf("colour %d = %q, want %q", i, got, want)
		}
	}
	if string(JobColor(308)) != string(JobColor(1)) {
		t.Error("job 308 does not wrap to job 1's colour")
	}
}

func TestAppendColored(t *testing.T) {
	c := []byte("<C>")
	for _, tt := range []struct {
		head, b string
		color   []byte
		tag     []byte
		want    string
	}{
		{"", "a\nb\n", c, nil, "<C>a\033[m\n<C>b\033[m\n"},
		{"", "a\rb\n", c, []byte("t"), "<C>t\ta\033[m\r<C>t\tb\033[m\n"},
		{"he", "ad\n", c, nil, "<C>head\033[m\n"},
		{"last", "", c, nil, "<C>last\033[m\n"},
		{"", "plain", nil, nil, "plain\n"}, // no colour: no reset, the newline still
	} {
		if got := string(appendColored(nil, []byte(tt.head), []byte(tt.b), tt.color, tt.tag)); got != tt.want {
			t.Errorf("appendColored(%q, %q) = %q, want %q", tt.head, tt.b, got, tt.want)
		}
	}
}
