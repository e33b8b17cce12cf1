package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var (
	tagRE    = regexp.MustCompile(`^<(/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<]*")?)*)\s*>`)
	entityRE = regexp.MustCompile(`^&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);`)
	voidTags = map[string]bool{"meta": true, "br": true, "hr": true, "input": true, "img": true, "link": true, "wbr": true}
)

// checkWellFormed is a strict reading of an HTML page, stricter than a
// browser's: one doctype, then elements that all close in order (void
// ones excepted), every attribute value quoted, every < in text starting
// a tag and every & an entity, and script and style text never holding
// their own end tag.
func checkWellFormed(page string) error {
	rest, ok := strings.CutPrefix(page, "<!DOCTYPE html>")
	if !ok {
		return fmt.Errorf("no doctype")
	}
	var stack []string
	pos := func() int { return len(page) - len(rest) }
	for rest != "" {
		switch {
		case rest[0] == '<':
			m := tagRE.FindStringSubmatch(rest)
			if m == nil {
				return fmt.Errorf("at %d: a < that starts no tag: %.40q", pos(), rest)
			}
			for _, a := range regexp.MustCompile(`="([^"]*)"`).FindAllStringSubmatch(m[3], -1) {
				if err := checkText(a[1]); err != nil {
					return fmt.Errorf("at %d: attribute: %v", pos(), err)
				}
			}
			rest = rest[len(m[0]):]
			name := m[2]
			switch {
			case m[1] == "/":
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("at %d: </%s> closes %v", pos(), name, stack)
				}
				stack = stack[:len(stack)-1]
			case voidTags[name]:
			case name == "script" || name == "style":
				end := strings.Index(strings.ToLower(rest), "</"+name)
				if end < 0 {
					return fmt.Errorf("at %d: <%s> never ends", pos(), name)
				}
				if !strings.HasPrefix(rest[end:], "</"+name+">") {
					return fmt.Errorf("at %d: <%s> ends early", pos(), name)
				}
				if strings.Contains(rest[:end], "<!--") {
					return fmt.Errorf("at %d: <%s> holds <!--", pos(), name)
				}
				rest = rest[end+len("</"+name+">"):]
			default:
				stack = append(stack, name)
			}
		default:
			i := strings.IndexByte(rest, '<')
			if i < 0 {
				i = len(rest)
			}
			if err := checkText(rest[:i]); err != nil {
				return fmt.Errorf("at %d: %v", pos(), err)
			}
			if len(stack) == 0 && strings.TrimSpace(rest[:i]) != "" {
				return fmt.Errorf("at %d: text outside <html>", pos())
			}
			rest = rest[i:]
		}
	}
	if len(stack) != 0 {
		return fmt.Errorf("unclosed: %v", stack)
	}
	return nil
}

// checkText reports a raw & in text.
func checkText(s string) error {
	for i := strings.IndexByte(s, '&'); i >= 0; i = strings.IndexByte(s, '&') {
		if entityRE.FindString(s[i:]) == "" {
			return fmt.Errorf("a raw &: %.30q", s[i:])
		}
		s = s[i+1:]
	}
	if strings.ContainsAny(s, "<>") {
		return fmt.Errorf("a raw < or >: %.30q", s)
	}
	return nil
}

func TestCheckWellFormed(t *testing.T) {
	t.Parallel()
	const head = "<!DOCTYPE html>"
	for _, tt := range []struct {
		page string
		ok   bool
	}{
		{head + `<html><body><p class="a">x &amp; y</p><meta charset="utf-8"></body></html>`, true},
		{head + `<html><script>if (a < b) x();</script></html>`, true},
		{`<html></html>`, false},
		{head + `<html><p>x</html>`, false},
		{head + `<html><p>a & b</p></html>`, false},
		{head + `<html><p>a < b</p></html>`, false},
		{head + `<html><p class=a>x</p></html>`, false},
		{head + `<html><script>"</script>"</script></html>`, false},
		{head + `<html><p>x</p>`, false},
		{head + `<html></html>stray`, false},
	} {
		if err := checkWellFormed(tt.page); (err == nil) != tt.ok {
			t.Errorf("%q: %v, want ok %v", tt.page, err, tt.ok)
		}
	}
}
