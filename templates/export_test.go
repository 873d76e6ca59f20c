package templates

// SROSFilterHash is srosFilterHash, for the external tests that build
// SR OS classic filters preferring the same ID.
var SROSFilterHash = srosFilterHash
