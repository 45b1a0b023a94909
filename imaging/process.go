package imaging

import (
	"bytes"
	"fmt"
	"image"
	"math"

	"github.com/stox-dev/stox/imaging/internal/jpegscale"
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
// Variants that come out identical (amazon and hepsiburada, whose canvases and margins
// are the same; a repeated name) share one JPEG slice, so treat it as read-only.
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
	// Analysis is measured on a reduced copy of the photo. Compliance has an entry
	// per requested marketplace variant.
	Analysis Analysis
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
	ph, err := load(data, opts)
	if err != nil {
		return Result{}, err
	}
	W, H := float64(ph.src.w), float64(ph.src.h)
	res := Result{Info: ph.info, Outputs: make([]Output, len(specs)), Analysis: ph.analysis}
	// Every layout first. All variants are drawn from one reconstruction, the one the
	// largest needs: a smaller variant from larger planes only costs a box pre-shrink,
	// far less than reconstructing a plane of its own. It is made once, over the union
	// of what the variants read, before any is resampled.
	layouts := make([]layout, len(specs))
	m := 1
	for i, v := range specs {
		layouts[i] = place(v, ph.info.Orientation, W, H, ph.subject, ph.enh.bd != nil)
		m = max(m, ph.src.scaleFor(layouts[i].scale))
	}
	for _, l := range layouts {
		ph.src.prepare(m, l.win, l.pw, l.ph)
	}
	if ph.src.coef != nil {
		ph.src.coef.Release() // every plane is made: the coefficients' memory can go
	}
	done := map[layout][]byte{}
	for i, v := range specs {
		l := layouts[i]
		jpg, ok := done[l]
		if !ok {
			canvas := render(ph.src.at(m), ph.src.factor(m), l, ph.info.Orientation, ph.cache, ph.enh)
			var buf bytes.Buffer
			buf.Grow(l.cw * l.ch / 4)
			if err := jpegscale.Encode(&buf, canvas, &jpegscale.Options{Quality: quality}); err != nil {
				return Result{}, fmt.Errorf("encode %s: %w", v.Name, err)
			}
			jpg = buf.Bytes()
			done[l] = jpg
		}
		res.Outputs[i] = Output{Variant: v.Name, Width: v.Width, Height: v.Height, JPEG: jpg}
		if v.Name != Thumbnail {
			if res.Analysis.Compliance == nil {
				res.Analysis.Compliance = map[string]Compliance{}
			}
			p := placement{enlarge: l.scale, backdrop: ph.bd.describe()}
			if !ph.subject.empty() {
				p.fill, p.fillBefore = subjectFill(v, l, ph.info.Orientation, W, H, ph.subject)
			}
			res.Analysis.Compliance[v.Name] = compliance(v, ph.info, res.Analysis, p)
		}
	}
	return res, nil
}

// photo is a decoded and analysed source, ready to render variants from.
type photo struct {
	info     Info
	src      *source
	cache    *shrinkCache
	analysis Analysis
	bd       *backdrop
	subject  rect // the subject's box in source pixels; empty when none was found
	enh      enhancement
}

// load decodes data and analyses it on a box-reduced copy whose longest side is at
// most analysisSide: a level of the same pyramid the small variants are made from. For
// a JPEG that copy comes straight from the DCT coefficients (a 3000 px photo's is the
// blocks' means, 1/8), so nothing is made at full scale before the layouts are known.
func load(data []byte, opts Options) (*photo, error) {
	info, err := Config(data, opts.MaxPixels)
	if err != nil {
		return nil, err
	}
	src, err := decodeSource(data, info.Format)
	if err != nil {
		return nil, err
	}
	ph := &photo{info: info, src: src, cache: &shrinkCache{}}
	W, H := float64(src.w), float64(src.h)
	k := 1
	for (max(src.w, src.h)+k-1)/k > analysisSide {
		k *= 2
	}
	my := max(1, 8/k) // the reconstruction nearest 1/k, the rest by box
	src.whole(0, my)
	ys := src.at(my)
	rest := int(float64(k) * src.factor(my))
	small := ycc{y: ph.cache.shrink(ys.y, rest, rest)}
	aw, ah := small.y.w, small.y.h
	// Chroma: the smallest reconstruction at least twice the size wanted, so that the
	// resampler, not the DCT reduction, makes the last 2×: the DCT's low-pass is sharper
	// than a box, and the backdrop is found on these planes as it was tuned.
	mc := my
	for mc < 8 && ys.cb.w > 1 && float64(src.at(mc).cb.w) < 2*float64(aw) {
		mc *= 2
	}
	src.whole(1, mc)
	src.whole(2, mc)
	cs, f := src.at(mc), src.factor(mc)
	small.cb = resize(cs.cb, 0, 0, W*f/cs.sx, H*f/cs.sy, aw, ah, ph.cache)
	small.cr = resize(cs.cr, 0, 0, W*f/cs.sx, H*f/cs.sy, aw, ah, ph.cache)
	var box image.Rectangle
	ph.analysis, ph.bd, box = analyze(small.y, small.cb, small.cr, float64(k))
	ph.analysis.PHash = FormatPHash(pHash(small.y, info.Orientation))
	var subjectMask []bool
	if ph.bd.separated {
		ph.enh.bd = ph.bd
		subjectMask = make([]bool, len(ph.bd.bg))
		for i, isBg := range ph.bd.bg {
			subjectMask[i] = !isBg
		}
	}
	ph.enh.lv = makeLevels(small.y, small.cb, small.cr, subjectMask, opts.WhiteBalance)
	ph.subject = rect{
		math.Min(float64(box.Min.X*k), W), math.Min(float64(box.Min.Y*k), H),
		math.Min(float64(box.Max.X*k), W), math.Min(float64(box.Max.Y*k), H),
	}
	return ph, nil
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
	before = span(s, math.Min(math.Min(cw/W, ch/H), maxEnlarge))
	return min(fill, 1), min(before, 1)
}

// enhancement is what render applies to each variant besides resizing.
type enhancement struct {
	lv levels
	bd *backdrop // nil unless the subject was separated from its backdrop
}

// rect is a window in source pixel coordinates.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) empty() bool { return r.x1 <= r.x0 || r.y1 <= r.y0 }

// layout says how one variant is drawn: which window of the source (stored
// orientation), resized to pw×ph, goes where on a cw×ch canvas (upright). Variants
// with equal layouts are identical, so they are rendered and encoded once.
type layout struct {
	win    rect
	pw, ph int     // resized window, stored orientation
	cw, ch int     // canvas, upright
	ox, oy int     // photo's top-left on the canvas, upright
	scale  float64 // output pixels per source pixel
}

// place fits the source (W×H, stored orientation) into variant v. A separated subject
// is framed: scaled so that it spans 1-2×Margin of the canvas on the side that limits
// it, and centred, the window clipped to the photo (what lies beyond is white like the
// backdrop that replaced it). Anything else is fitted whole and centred. Neither is
// enlarged more than maxEnlarge. All geometry is done in the stored orientation, with
// the canvas transposed when the orientation transposes, and the photo's offset then
// turned upright.
func place(v Variant, orientation int, W, H float64, subject rect, separated bool) layout {
	cw, ch := float64(v.Width), float64(v.Height)
	if orientation >= 5 {
		cw, ch = ch, cw
	}
	win := rect{0, 0, W, H}
	var scale, cx, cy float64
	if bw, bh := subject.x1-subject.x0, subject.y1-subject.y0; separated && bw > 0 && bh > 0 {
		fill := 1 - 2*v.Margin
		scale = math.Min(math.Min(fill*cw/bw, fill*ch/bh), maxEnlarge)
		cx, cy = (subject.x0+subject.x1)/2, (subject.y0+subject.y1)/2
		hw, hh := cw/scale/2, ch/scale/2
		win = rect{math.Max(cx-hw, 0), math.Max(cy-hh, 0), math.Min(cx+hw, W), math.Min(cy+hh, H)}
	} else {
		scale = math.Min(math.Min(cw/W, ch/H), maxEnlarge)
		cx, cy = W/2, H/2
	}
	pw := evenFit((win.x1-win.x0)*scale, int(cw))
	ph := evenFit((win.y1-win.y0)*scale, int(ch))
	// The window's point (cx, cy) lands on the canvas's centre. Even offsets and
	// sizes keep every 2×2 chroma sample wholly photo or wholly canvas, so no chroma
	// of the photo bleeds onto the white border.
	ax := evenClamp(cw/2-(cx-win.x0)*float64(pw)/(win.x1-win.x0), int(cw)-pw)
	ay := evenClamp(ch/2-(cy-win.y0)*float64(ph)/(win.y1-win.y0), int(ch)-ph)
	ox, oy := uprightOffset(orientation, int(cw), int(ch), ax, ay, pw, ph)
	return layout{
		win: win, pw: pw, ph: ph,
		cw: v.Width, ch: v.Height,
		ox: ox, oy: oy,
		scale: math.Max(float64(pw)/(win.x1-win.x0), float64(ph)/(win.y1-win.y0)),
	}
}

// evenClamp rounds v to an even number in 0..limit.
func evenClamp(v float64, limit int) int {
	n := 2 * int(math.Round(v/2))
	return max(0, min(n, limit&^1))
}

// uprightOffset turns the top-left (ax, ay) of a pw×ph photo on a cw×ch canvas in the
// stored orientation into its top-left on the upright canvas (see orient).
func uprightOffset(o, cw, ch, ax, ay, pw, ph int) (int, int) {
	switch o {
	case 2:
		return cw - ax - pw, ay
	case 3:
		return cw - ax - pw, ch - ay - ph
	case 4:
		return ax, ch - ay - ph
	case 5:
		return ay, ax
	case 6:
		return ch - ay - ph, ax
	case 7:
		return ch - ay - ph, cw - ax - pw
	case 8:
		return ay, cw - ax - pw
	}
	return ax, ay
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
// resolution, as the JPEG encoder stores it), enhanced, the subject composited on
// white when it was separated, oriented, on a white 4:2:0 canvas. src holds the photo
// at f times its size (a reduced JPEG decode); l is in full-scale source pixels.
func render(src ycc, f float64, l layout, orientation int, cache *shrinkCache, e enhancement) *image.YCbCr {
	canvas := image.NewYCbCr(image.Rect(0, 0, l.cw, l.ch), image.YCbCrSubsampleRatio420)
	cy := plane{pix: canvas.Y, w: l.cw, h: l.ch, stride: canvas.YStride}
	cw, ch := (l.cw+1)/2, (l.ch+1)/2
	ccb := plane{pix: canvas.Cb, w: cw, h: ch, stride: canvas.CStride}
	ccr := plane{pix: canvas.Cr, w: cw, h: ch, stride: canvas.CStride}
	cy.fill(255)
	ccb.fill(128)
	ccr.fill(128)

	w := l.win
	r := rect{w.x0 * f, w.y0 * f, w.x1 * f, w.y1 * f}
	c := rect{r.x0 / src.sx, r.y0 / src.sy, r.x1 / src.sx, r.y1 / src.sy}
	pcw, pch := (l.pw+1)/2, (l.ph+1)/2
	y := resize(src.y, r.x0, r.y0, r.x1, r.y1, l.pw, l.ph, cache)
	cb := resize(src.cb, c.x0, c.y0, c.x1, c.y1, pcw, pch, cache)
	cr := resize(src.cr, c.x0, c.y0, c.x1, c.y1, pcw, pch, cache)
	var alpha []uint8
	if e.bd != nil {
		// The matte is judged on the photo's own colours, before any change.
		alpha = e.bd.matte(y, cb, cr, w)
	}
	if !e.lv.identity {
		y.apply(&e.lv.y)
		cb.apply(&e.lv.cb)
		cr.apply(&e.lv.cr)
	}
	sharpen(y)
	if alpha != nil {
		e.bd.composite(y, cb, cr, alpha, w, &e.lv)
	}
	paste(cy, orient(y, orientation), l.ox, l.oy)
	paste(ccb, orient(cb, orientation), l.ox/2, l.oy/2)
	paste(ccr, orient(cr, orientation), l.ox/2, l.oy/2)
	return canvas
}
