package platform

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidName reports a name that fails ValidName.
var ErrInvalidName = errors.New("vendor: invalid object name")

// MaxNameLen is the longest object name ValidName accepts: the smallest
// limit among the supported platforms (SR OS as-path-group, match-list).
const MaxNameLen = 32

// ValidName checks s against the portable object-name rule of vendors.md
// §1.1, ^[A-Z][A-Z0-9_]{0,31}$, which every supported platform accepts
// unquoted and which cannot collide with a BIRD keyword. Names are
// identifiers: a name that fails is rejected, never cleaned up.
func ValidName(s string) error {
	if len(s) == 0 || len(s) > MaxNameLen || s[0] < 'A' || s[0] > 'Z' {
		return fmt.Errorf("%w %s: want a capital letter, then up to %d capitals, digits or underscores",
			ErrInvalidName, strconv.Quote(s), MaxNameLen-1)
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("%w %s: character %q at %d", ErrInvalidName, strconv.Quote(s), c, i)
		}
	}
	return nil
}

// Text length limits for SanitizeText (vendors.md §4.2).
const (
	MaxTextOpenBGPD = 31 // OpenBGPD descr
	MaxTextSROS     = 80 // SR OS description, hard limit
	MaxText         = 64 // everywhere else
)

// SanitizeText makes free text (descriptions, remarks, comments) safe for
// every platform (vendors.md §4.2): ASCII letters, digits, space and
// . , : / ( ) @ + = _ - are kept; every other rune, including CR, LF, TAB
// and quotes, becomes a space; runs of spaces collapse; the result is
// trimmed and cut to max bytes. The result may be empty: the caller then
// substitutes a default.
func SanitizeText(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		ok := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune(".,:/()@+=_-", r))
		if !ok {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
	out := strings.TrimSpace(b.String())
	if max >= 0 && len(out) > max {
		out = strings.TrimSpace(out[:max])
	}
	return out
}

// Quote returns SanitizeText(s, max) in double quotes, the string form of
// Junos, SR OS (both CLIs), BIRD, OpenBGPD and nftables. IOS, IOS-XR,
// NX-OS, EOS and FRR take the sanitised text bare.
func Quote(s string, max int) string {
	return `"` + SanitizeText(s, max) + `"`
}
