package imaging

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cutoutPhoto is studioPhoto's bottle alone on transparency, as a seller's cut-out PNG.
func cutoutPhoto(w, h int, seed uint64) *image.NRGBA {
	src := studioPhoto(w, h, seed)
	out := image.NewNRGBA(src.Rect)
	cx, cy := float64(w)/2, float64(h)/2
	bw, bh := float64(w)*0.22, float64(h)*0.38
	for y := range h {
		for x := range w {
			ex, ey := (float64(x)-cx)/bw, (float64(y)-cy)/bh
			if ex*ex+ey*ey*ey*ey < 1 {
				c := src.RGBAAt(x, y)
				out.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, 255})
			}
		}
	}
	return out
}

// TestStudioPhotos runs studio photos of the sizes phones and studio cameras take
// (JPEGs up to 4032×3024 and a PNG cut-out with alpha, generated here)
// through the whole stage: every variant has its exact size, the grey sweep and the
// transparency both become pure white, and Amazon's compliance says what was done.
func TestStudioPhotos(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and processes 12-megapixel photos")
	}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		kind string
	}{
		{"photo_3000x3000_q90.jpg", func(t *testing.T) []byte { return photo3000(t) }, BackdropGradient},
		{"photo_1600x1200_q90.jpg", func(t *testing.T) []byte { return encodeJPEG(t, studioPhoto(1600, 1200, 2), 90) }, BackdropGradient},
		{"photo_4032x3024_q90.jpg", func(t *testing.T) []byte { return encodeJPEG(t, studioPhoto(4032, 3024, 3), 90) }, BackdropGradient},
		{"cutout_2000x2000_alpha.png", func(t *testing.T) []byte { return encodePNG(t, cutoutPhoto(2000, 2000, 4)) }, BackdropWhite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(tt.data(t), allVariants, Options{})
			require.NoError(t, err)
			require.Len(t, res.Outputs, 4)
			assert.Equal(t, tt.kind, res.Analysis.Backdrop)
			assert.True(t, res.Analysis.Separated)
			for _, o := range res.Outputs {
				v, err := LookupVariant(o.Variant)
				require.NoError(t, err)
				m := decodeRGBA(t, o.JPEG)
				require.Equal(t, image.Rect(0, 0, v.Width, v.Height), m.Bounds(), o.Variant)
				// the outermost pixel ring is pure white on every variant
				b := m.Bounds()
				for x := b.Min.X; x < b.Max.X; x += 7 {
					for _, y := range []int{b.Min.Y, b.Max.Y - 1} {
						require.Equal(t, color.RGBA{255, 255, 255, 255}, m.RGBAAt(x, y), "%s: border pixel (%d,%d)", o.Variant, x, y)
					}
				}
			}
			amazon := res.Analysis.Compliance["amazon"]
			assert.Equal(t, ComplianceFixed, amazon.Status, "%q", amazon.Notes)
			want := "background whitened"
			if tt.kind != BackdropWhite {
				want = fmt.Sprintf("%s light grey backdrop replaced with pure white", tt.kind)
			}
			assert.Contains(t, strings.Join(amazon.Notes, "; "), want)
		})
	}
}
