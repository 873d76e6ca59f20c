// Package inputfile opens the files filtergen reads (registry dumps, VRP
// files, policies) so that a path naming something other than a regular
// file — a FIFO, a device, a directory, a socket — fails at once with a
// clear error instead of blocking for ever or reading without end.
package inputfile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// A NotRegularError reports an input path that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s)", e.Path, kind(e.Mode))
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "mode " + m.String()
}

// Open opens name for reading and returns it only if it is a regular file
// (symbolic links are followed). The open itself never blocks: a FIFO is
// opened non-blocking, so that a pipe with no writer does not hang the
// caller, and is then refused. The *os.File returned reads normally.
func Open(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: name, Mode: fi.Mode()}
	}
	return f, nil
}

// Check reports an error unless name is a regular file. It does not open
// the file; use it where another API opens it (os.Root, for one).
func Check(name string) error {
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: name, Mode: fi.Mode()}
	}
	return nil
}
