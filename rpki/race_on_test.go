//go:build race

package rpki_test

// raceEnabled is true under the race detector, which makes the largest
// real-data test take over ten times longer.
const raceEnabled = true
