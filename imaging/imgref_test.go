package imaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
)

// TestImgrefPhotos runs every photo that shared/tools/imgref generates (JPEGs up to
// 4032×3024 and a PNG cut-out with alpha) through the whole stage: every variant has
// its exact size. The cut-out (a product on transparency) gets a pure white border and
// passes Amazon's main-image rules; the full-bleed scene photos cannot have a white
// background, and Amazon's compliance says so instead of hiding it.
func TestImgrefPhotos(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and processes 12-megapixel photos")
	}
	tool := testenv.Shared(t, "tools/imgref")
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./cmd/gen", "-out", out)
	cmd.Dir = tool
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "imgref gen: %s", msg)
	files, err := filepath.Glob(filepath.Join(out, "*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			res, err := Process(data, []string{"amazon", "trendyol", "hepsiburada", Thumbnail}, Options{})
			require.NoError(t, err)
			require.Len(t, res.Outputs, 4)
			for _, o := range res.Outputs {
				v, err := LookupVariant(o.Variant)
				require.NoError(t, err)
				m := decodeRGBA(t, o.JPEG)
				assert.Equal(t, v.Width, m.Bounds().Dx(), o.Variant)
				assert.Equal(t, v.Height, m.Bounds().Dy(), o.Variant)
				if filepath.Ext(f) != ".png" {
					continue
				}
				// the outermost pixel ring is pure white on every variant
				b := m.Bounds()
				for x := b.Min.X; x < b.Max.X; x += 7 {
					for _, y := range []int{b.Min.Y, b.Max.Y - 1} {
						c := m.RGBAAt(x, y)
						if c.R != 255 || c.G != 255 || c.B != 255 {
							t.Fatalf("%s: border pixel (%d,%d) is %v, not pure white", o.Variant, x, y, c)
						}
					}
				}
			}
			amazon := res.Analysis.Compliance["amazon"]
			if filepath.Ext(f) == ".png" {
				assert.Contains(t, []string{"pass", "fixed"}, amazon.Status, "amazon: %v", amazon.Notes)
				return
			}
			assert.Equal(t, "fail", amazon.Status)
			require.NotEmpty(t, amazon.Notes)
			assert.Contains(t, amazon.Notes[0], "background not white")
		})
	}
}
