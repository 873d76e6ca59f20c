package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"
)

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termSafe escapes what a terminal would act on in text printed for a
// person: control characters (C0, DEL, C1: escape sequences, carriage
// returns, backspaces), Unicode bidirectional controls (which reorder
// what is shown) and invalid UTF-8, as \x1b, \u202e and \xff. IRR data
// is anyone's to write; names and members from it go through here
// before reaching a terminal or a log a person reads.
func termSafe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r >= 0x7f && r < 0xa0 || unicode.Is(unicode.Bidi_Control, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// termSafeLines is termSafe keeping line breaks and tabs, for messages
// of several lines.
func termSafeLines(s string) string {
	if !strings.ContainsAny(s, "\n\t") {
		return termSafe(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\t")
		for j, p := range parts {
			parts[j] = termSafe(p)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}

// termSafeAll applies termSafe to each of names.
func termSafeAll(names []string) []string {
	out := make([]string, len(names))
	for i, s := range names {
		out[i] = termSafe(s)
	}
	return out
}
