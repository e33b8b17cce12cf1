package cli

import "testing"

func TestCommandLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		argv []string
		want string
	}{
		{nil, "fanout"},
		{[]string{"-j", "3", "sleep {}; echo slept {}", ":::", "0.3", "a=b", "50%"}, "fanout -j 3 'sleep {}; echo slept {}' ::: 0.3 a=b 50%"},
		{[]string{"echo", "", "it's", "{a,b}", "$HOME"}, `fanout echo '' 'it'"'"'s' '{a,b}' '$HOME'`},
	} {
		if got := commandLine(tt.argv); got != tt.want {
			t.Errorf("commandLine(%q) = %s, want %s", tt.argv, got, tt.want)
		}
	}
}
