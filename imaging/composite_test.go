package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Composites for the backdrop tests: a real photograph whose subject's mask is known
// (testdata/yellow_rose.lossy-with-alpha.webp, a rose photographed and cut out with an
// alpha channel) laid on a backdrop the test draws (plain, gradient, or a crop of
// another real photograph for a busy scene), with a soft shadow and sensor noise.

// cutout is a subject with premultiplied colour and its opacity.
type cutout struct {
	w, h int
	rgb  []float64 // premultiplied, 0..255, 3 per pixel
	a    []float64 // 0..1
}

// roseCutout decodes the rose and its alpha.
func roseCutout(t testing.TB) cutout {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(readFile(t, "testdata", "yellow_rose.lossy-with-alpha.webp")))
	require.NoError(t, err)
	b := m.Bounds()
	c := cutout{w: b.Dx(), h: b.Dy(), rgb: make([]float64, 3*b.Dx()*b.Dy()), a: make([]float64, b.Dx()*b.Dy())}
	for y := range c.h {
		for x := range c.w {
			r, g, bl, a := m.At(b.Min.X+x, b.Min.Y+y).RGBA() // premultiplied, 16-bit
			i := y*c.w + x
			c.rgb[3*i], c.rgb[3*i+1], c.rgb[3*i+2] = float64(r)/257, float64(g)/257, float64(bl)/257
			c.a[i] = float64(a) / 65535
		}
	}
	return c
}

// scaled is c resized by f with bilinear interpolation of the premultiplied values.
func (c cutout) scaled(f float64) cutout {
	w, h := int(math.Round(float64(c.w)*f)), int(math.Round(float64(c.h)*f))
	out := cutout{w: w, h: h, rgb: make([]float64, 3*w*h), a: make([]float64, w*h)}
	for y := range h {
		sy := math.Max((float64(y)+0.5)/f-0.5, 0)
		y0 := min(int(sy), c.h-1)
		y1, fy := min(y0+1, c.h-1), sy-float64(int(sy))
		for x := range w {
			sx := math.Max((float64(x)+0.5)/f-0.5, 0)
			x0 := min(int(sx), c.w-1)
			x1, fx := min(x0+1, c.w-1), sx-float64(int(sx))
			lerp := func(v []float64, n, k int) float64 {
				at := func(xx, yy int) float64 { return v[(yy*c.w+xx)*n+k] }
				return (at(x0, y0)*(1-fx)+at(x1, y0)*fx)*(1-fy) + (at(x0, y1)*(1-fx)+at(x1, y1)*fx)*fy
			}
			i := y*w + x
			out.a[i] = lerp(c.a, 1, 0)
			for k := range 3 {
				out.rgb[3*i+k] = lerp(c.rgb, 3, k)
			}
		}
	}
	return out
}

// backdropFunc is the backdrop's colour at (x, y) of a w×h frame.
type backdropFunc func(x, y, w, h int) [3]float64

func plainBackdrop(r, g, b float64) backdropFunc {
	return func(int, int, int, int) [3]float64 { return [3]float64{r, g, b} }
}

// sweepBackdrop is a studio sweep: lighter at the top, a vignette towards the corners.
func sweepBackdrop(r, g, b float64) backdropFunc {
	return func(x, y, w, h int) [3]float64 {
		dx, dy := float64(x)/float64(w)-0.5, float64(y)/float64(h)-0.5
		f := 1.08 - 0.22*float64(y)/float64(h) - 0.35*(dx*dx+dy*dy)
		return [3]float64{r * f, g * f, b * f}
	}
}

// diagonalBackdrop changes colour from one corner to the other, as a coloured light
// on one side does.
func diagonalBackdrop(from, to [3]float64) backdropFunc {
	return func(x, y, w, h int) [3]float64 {
		t := (float64(x)/float64(w) + float64(y)/float64(h)) / 2
		return [3]float64{from[0] + (to[0]-from[0])*t, from[1] + (to[1]-from[1])*t, from[2] + (to[2]-from[2])*t}
	}
}

// photoBackdrop is a real photograph stretched over the frame: a busy scene.
func photoBackdrop(t testing.TB, name string) backdropFunc {
	t.Helper()
	m := decodeRGBA(t, readFile(t, "testdata", name))
	b := m.Bounds()
	return func(x, y, w, h int) [3]float64 {
		c := m.RGBAAt(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h)
		return [3]float64{float64(c.R), float64(c.G), float64(c.B)}
	}
}

// scene says how to make one composite.
type scene struct {
	w, h   int
	bg     backdropFunc
	scale  float64 // of the subject
	cx, cy float64 // the subject's centre, as shares of the frame
	shadow float64 // darkening under the subject, 0..1
	noise  float64 // sensor noise sigma, levels
}

// compose draws the scene with subject c and returns it with the subject's mask (opacity
// of at least one half).
func compose(c cutout, s scene, seed uint64) (*image.RGBA, []bool) {
	c = c.scaled(s.scale)
	ox := int(s.cx*float64(s.w)) - c.w/2
	oy := int(s.cy*float64(s.h)) - c.h/2
	alpha := make([]float64, s.w*s.h)
	for y := range c.h {
		for x := range c.w {
			if fx, fy := ox+x, oy+y; fx >= 0 && fy >= 0 && fx < s.w && fy < s.h {
				alpha[fy*s.w+fx] = c.a[y*c.w+x]
			}
		}
	}
	// A soft shadow: the subject's silhouette moved down and right, blurred.
	var shade []float64
	if s.shadow > 0 {
		shift := int(0.04 * float64(c.h))
		shade = make([]float64, s.w*s.h)
		for y := range s.h {
			for x := range s.w {
				if sx, sy := x-shift/2, y-shift; sx >= 0 && sy >= 0 {
					shade[y*s.w+x] = alpha[sy*s.w+sx]
				}
			}
		}
		shade = blurField(shade, s.w, s.h, max(2, int(0.06*float64(c.h))))
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	out := image.NewRGBA(image.Rect(0, 0, s.w, s.h))
	mask := make([]bool, s.w*s.h)
	for y := range s.h {
		for x := range s.w {
			i := y*s.w + x
			bg := s.bg(x, y, s.w, s.h)
			f := 1.0
			if shade != nil {
				f = 1 - s.shadow*shade[i]
			}
			a := alpha[i]
			var px [3]float64
			for k := range 3 {
				fg := 0.0
				if cx, cy := x-ox, y-oy; cx >= 0 && cy >= 0 && cx < c.w && cy < c.h {
					fg = c.rgb[3*(cy*c.w+cx)+k]
				}
				px[k] = fg + (1-a)*bg[k]*f + rng.NormFloat64()*s.noise
			}
			out.SetRGBA(x, y, color.RGBA{clamp8(px[0]), clamp8(px[1]), clamp8(px[2]), 255})
			mask[i] = a >= 0.5
		}
	}
	return out, mask
}

// blurField box-blurs a w×h field three times with radius r (about a Gaussian).
func blurField(v []float64, w, h, r int) []float64 {
	tmp := make([]float64, len(v))
	for range 3 {
		for y := range h {
			acc := 0.0
			for x := -r; x <= r; x++ {
				acc += v[y*w+min(max(x, 0), w-1)]
			}
			for x := range w {
				tmp[y*w+x] = acc / float64(2*r+1)
				acc += v[y*w+min(x+r+1, w-1)] - v[y*w+max(x-r, 0)]
			}
		}
		for x := range w {
			acc := 0.0
			for y := -r; y <= r; y++ {
				acc += tmp[min(max(y, 0), h-1)*w+x]
			}
			for y := range h {
				v[y*w+x] = acc / float64(2*r+1)
				acc += tmp[min(y+r+1, h-1)*w+x] - tmp[max(y-r, 0)*w+x]
			}
		}
	}
	return v
}

// fullMatte loads data as Process does and returns the subject's matte at the source's
// own resolution, through the same code that renders the variants (nil when the
// subject was not separated).
func fullMatte(t testing.TB, data []byte) ([]uint8, *photo) {
	t.Helper()
	ph, err := load(data, Options{})
	require.NoError(t, err)
	if ph.enh.bd == nil {
		return nil, ph
	}
	src := wholeAt(ph.src, 8)
	W, H := ph.src.w, ph.src.h
	win := rect{0, 0, float64(W), float64(H)}
	c := rect{0, 0, float64(W) / src.sx, float64(H) / src.sy}
	y := resize(src.y, 0, 0, float64(W), float64(H), W, H, ph.cache)
	cb := resize(src.cb, c.x0, c.y0, c.x1, c.y1, (W+1)/2, (H+1)/2, ph.cache)
	cr := resize(src.cr, c.x0, c.y0, c.x1, c.y1, (W+1)/2, (H+1)/2, ph.cache)
	return ph.bd.matte(y, cb, cr, win), ph
}

// iou is the intersection over union of the matte (opacity ≥ 128) and the mask.
func iou(matte []uint8, mask []bool) float64 {
	var inter, union int
	for i, m := range mask {
		a := matte[i] >= 128
		if a && m {
			inter++
		}
		if a || m {
			union++
		}
	}
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

// toRGBA copies any image into an RGBA.
func toRGBA(m image.Image) *image.RGBA {
	out := image.NewRGBA(m.Bounds())
	draw.Draw(out, out.Bounds(), m, m.Bounds().Min, draw.Src)
	return out
}
