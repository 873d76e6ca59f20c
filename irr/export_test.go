package irr

import "time"

// SetMinEvictIdle sets how long a connection must be idle before a
// newcomer may take its place, for the lockout tests, and returns a
// function that restores it.
func SetMinEvictIdle(d time.Duration) func() {
	old := minEvictIdle
	minEvictIdle = d
	return func() { minEvictIdle = old }
}
