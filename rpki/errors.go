package rpki

import (
	"errors"
	"strconv"
	"strings"
)

// ErrStale reports RPKI data older than the maximum age the caller
// accepts, or an RTR cache not heard from within its expire interval.
// Stale data is refused, never used: callers test with errors.Is.
var ErrStale = errors.New("rpki: data is stale")

// A ParseError reports malformed RPKI input. Error() reads like
//
//	rpki: vrps.json:14: roas[12]: max length 20 is shorter than prefix 192.0.2.0/24
type ParseError struct {
	File  string // as given to the loader; may be empty
	Line  int    // 1-based; 0 when unknown
	Entry string // the entry, such as "roas[12]" or "aspas[3]"; may be empty
	Err   error  // the cause
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("rpki: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
	}
	if b.Len() > len("rpki: ") {
		b.WriteByte(' ')
	}
	if e.Entry != "" {
		b.WriteString(e.Entry)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// An RTRError is an RTR Error Report (RFC 8210 §5.11), received from the
// cache or sent to it before the client dropped the session.
type RTRError struct {
	Code uint16 // IANA RPKI-Router error code, see the Err* constants
	Text string // the diagnostic text, trailing NULs removed
	Sent bool   // the client sent this report; otherwise the cache did
}

// RTR error codes (IANA "RPKI-Router Error Codes").
const (
	ErrCodeCorruptData        uint16 = 0
	ErrCodeInternalError      uint16 = 1
	ErrCodeNoData             uint16 = 2
	ErrCodeInvalidRequest     uint16 = 3
	ErrCodeUnsupportedVersion uint16 = 4
	ErrCodeUnsupportedPDU     uint16 = 5
	ErrCodeWithdrawUnknown    uint16 = 6
	ErrCodeDuplicateAnnounce  uint16 = 7
	ErrCodeUnexpectedVersion  uint16 = 8
)

var rtrCodeNames = []string{
	"corrupt data", "internal error", "no data available", "invalid request",
	"unsupported protocol version", "unsupported PDU type",
	"withdrawal of unknown record", "duplicate announcement received",
	"unexpected protocol version",
}

func (e *RTRError) Error() string {
	who := "cache reported"
	if e.Sent {
		who = "client sent"
	}
	name := "error " + strconv.Itoa(int(e.Code))
	if int(e.Code) < len(rtrCodeNames) {
		name += " (" + rtrCodeNames[e.Code] + ")"
	}
	s := "rpki: rtr: " + who + " " + name
	if e.Text != "" {
		s += ": " + strconv.Quote(e.Text)
	}
	return s
}
