package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// studioPhoto draws a deterministic product shot: a grey sweep with a vignette, a
// bottle with a striped label, and sensor noise.
func studioPhoto(w, h int, seed uint64) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 7))
	cx, cy := float64(w)/2, float64(h)/2
	bw, bh := float64(w)*0.22, float64(h)*0.38
	for y := range h {
		for x := range w {
			dx, dy := (float64(x)-cx)/float64(w), (float64(y)-cy)/float64(h)
			v := 205 - 40*float64(y)/float64(h) - 60*(dx*dx+dy*dy)
			r, g, b := v, v, v+4
			ex, ey := (float64(x)-cx)/bw, (float64(y)-cy)/bh
			if ex*ex+ey*ey*ey*ey < 1 {
				r, g, b = 30+40*(1-ex*ex), 90+60*(1-ex*ex), 160
				if math.Abs(ey) < 0.3 { // label with fine stripes
					if (x/3)%2 == 0 {
						r, g, b = 235, 220, 60
					} else {
						r, g, b = 200, 40, 40
					}
				}
			}
			n := rng.NormFloat64() * 5
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = clamp8(r+n), clamp8(g+n), clamp8(b+n), 255
		}
	}
	return m
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

// solid returns a w×h image of one colour.
func solid(w, h int, c color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, m, &jpeg.Options{Quality: q}))
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, m))
	return b.Bytes()
}

func encodeGIF(t testing.TB, g *gif.GIF) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, gif.EncodeAll(&b, g))
	return b.Bytes()
}

func readFile(t testing.TB, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(path...))
	require.NoError(t, err)
	return b
}

// decodeRGBA decodes a generated JPEG for checking.
func decodeRGBA(t testing.TB, data []byte) *image.RGBA {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	out := image.NewRGBA(m.Bounds())
	draw.Draw(out, out.Bounds(), m, m.Bounds().Min, draw.Src)
	return out
}

// meanAbsDiff is the mean absolute difference of the RGB channels of two images of
// equal size, 0..255.
func meanAbsDiff(t testing.TB, a, b *image.RGBA) float64 {
	t.Helper()
	require.Equal(t, a.Bounds().Size(), b.Bounds().Size())
	var sum float64
	for i := 0; i < len(a.Pix); i += 4 {
		for c := range 3 {
			sum += math.Abs(float64(a.Pix[i+c]) - float64(b.Pix[i+c]))
		}
	}
	return sum / float64(len(a.Pix)/4*3)
}

var (
	bigPhotoOnce sync.Once
	bigPhoto     []byte
)

// photo3000 is a 3000×3000 q90 studio JPEG, generated once per test binary.
func photo3000(t testing.TB) []byte {
	bigPhotoOnce.Do(func() { bigPhoto = encodeJPEG(t, studioPhoto(3000, 3000, 1), 90) })
	return bigPhoto
}
