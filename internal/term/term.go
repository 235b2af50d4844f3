// Package term answers the module's one terminal question: is this writer a
// terminal?
package term

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IsTerminal reports whether w is an *os.File open on a terminal (or a
// Cygwin/MSYS pty). It reads the descriptor through SyscallConn, which,
// unlike Fd, leaves the file in non-blocking mode.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	_ = rc.Control(func(fd uintptr) {
		tty = isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
	})
	return tty
}
