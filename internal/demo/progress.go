package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// stage is one step the demo follows, counted per product (or per order, or per
// product and marketplace).
type stage struct {
	name        string
	done, total int
	// start is when its work could begin, end when its last item was done.
	start, end time.Time
}

// took is how long the stage has taken so far, or took in all once it is complete.
func (s *stage) took(now time.Time) time.Duration {
	switch {
	case s.start.IsZero():
		return 0
	case !s.end.IsZero():
		return s.end.Sub(s.start)
	}
	return now.Sub(s.start)
}

// set records n of the stage's items done at now.
func (s *stage) set(n int, now time.Time) {
	if s.start.IsZero() {
		s.start = now
	}
	s.done = n
	if n >= s.total && s.end.IsZero() {
		s.end = now
	}
}

// progress shows the stages: on a terminal a bar each, redrawn in place; elsewhere
// (a pipe, a log, CI) a plain line whenever a stage moves, at most one a second per
// stage, and always when one completes.
type progress struct {
	out    io.Writer
	term   bool
	stages []*stage
	drawn  int // lines of bars on the screen
	said   map[*stage]int
	saidAt map[*stage]time.Time
}

func newProgress(out io.Writer, term bool, stages []*stage) *progress {
	return &progress{out: out, term: term, stages: stages, said: map[*stage]int{}, saidAt: map[*stage]time.Time{}}
}

const barWidth = 28

// line is a stage's bar.
func (p *progress) line(s *stage, now time.Time) string {
	fill := 0
	if s.total > 0 {
		fill = barWidth * min(s.done, s.total) / s.total
	}
	took := ""
	if !s.start.IsZero() {
		took = s.took(now).Round(100 * time.Millisecond).String()
	}
	return fmt.Sprintf("%-21s [%s%s] %4d/%-4d %s", s.name, strings.Repeat("#", fill), strings.Repeat(".", barWidth-fill), s.done, s.total, took)
}

// draw shows the stages' state at now.
func (p *progress) draw(now time.Time) {
	if !p.term {
		for _, s := range p.stages {
			complete := s.done >= s.total && s.total > 0
			if s.done == p.said[s] || s.start.IsZero() || (!complete && now.Sub(p.saidAt[s]) < time.Second) {
				continue
			}
			p.said[s], p.saidAt[s] = s.done, now
			fmt.Fprintln(p.out, p.line(s, now))
		}
		return
	}
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn) // back to the first bar
	}
	for _, s := range p.stages {
		b.WriteString("\r\x1b[2K" + p.line(s, now) + "\n")
	}
	p.drawn = len(p.stages)
	_, _ = io.WriteString(p.out, b.String())
}

// note prints a line of its own: above the bars on a terminal.
func (p *progress) note(now time.Time, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !p.term {
		fmt.Fprintln(p.out, msg)
		return
	}
	if p.drawn > 0 {
		fmt.Fprintf(p.out, "\x1b[%dA\r\x1b[J", p.drawn) // erase the bars
		p.drawn = 0
	}
	fmt.Fprintln(p.out, msg)
	p.draw(now)
}
