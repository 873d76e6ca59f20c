// Package rpki loads Validated ROA Payloads and ASPA records and validates
// route origins (RFC 6811).
package rpki
