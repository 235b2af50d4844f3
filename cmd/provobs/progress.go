package main

import (
	"fmt"
	"io"

	"github.com/provobs/provobs/stress"
)

// progressPrinter returns a stress.Progress callback: a live line that
// rewrites itself on a terminal, plain periodic lines otherwise.
func progressPrinter(w io.Writer, live bool) func(stress.Progress) {
	return func(p stress.Progress) {
		phase := "running"
		if p.Draining {
			phase = "draining"
		}
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Completed) / s
		}
		line := fmt.Sprintf("%-8s %6.1fs  launched %d  completed %d  in flight %d  failed %d  activities %d  (%.1f orch/s)",
			phase, p.Elapsed.Seconds(), p.Launched, p.Completed, p.InFlight, p.Failed, p.Activities, rate)
		if live {
			fmt.Fprintf(w, "\r\033[K%s", line)
		} else {
			fmt.Fprintln(w, line)
		}
	}
}
