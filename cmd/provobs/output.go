package main

import (
	"io"
	"sync"
)

// syncWriter serialises writes to w: the logger, the SQLite provider's
// logger, the progress line and push errors all write to stderr from their
// own goroutines, and the writer given to run (a bytes.Buffer in tests)
// need not be safe for concurrent use.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
