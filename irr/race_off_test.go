//go:build !race

package irr_test

const raceEnabled = false
