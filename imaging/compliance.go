package imaging

import (
	"fmt"
	"math"

	"github.com/stox-dev/stox/messages"
)

// Rule thresholds from shared/reference/marketplaces.md.
const (
	// amazonMinSide is Amazon's main-image floor on the source's longest side
	// (zoom needs ≥ 1000 px).
	amazonMinSide = 1000
	// whiteBorder is the least share of near-white border pixels for the background
	// to count as white (and so be made pure white) rather than a coloured backdrop.
	whiteBorder = 0.9
)

// placement is what Process knows about one variant when judging its compliance.
type placement struct {
	// fill and fillBefore are the subject's span of the canvas's longest side in the
	// output, and before any crop; 0 when no subject was found.
	fill, fillBefore float64
	// whitened is set when background pixels were turned pure white.
	whitened bool
}

// compliance judges one marketplace variant's output against its rules.
func compliance(v Variant, info Info, a messages.Analysis, p placement) messages.PhotoCompliance {
	c := messages.PhotoCompliance{Status: messages.CompliancePass}
	fail := func(format string, args ...any) {
		c.Status = messages.ComplianceFail
		c.Notes = append(c.Notes, fmt.Sprintf(format, args...))
	}
	fixed := func(format string, args ...any) {
		if c.Status == messages.CompliancePass {
			c.Status = messages.ComplianceFixed
		}
		c.Notes = append(c.Notes, fmt.Sprintf(format, args...))
	}
	long := max(info.Width, info.Height)
	pct := func(f float64) int { return int(math.Round(f * 100)) }

	switch v.Name {
	case messages.Amazon:
		if long < amazonMinSide {
			fail("source is %d px on its longest side; Amazon needs at least %d for zoom", long, amazonMinSide)
		}
		if a.Background < whiteBorder {
			fail("background not white: %d%% of the border is near white", pct(a.Background))
		} else if p.whitened {
			fixed("background whitened")
		}
		switch {
		case p.fillBefore == 0:
			fail("no product found on the background")
		case p.fill < v.MinFill:
			fail("product fills %d%% of the frame; Amazon needs %d%%", pct(p.fill), pct(v.MinFill))
		case p.fillBefore < v.MinFill:
			fixed("re-centred and cropped: product fills %d%% of the frame (was %d%%)", pct(p.fill), pct(p.fillBefore))
		}
	default:
		if p.whitened {
			fixed("background whitened")
		}
		if v.Name == messages.Trendyol && info.Width < v.Width && info.Height < v.Height {
			c.Notes = append(c.Notes, fmt.Sprintf("source %d×%d is smaller than the recommended %d×%d", info.Width, info.Height, v.Width, v.Height))
		}
	}
	return c
}
