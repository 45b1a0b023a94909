package imaging

import (
	"fmt"
	"math"
)

// placement is what Process knows about one variant when judging its compliance.
type placement struct {
	// fill and fillBefore are the subject's span of the canvas's longest side in the
	// output, and with the whole photo fitted; 0 when no subject was found.
	fill, fillBefore float64
	// enlarge is the output's pixels per source pixel.
	enlarge float64
	// backdrop names the backdrop ("plain beige backdrop").
	backdrop string
}

// compliance judges one marketplace variant's output against its rules (see variants
// for their sources) and says what the stage did to the photo.
func compliance(v Variant, info Info, a Analysis, p placement) Compliance {
	c := Compliance{Status: CompliancePass}
	fail := func(format string, args ...any) {
		c.Status = ComplianceFail
		c.Notes = append(c.Notes, fmt.Sprintf(format, args...))
	}
	fixed := func(format string, args ...any) {
		if c.Status == CompliancePass {
			c.Status = ComplianceFixed
		}
		c.Notes = append(c.Notes, fmt.Sprintf(format, args...))
	}
	note := func(format string, args ...any) { c.Notes = append(c.Notes, fmt.Sprintf(format, args...)) }
	pct := func(f float64) int { return int(math.Round(f * 100)) }
	amazon := v.Name == "amazon"

	// The backdrop.
	switch {
	case a.Separated && a.Backdrop == BackdropWhite:
		fixed("background whitened")
	case a.Separated:
		fixed("%s replaced with pure white", p.backdrop)
	case a.Backdrop == BackdropBusy && amazon:
		fail("background not white: a busy scene is left as it is (%d%% of the border is near white); Amazon's main image needs pure white", pct(a.Background))
	case a.Backdrop == BackdropBusy:
		note("busy background left as it is: only a plain or gradient backdrop is replaced with white")
	case amazon:
		fail("no product found on the background")
	default:
		note("no product found on the %s", p.backdrop)
	}

	// The framing.
	if a.Separated {
		switch {
		case amazon && p.fill < v.MinFill:
			fail("product fills %d%% of the frame; Amazon needs %d%%", pct(p.fill), pct(v.MinFill))
		case math.Abs(p.fill-p.fillBefore) >= 0.01:
			fixed("re-centred and cropped: product fills %d%% of the frame (was %d%%)", pct(p.fill), pct(p.fillBefore))
		}
	}

	// The resolution: a small source is reported, never passed, and enlarged at most
	// maxEnlarge.
	if long := max(info.Width, info.Height); v.MinSide > 0 && long < v.MinSide {
		fail("source is %d px on its longest side; %s asks for at least %d", long, v.Rules, v.MinSide)
	}
	if p.enlarge > 1.005 {
		note("enlarged %.1f× (Stox enlarges at most %g×): it looks softer than a larger photo would", p.enlarge, maxEnlarge)
	}
	return c
}
