//go:build race

package irr_test

// raceEnabled is true under the race detector, which distorts heap
// figures and makes the memory tests ten times slower.
const raceEnabled = true
