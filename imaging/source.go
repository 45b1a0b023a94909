package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/stox-dev/stox/imaging/internal/jpegscale"
)

// maxUpsample is how much an output may be enlarged from a reduced reconstruction of a
// JPEG rather than made from the next larger one. A framed subject often needs a
// little over half (imgref's 3000 px bottle framed on Amazon's 1500 px canvas: 0.53):
// 10 % more than the half-scale planes is far below what the sharpening restores, and
// saves most of the inverse DCT and resampling work; TestReducedDecodeQuality pins the
// result against the full-scale path.
const maxUpsample = 1.1

// source is a decoded photo that hands out its planes at the scale each use needs.
// A greyscale or YCbCr JPEG is kept as DCT coefficients and reconstructed in the DCT
// domain at m/8 (m = 1, 2, 4, 6, 8): shrink-on-load. Anything else is decoded once at
// full scale, and every m gives those planes.
type source struct {
	w, h   int              // stored orientation, full scale
	coef   *jpegscale.Image // nil when full holds the decoded photo
	full   ycc
	planes map[[2]int]*scaled // component planes by (component, m)
}

// scaled is one component plane at m/8 and which of its blocks are reconstructed.
type scaled struct {
	p    plane
	done []bool // by block, row-major
}

// decodeSource decodes data (already sniffed and size-checked by Config).
func decodeSource(data []byte, format string) (*source, error) {
	if format == JPEG {
		if img, err := decodeCoefficients(data); err == nil {
			return &source{w: img.Width, h: img.Height, coef: img, planes: map[[2]int]*scaled{}}, nil
		}
		// CMYK, RGB-coded or corrupt: image/jpeg decodes it or says what is wrong.
	}
	src, err := decodePlanes(data, format)
	if err != nil {
		return nil, err
	}
	return &source{w: src.y.w, h: src.y.h, full: src}, nil
}

// decodeCoefficients runs the coefficient decoder, turning a panic (hostile bytes)
// into an error like decodePlanes does.
func decodeCoefficients(data []byte) (img *jpegscale.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode jpeg: panic %v: %w", r, ErrCorrupt)
		}
	}()
	img, err = jpegscale.Decode(bytes.NewReader(data))
	if err != nil && !errors.Is(err, jpegscale.ErrUnsupported) {
		err = fmt.Errorf("decode jpeg: %v: %w", err, ErrCorrupt)
	}
	return img, err
}

// scaleFor is the m whose m/8 planes an output of scale s (output pixels per source
// pixel) is resampled from: for small outputs the smallest that leaves the box
// pre-shrink and the filter at least a 4× reduction (the 1/8 and 1/4 reconstructions
// are coarse: a 300 px thumbnail of a 3000 px photo made from the 1/4 planes scored
// SSIM 0.968 against the stage before, from the 1/2 planes 0.99), for larger ones the
// smallest of 1/2 and 3/4 that needs at most maxUpsample, else full scale. Sources
// that are not coefficients are always full.
func (s *source) scaleFor(scale float64) int {
	switch {
	case s.coef == nil:
		return 8
	case scale <= 1.0/32:
		return 1
	case scale <= 1.0/16:
		return 2
	case scale <= 0.5*maxUpsample:
		return 4
	case scale <= 0.75*maxUpsample:
		return 6
	}
	return 8
}

// comp returns component i (0 luma, 1 Cb, 2 Cr) at scale m/8, its samples in
// [x0, x1)×[y0, y1) (the plane's coordinates) reconstructed. Samples elsewhere may be
// zero: callers ask for what their filters will read (prepare) or for everything.
func (s *source) comp(i, m int, x0, y0, x1, y1 float64) plane {
	if s.coef == nil {
		return [3]plane{s.full.y, s.full.cb, s.full.cr}[i]
	}
	if i >= len(s.coef.Comps) { // greyscale: neutral chroma
		return plane{pix: []byte{128}, w: 1, h: 1, stride: 1}
	}
	c := &s.coef.Comps[i]
	key := [2]int{i, m}
	sc := s.planes[key]
	if sc == nil {
		pix, w, h, stride := c.NewPlane(m)
		sc = &scaled{p: plane{pix: pix, w: w, h: h, stride: stride}, done: make([]bool, c.BlocksW()*c.BlocksH())}
		s.planes[key] = sc
	}
	// Blocks of m×m samples, clipped to the plane (before converting: the bounds may be
	// infinite); each run of blocks not yet made is made at once.
	bm := float64(m)
	bw, bh := float64(c.BlocksW()), float64(c.BlocksH())
	r := image.Rect(
		int(clampF(math.Floor(x0/bm), 0, bw)), int(clampF(math.Floor(y0/bm), 0, bh)),
		int(clampF(math.Ceil(x1/bm), 0, bw)), int(clampF(math.Ceil(y1/bm), 0, bh)))
	for by := r.Min.Y; by < r.Max.Y; by++ {
		row := sc.done[by*c.BlocksW():][:c.BlocksW()]
		for bx := r.Min.X; bx < r.Max.X; {
			if row[bx] {
				bx++
				continue
			}
			end := bx
			for end < r.Max.X && !row[end] {
				row[end] = true
				end++
			}
			c.Reconstruct(sc.p.pix, sc.p.stride, m, image.Rect(bx, by, end, by+1))
			bx = end
		}
	}
	return sc.p
}

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// whole returns component i at m/8, all of it reconstructed.
func (s *source) whole(i, m int) plane {
	inf := math.Inf(1)
	return s.comp(i, m, math.Inf(-1), math.Inf(-1), inf, inf)
}

// prepare reconstructs what rendering the window win (full-scale source pixels) to
// pw×ph from the m/8 planes reads: the window and the resampler's reach beyond it
// (its kernel, 2 taps each side at its reduction, and the box pre-shrink's cells).
func (s *source) prepare(m int, win rect, pw, ph int) {
	if s.coef == nil {
		return
	}
	f := s.factor(m)
	for i := range s.coef.Comps {
		c := s.coef.Comps[i]
		sx, sy := float64(c.HMax/c.H), float64(c.VMax/c.V)
		ow, oh := float64(pw), float64(ph)
		if i > 0 {
			ow, oh = float64((pw+1)/2), float64((ph+1)/2)
		}
		x0, x1 := win.x0*f/sx, win.x1*f/sx
		y0, y1 := win.y0*f/sy, win.y1*f/sy
		mx := 3*math.Max((x1-x0)/ow, 1) + 2
		my := 3*math.Max((y1-y0)/oh, 1) + 2
		s.comp(i, m, x0-mx, y0-my, x1+mx, y1+my)
	}
}

// at returns the photo's planes at scale m/8 (full scale for a source that is not
// coefficients), reconstructed where prepare or whole asked for. Luma and chroma keep
// the source's subsampling, so sx and sy, which are ratios, do not change with m.
func (s *source) at(m int) ycc {
	if s.coef == nil {
		return s.full
	}
	y := s.comp(0, m, 0, 0, 0, 0)
	if len(s.coef.Comps) == 1 {
		return grey(y)
	}
	c := s.coef.Comps[1]
	return ycc{
		y: y, cb: s.comp(1, m, 0, 0, 0, 0), cr: s.comp(2, m, 0, 0, 0, 0),
		sx: float64(c.HMax / c.H), sy: float64(c.VMax / c.V),
	}
}

// factor is the scale of the planes at(m) relative to the full-scale source.
func (s *source) factor(m int) float64 {
	if s.coef == nil {
		return 1
	}
	return float64(m) / 8
}
