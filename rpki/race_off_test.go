//go:build !race

package rpki_test

const raceEnabled = false
