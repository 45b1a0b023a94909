package imaging

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocsImages writes the README's before/after pairs, one per marketplace, to the
// folder STOX_DOCS_IMAGES names (docs/images from the repository's root):
//
//	STOX_DOCS_IMAGES=$PWD/docs/images go test ./imaging -run TestDocsImages
//
// Each "before" is the rose photograph (testdata/yellow_rose.lossy-with-alpha.webp) laid
// on a backdrop the way a seller's home studio shows it; each "after" is what the stage
// makes of it for that marketplace. Without the variable it is skipped.
func TestDocsImages(t *testing.T) {
	dir := os.Getenv("STOX_DOCS_IMAGES")
	if dir == "" {
		t.Skip("STOX_DOCS_IMAGES not set")
	}
	rose := roseCutout(t)
	pairs := []struct {
		marketplace string
		s           scene
	}{
		{"amazon", scene{w: 1400, h: 1050, bg: plainBackdrop(225, 205, 165), scale: 2.2, cx: 0.46, cy: 0.52, shadow: 0.35, noise: 3}},
		{"trendyol", scene{w: 1200, h: 1500, bg: sweepBackdrop(120, 160, 215), scale: 2.2, cx: 0.5, cy: 0.55, shadow: 0.3, noise: 3}},
		{"hepsiburada", scene{w: 1400, h: 1050, bg: plainBackdrop(172, 172, 175), scale: 1.6, cx: 0.62, cy: 0.42, shadow: 0.25, noise: 3}},
	}
	for i, p := range pairs {
		m, _ := compose(rose, p.s, uint64(i+1))
		before := encodeJPEG(t, m, 85)
		res, err := Process(before, []string{p.marketplace}, Options{})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, p.marketplace+"-before.jpg"), before, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p.marketplace+"-after.jpg"), res.Outputs[0].JPEG, 0o644))
		c := res.Analysis.Compliance[p.marketplace]
		t.Logf("%s: %s %q", p.marketplace, c.Status, c.Notes)
	}
}
