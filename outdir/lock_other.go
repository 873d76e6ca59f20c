//go:build !unix

package outdir

import "os"

// lockExclusive is a no-op where flock(2) does not exist.
func lockExclusive(f *os.File) error { return nil }
