package cli

import (
	"reflect"
	"strings"
	"testing"
)

func TestFromShebang(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want []string // nil: unchanged
		file string
		err  string
	}{
		{args: []string{"-k", "echo"}},
		{args: []string{"--shebangs x", "s"}},
		{args: []string{"--shebang -r -k echo", "./s"}, want: []string{"-a", "./s", "-r", "-k", "echo"}, file: "./s"},
		{args: []string{"--hashbang echo", "./s"}, want: []string{"-a", "./s", "echo"}, file: "./s"},
		// env -S, or a hand-typed line: the options come as words of their own
		{args: []string{"--shebang", "-k", "echo", "./s"}, want: []string{"-a", "./s", "-k", "echo"}, file: "./s"},
		{args: []string{"--shebang 'echo  x'", "./s"}, want: []string{"-a", "./s", "echo  x"}, file: "./s"},
		{args: []string{"--shebang-wrap -k /bin/sh", "./s", "a", "b"}, want: []string{"-k", "/bin/sh", "./s", ":::", "a", "b"}},
		{args: []string{"--shebangwrap /bin/sh", "./s"}, want: []string{"/bin/sh", "./s", ":::"}},
		{args: []string{"--shebang echo"}, err: "takes its options from a script's #! line"},
		{args: []string{"--shebang 'echo", "./s"}, err: "unterminated quote"},
	} {
		got, sb, err := fromShebang(tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("fromShebang(%q) error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		want := tt.want
		if want == nil {
			want = tt.args
			if sb != nil {
				t.Errorf("fromShebang(%q) took it for a #! line", tt.args)
			}
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("fromShebang(%q) = %q, %v; want %q", tt.args, got, err, want)
		}
		if sb != nil && sb.file != tt.file {
			t.Errorf("fromShebang(%q): file %q, want %q", tt.args, sb.file, tt.file)
		}
	}
}

func TestShebangParse(t *testing.T) {
	t.Parallel()
	o, err := Parse([]string{"--shebang -r echo", "./s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Sources) != 1 || !o.SkipFirstLine || o.Sources[0].Path != "./s" || !o.NoRunIfEmpty {
		t.Fatalf("sources %+v, -r %v", o.Sources, o.NoRunIfEmpty)
	}
	o, err = Parse([]string{"--shebang-wrap --pipe /bin/sh", "./s", "f1", "f2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Sources) != 2 || o.Sources[0].Kind != File || o.Sources[1].Path != "f2" {
		t.Fatalf("--pipe: the arguments are not files to read: %+v", o.Sources)
	}
	// Anywhere else --shebang does nothing, as in GNU parallel.
	if o, err := Parse([]string{"-k", "--shebang", "echo", ":::", "a"}, nil); err != nil || len(o.Sources) != 1 || o.SkipFirstLine {
		t.Fatalf("--shebang later on: %+v, %v", o, err)
	}
}

// FuzzFromShebang: a #! line never makes the parser panic, and its
// errors are one line.
func FuzzFromShebang(f *testing.F) {
	f.Add("--shebang -r -k echo", "./s", "x")
	f.Add("--shebang-wrap '/bin/sh", "./s", "")
	f.Add("--hashbang", "", "")
	f.Fuzz(func(t *testing.T, first, script, arg string) {
		args := []string{first}
		if script != "" {
			args = append(args, script)
		}
		if arg != "" {
			args = append(args, arg)
		}
		o, err := Parse(args, nil)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		_ = o
	})
}
