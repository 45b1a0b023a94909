package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"github.com/stox-dev/stox/messages"
)

// DefaultQuality is the JPEG quality of generated variants.
const DefaultQuality = 85

// Options tune Process. The zero value is ready to use.
type Options struct {
	// MaxPixels refuses larger sources with ErrTooLarge; <= 0 means DefaultMaxPixels.
	MaxPixels int
	// Quality is the JPEG quality 1..100 of the variants; 0 means DefaultQuality.
	Quality int
}

// Output is one generated variant: a baseline JPEG of exactly the variant's size.
// Variants that come out identical (amazon and hepsiburada when no crop applies, a
// repeated name) share one JPEG slice, so treat it as read-only.
type Output struct {
	Variant       string
	Width, Height int
	JPEG          []byte
}

// Result is what Process made of one photo.
type Result struct {
	// Info describes the source photo (upright size).
	Info Info
	// Outputs holds one entry per requested variant, in request order.
	Outputs []Output
	// Analysis is measured on a reduced copy of the photo; Photo is left 0 for the
	// caller to set.
	Analysis messages.Analysis
}

// Process decodes a photo once and makes the named variants and the analysis. Bad
// input yields errors wrapping ErrUnsupported, ErrTooLarge, ErrCorrupt or
// ErrUnknownVariant; the same bytes always give the same outputs.
func Process(data []byte, names []string, opts Options) (Result, error) {
	quality := opts.Quality
	if quality == 0 {
		quality = DefaultQuality
	}
	if quality < 1 || quality > 100 {
		return Result{}, fmt.Errorf("jpeg quality %d is outside 1..100", quality)
	}
	specs := make([]Variant, len(names))
	for i, n := range names {
		v, err := LookupVariant(n)
		if err != nil {
			return Result{}, err
		}
		specs[i] = v
	}
	info, err := Config(data, opts.MaxPixels)
	if err != nil {
		return Result{}, err
	}
	src, err := decodePlanes(data, info.Format)
	if err != nil {
		return Result{}, err
	}

	cache := &shrinkCache{}
	W, H := float64(src.y.w), float64(src.y.h)

	// Analysis, on a box-reduced copy whose longest side is at most analysisSide:
	// a level of the same pyramid the small variants are made from.
	k := 1
	for (max(src.y.w, src.y.h)+k-1)/k > analysisSide {
		k *= 2
	}
	small := ycc{y: cache.shrink(src.y, k, k)}
	aw, ah := small.y.w, small.y.h
	small.cb = resize(src.cb, 0, 0, W/src.sx, H/src.sy, aw, ah, cache)
	small.cr = resize(src.cr, 0, 0, W/src.sx, H/src.sy, aw, ah, cache)
	analysis, box := analyze(small.y, small.cb, small.cr)
	subject := rect{
		math.Min(float64(box.Min.X*k), W), math.Min(float64(box.Min.Y*k), H),
		math.Min(float64(box.Max.X*k), W), math.Min(float64(box.Max.Y*k), H),
	}
	whiteBackground := !box.Empty() && analysis.Background >= 0.5

	res := Result{Info: info, Outputs: make([]Output, len(specs)), Analysis: analysis}
	done := map[layout][]byte{}
	for i, v := range specs {
		l := place(v, info.Orientation, W, H, subject, whiteBackground)
		jpg, ok := done[l]
		if !ok {
			canvas := render(src, l, info.Orientation, cache)
			var buf bytes.Buffer
			buf.Grow(l.cw * l.ch / 4)
			if err := jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: quality}); err != nil {
				return Result{}, fmt.Errorf("encode %s: %w", v.Name, err)
			}
			jpg = buf.Bytes()
			done[l] = jpg
		}
		res.Outputs[i] = Output{Variant: v.Name, Width: v.Width, Height: v.Height, JPEG: jpg}
	}
	return res, nil
}

// rect is a window in source pixel coordinates.
type rect struct{ x0, y0, x1, y1 float64 }

// layout says how one variant is drawn: which window of the source (stored
// orientation), resized to pw×ph, goes where on a cw×ch canvas (upright). Variants
// with equal layouts are identical, so they are rendered and encoded once.
type layout struct {
	win    rect
	pw, ph int // resized window, stored orientation
	cw, ch int // canvas, upright
	ox, oy int // photo's top-left on the canvas, upright
}

// place fits the source (W×H, stored orientation) into variant v. All geometry is
// done in the stored orientation, with the canvas transposed when the orientation
// transposes: fitting, centring and clamping commute with the 8 orientations.
func place(v Variant, orientation int, W, H float64, subject rect, whiteBackground bool) layout {
	cw, ch := float64(v.Width), float64(v.Height)
	if orientation >= 5 {
		cw, ch = ch, cw
	}
	win := rect{0, 0, W, H}
	scale := math.Min(cw/W, ch/H)
	if v.MinFill > 0 && whiteBackground {
		bw, bh := subject.x1-subject.x0, subject.y1-subject.y0
		if math.Max(bw*scale/cw, bh*scale/ch) < v.MinFill {
			target := (v.MinFill + 1) / 2
			zoom := math.Min(target/math.Max(bw/cw, bh/ch), math.Max(scale, 1))
			if zoom > scale {
				ww, wh := math.Min(cw/zoom, W), math.Min(ch/zoom, H)
				cx, cy := (subject.x0+subject.x1)/2, (subject.y0+subject.y1)/2
				x0 := math.Min(math.Max(cx-ww/2, 0), W-ww)
				y0 := math.Min(math.Max(cy-wh/2, 0), H-wh)
				win = rect{x0, y0, x0 + ww, y0 + wh}
				scale = math.Min(cw/ww, ch/wh)
			}
		}
	}
	pw := evenFit((win.x1-win.x0)*scale, int(cw))
	ph := evenFit((win.y1-win.y0)*scale, int(ch))
	uw, uh := pw, ph
	if orientation >= 5 {
		uw, uh = ph, pw
	}
	// Even offsets and sizes keep every 2×2 chroma sample wholly photo or wholly
	// canvas, so no chroma of the photo bleeds onto the white border.
	return layout{
		win: win, pw: pw, ph: ph,
		cw: v.Width, ch: v.Height,
		ox: ((v.Width - uw) / 2) &^ 1, oy: ((v.Height - uh) / 2) &^ 1,
	}
}

// evenFit rounds v to an even size of at most limit (and at least 1).
func evenFit(v float64, limit int) int {
	n := 2 * int(math.Round(v/2))
	if n > limit {
		n = limit &^ 1
	}
	return max(n, min(2, limit), 1)
}

// render draws layout l: the window resized (luma at full and chroma at half
// resolution, as the JPEG encoder stores it), oriented, on a white 4:2:0 canvas.
func render(src ycc, l layout, orientation int, cache *shrinkCache) *image.YCbCr {
	canvas := image.NewYCbCr(image.Rect(0, 0, l.cw, l.ch), image.YCbCrSubsampleRatio420)
	cy := plane{pix: canvas.Y, w: l.cw, h: l.ch, stride: canvas.YStride}
	cw, ch := (l.cw+1)/2, (l.ch+1)/2
	ccb := plane{pix: canvas.Cb, w: cw, h: ch, stride: canvas.CStride}
	ccr := plane{pix: canvas.Cr, w: cw, h: ch, stride: canvas.CStride}
	cy.fill(255)
	ccb.fill(128)
	ccr.fill(128)

	w := l.win
	c := rect{w.x0 / src.sx, w.y0 / src.sy, w.x1 / src.sx, w.y1 / src.sy}
	pcw, pch := (l.pw+1)/2, (l.ph+1)/2
	y := orient(resize(src.y, w.x0, w.y0, w.x1, w.y1, l.pw, l.ph, cache), orientation)
	cb := orient(resize(src.cb, c.x0, c.y0, c.x1, c.y1, pcw, pch, cache), orientation)
	cr := orient(resize(src.cr, c.x0, c.y0, c.x1, c.y1, pcw, pch, cache), orientation)
	paste(cy, y, l.ox, l.oy)
	paste(ccb, cb, l.ox/2, l.oy/2)
	paste(ccr, cr, l.ox/2, l.oy/2)
	return canvas
}
