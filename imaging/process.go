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
	// WhiteBalance turns on grey-world white balance: the photo's mean chroma is
	// made neutral. Off by default, since product colours are often not grey on
	// average.
	WhiteBalance bool
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
	// caller to set. Compliance has an entry per requested marketplace variant.
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
	analysis, box, white := analyze(small.y, small.cb, small.cr)
	analysis.PHash = FormatPHash(pHash(small.y, info.Orientation))
	enh := enhancement{lv: makeLevels(small.y, small.cb, small.cr, opts.WhiteBalance)}
	if analysis.Background >= whiteBorder {
		enh.bg = findBackground(white, aw, ah, float64(k))
	}
	subject := rect{
		math.Min(float64(box.Min.X*k), W), math.Min(float64(box.Min.Y*k), H),
		math.Min(float64(box.Max.X*k), W), math.Min(float64(box.Max.Y*k), H),
	}
	whiteBackground := !box.Empty() && analysis.Background >= 0.5

	res := Result{Info: info, Outputs: make([]Output, len(specs)), Analysis: analysis}
	type rendered struct {
		jpg      []byte
		whitened bool
	}
	done := map[layout]rendered{}
	for i, v := range specs {
		l := place(v, info.Orientation, W, H, subject, whiteBackground)
		r, ok := done[l]
		if !ok {
			canvas, whitened := render(src, l, info.Orientation, cache, enh)
			var buf bytes.Buffer
			buf.Grow(l.cw * l.ch / 4)
			if err := jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: quality}); err != nil {
				return Result{}, fmt.Errorf("encode %s: %w", v.Name, err)
			}
			r = rendered{jpg: buf.Bytes(), whitened: whitened}
			done[l] = r
		}
		res.Outputs[i] = Output{Variant: v.Name, Width: v.Width, Height: v.Height, JPEG: r.jpg}
		if v.Name != Thumbnail {
			if res.Analysis.Compliance == nil {
				res.Analysis.Compliance = map[string]messages.PhotoCompliance{}
			}
			p := placement{whitened: r.whitened}
			if !box.Empty() {
				p.fill, p.fillBefore = subjectFill(v, l, info.Orientation, W, H, subject)
			}
			res.Analysis.Compliance[v.Name] = compliance(v, info, res.Analysis, p)
		}
	}
	return res, nil
}

// subjectFill returns the share of the canvas's longest side the subject spans in
// layout l, and what it would span with the whole photo fitted (no crop).
func subjectFill(v Variant, l layout, orientation int, W, H float64, s rect) (fill, before float64) {
	cw, ch := float64(v.Width), float64(v.Height)
	if orientation >= 5 {
		cw, ch = ch, cw
	}
	span := func(s rect, scale float64) float64 {
		return math.Max((s.x1-s.x0)*scale/cw, (s.y1-s.y0)*scale/ch)
	}
	w := l.win
	in := rect{math.Max(s.x0, w.x0), math.Max(s.y0, w.y0), math.Min(s.x1, w.x1), math.Min(s.y1, w.y1)}
	fill = span(in, float64(l.pw)/(w.x1-w.x0))
	before = span(s, math.Min(cw/W, ch/H))
	return min(fill, 1), min(before, 1)
}

// enhancement is what render applies to each variant besides resizing.
type enhancement struct {
	lv levels
	bg background
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
	if v.Margin > 0 && whiteBackground {
		win, scale = recentre(win, scale, subject, cw, ch, v.Margin)
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

// recentre narrows window win symmetrically about the subject's centre, so that the
// subject lands in the middle of the canvas (the rest of the canvas is white, like the
// background it replaces), and lowers scale when the subject would come closer than
// margin to the canvas's edges. A subject that touches the window's edge is cut by
// the frame, and moving it would show the cut on white, so it is left as it is.
func recentre(win rect, scale float64, s rect, cw, ch, margin float64) (rect, float64) {
	if s.x0 <= win.x0 || s.y0 <= win.y0 || s.x1 >= win.x1 || s.y1 >= win.y1 {
		return win, scale
	}
	cx, cy := (s.x0+s.x1)/2, (s.y0+s.y1)/2
	hx := math.Min(cx-win.x0, win.x1-cx)
	hy := math.Min(cy-win.y0, win.y1-cy)
	if hx <= 0 || hy <= 0 {
		return win, scale
	}
	span := math.Max((s.x1-s.x0)*scale/cw, (s.y1-s.y0)*scale/ch)
	if limit := 1 - 2*margin; span > limit {
		scale *= limit / span
	}
	return rect{cx - hx, cy - hy, cx + hx, cy + hy}, scale
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
// resolution, as the JPEG encoder stores it), enhanced, oriented, on a white 4:2:0
// canvas. It reports whether any background pixel was made white.
func render(src ycc, l layout, orientation int, cache *shrinkCache, e enhancement) (*image.YCbCr, bool) {
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
	y := resize(src.y, w.x0, w.y0, w.x1, w.y1, l.pw, l.ph, cache)
	cb := resize(src.cb, c.x0, c.y0, c.x1, c.y1, pcw, pch, cache)
	cr := resize(src.cr, c.x0, c.y0, c.x1, c.y1, pcw, pch, cache)
	if !e.lv.identity {
		y.apply(&e.lv.y)
		cb.apply(&e.lv.cb)
		cr.apply(&e.lv.cr)
	}
	sharpen(y)
	n := e.bg.whiten(y, 255, w) + e.bg.whiten(cb, 128, w) + e.bg.whiten(cr, 128, w)
	paste(cy, orient(y, orientation), l.ox, l.oy)
	paste(ccb, orient(cb, orientation), l.ox/2, l.oy/2)
	paste(ccr, orient(cr, orientation), l.ox/2, l.oy/2)
	return canvas, n > 0
}
