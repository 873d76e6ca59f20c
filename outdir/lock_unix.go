//go:build unix

package outdir

import (
	"os"
	"syscall"
)

// lockExclusive takes an advisory lock on f without waiting, so that two
// runs never write one directory (and remove each other's temporary
// files) at once. Closing f releases it, as does the process's death.
func lockExclusive(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
