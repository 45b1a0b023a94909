package status

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Monitor shows the report's views live on a terminal until q, Ctrl-C or ctx ends:
// it gathers every interval, redraws in place, and keys 1-4 or tab switch views.
func Monitor(ctx context.Context, o Options, every time.Duration, in io.Reader, out io.Writer) error {
	if every <= 0 {
		return fmt.Errorf("monitor: refresh interval %s is not positive", every)
	}
	p := tea.NewProgram(dashboard{ctx: ctx, o: o, every: every},
		tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // stopped by a signal: not a failure
	}
	return err
}

type dashboard struct {
	ctx    context.Context
	o      Options
	every  time.Duration
	view   int
	report *Report
}

// reported carries a finished Gather; tick asks for the next.
type (
	reported Report
	tick     struct{}
)

func (m dashboard) gather() tea.Cmd {
	prev := m.report
	return func() tea.Msg { return reported(Gather(m.ctx, m.o, prev)) }
}

func (m dashboard) Init() tea.Cmd { return m.gather() }

func (m dashboard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch k := msg.String(); k {
		case "q", "esc", "ctrl+c":
			return m, tea.Quit
		case "tab", "right", "l":
			m.view = (m.view + 1) % len(Views)
		case "shift+tab", "left", "h":
			m.view = (m.view + len(Views) - 1) % len(Views)
		case "1", "2", "3", "4":
			m.view = int(k[0] - '1')
		}
	case reported:
		r := Report(msg)
		m.report = &r
		return m, tea.Tick(m.every, func(time.Time) tea.Msg { return tick{} })
	case tick:
		return m, m.gather()
	}
	return m, nil
}

func (m dashboard) View() string {
	var b strings.Builder
	b.WriteString("stox monitor ")
	for i, v := range Views {
		if i == m.view {
			fmt.Fprintf(&b, " \x1b[7m[%d %s]\x1b[0m", i+1, v)
		} else {
			fmt.Fprintf(&b, "  %d %s ", i+1, v)
		}
	}
	b.WriteString("\n")
	if m.report == nil {
		b.WriteString("\ngathering...\n")
		return b.String()
	}
	fmt.Fprintf(&b, "updated %s, every %s - keys 1-4, tab: views - q: quit\n\n", m.report.At.Format(time.TimeOnly), m.every)
	if err := Write(&b, *m.report, Views[m.view]); err != nil {
		b.WriteString(err.Error())
	}
	return b.String()
}
