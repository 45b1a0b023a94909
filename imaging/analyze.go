package imaging

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
)

// analysisSide bounds the longest side of the reduced image the analysis runs on:
// a power-of-two box reduction brings it between half of this and this.
const analysisSide = 512

// nearWhite is the least value of every RGB channel for a pixel to count as white
// background: JPEG noise on a white sweep stays well above it, light products below.
const nearWhite = 240

// whiteBorder is the least share of near-white border pixels for the backdrop to count
// as white rather than coloured.
const whiteBorder = 0.9

// minColorShare drops dominant colours that cover less than this share of the subject.
const minColorShare = 0.05

// paletteColor is one named colour of the palette dominant colours are mapped to.
type paletteColor struct {
	en, tr  string
	r, g, b uint8
	lab     [3]float64
}

// palette is small on purpose: these names end up in listing texts and filters, where
// "navy" helps and "#1d2a5c" does not.
var palette = func() []paletteColor {
	p := []paletteColor{
		{en: "black", tr: "siyah", r: 20, g: 20, b: 20},
		{en: "white", tr: "beyaz", r: 250, g: 250, b: 250},
		{en: "gray", tr: "gri", r: 128, g: 128, b: 128},
		{en: "silver", tr: "gümüş", r: 192, g: 192, b: 192},
		{en: "red", tr: "kırmızı", r: 200, g: 30, b: 30},
		{en: "burgundy", tr: "bordo", r: 110, g: 20, b: 40},
		{en: "orange", tr: "turuncu", r: 240, g: 130, b: 30},
		{en: "yellow", tr: "sarı", r: 240, g: 210, b: 40},
		{en: "beige", tr: "bej", r: 225, g: 205, b: 165},
		{en: "brown", tr: "kahverengi", r: 120, g: 75, b: 40},
		{en: "green", tr: "yeşil", r: 40, g: 150, b: 60},
		{en: "khaki", tr: "haki", r: 120, g: 120, b: 60},
		{en: "turquoise", tr: "turkuaz", r: 40, g: 190, b: 190},
		{en: "blue", tr: "mavi", r: 40, g: 90, b: 200},
		{en: "navy", tr: "lacivert", r: 20, g: 30, b: 120},
		{en: "purple", tr: "mor", r: 120, g: 50, b: 150},
		{en: "pink", tr: "pembe", r: 240, g: 140, b: 180},
	}
	for i := range p {
		p[i].lab = lab(p[i].r, p[i].g, p[i].b)
	}
	return p
}()

// lab converts sRGB to CIE L*a*b* (D65).
func lab(r, g, b uint8) [3]float64 {
	lin := func(c uint8) float64 {
		v := float64(c) / 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	R, G, B := lin(r), lin(g), lin(b)
	x := (0.4124*R + 0.3576*G + 0.1805*B) / 0.95047
	y := 0.2126*R + 0.7152*G + 0.0722*B
	z := (0.0193*R + 0.1192*G + 0.9505*B) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// nearestPalette returns the index of the palette colour closest to (r, g, b) in Lab.
func nearestPalette(r, g, b uint8) int {
	l := lab(r, g, b)
	best, bestD := 0, math.Inf(1)
	for i, p := range palette {
		d := (l[0]-p.lab[0])*(l[0]-p.lab[0]) + (l[1]-p.lab[1])*(l[1]-p.lab[1]) + (l[2]-p.lab[2])*(l[2]-p.lab[2])
		if d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// analyze measures a reduced 4:4:4 image of k source pixels per pixel. Every measure
// is invariant under the EXIF orientations, so it runs on the stored orientation. It
// also returns the backdrop it found and the subject's bounding box in the reduced
// image's coordinates: the whole frame for a busy scene, empty when there is no subject
// on a backdrop (a blank sheet, an empty wall).
func analyze(y, cb, cr plane, k float64) (Analysis, *backdrop, image.Rectangle) {
	w, h := y.w, y.h
	rgb := make([]byte, 3*w*h)
	white := make([]bool, w*h)
	var lumaSum float64
	for j := range h {
		yr, cbr, crr := y.row(j), cb.row(j), cr.row(j)
		for i, yv := range yr {
			r, g, b := color.YCbCrToRGB(yv, cbr[i], crr[i])
			k := j*w + i
			rgb[3*k], rgb[3*k+1], rgb[3*k+2] = r, g, b
			white[k] = min(r, g, b) >= nearWhite
			lumaSum += float64(yv)
		}
	}
	a := Analysis{
		Sharpness:  laplacianVariance(y),
		Brightness: lumaSum / float64(w*h),
	}

	// Background: the share of near-white pixels in a border ring about 2 % thick.
	t := max(1, min(w, h)/50)
	var ring, ringWhite int
	for j := range h {
		for i := range w {
			if i >= t && i < w-t && j >= t && j < h-t {
				continue
			}
			ring++
			if white[j*w+i] {
				ringWhite++
			}
		}
	}
	a.Background = float64(ringWhite) / float64(ring)

	bd := findBackdrop(y, cb, cr, k, a.Background >= whiteBorder)
	a.Backdrop, a.Separated = bd.kind, bd.separated
	var subject, core []bool // the subject, and its pixels clear of the edge
	box := image.Rect(0, 0, w, h)
	switch {
	case bd.separated:
		subject, core = make([]bool, w*h), make([]bool, w*h)
		box = image.Rectangle{Min: image.Pt(w, h)}
		for p, isBg := range bd.bg {
			if isBg {
				continue
			}
			subject[p] = true
			core[p] = !bd.rim[p]
			px, py := p%w, p/w
			box.Min.X, box.Min.Y = min(box.Min.X, px), min(box.Min.Y, py)
			box.Max.X, box.Max.Y = max(box.Max.X, px+1), max(box.Max.Y, py+1)
		}
	case bd.kind != BackdropBusy:
		box = image.Rectangle{}
	}
	a.Fill = float64(box.Dx()*box.Dy()) / float64(w*h)

	// Dominant colours: of the subject alone when it was separated (its edge pixels
	// mix in the backdrop, so they are left out), else of the whole frame, which is
	// then what the shopper sees.
	if subject != nil {
		a.Colors = dominantColors(rgb, core)
		if len(a.Colors) == 0 {
			a.Colors = dominantColors(rgb, subject)
		}
		a.SubjectColors = a.Colors
	} else {
		a.Colors = dominantColors(rgb, nil)
	}
	a.Exposure = exposure(y, subject)
	return a, bd, box
}

// Exposure thresholds on the subject's mean luma.
const (
	underExposed = 70
	overExposed  = 200
)

// exposure judges the mean luma of the subject's pixels (all of them when subject is
// nil or covers almost nothing) as under, ok or over.
func exposure(y plane, subject []bool) string {
	var sum, n int
	for j := range y.h {
		for i, v := range y.row(j) {
			if subject != nil && !subject[j*y.w+i] {
				continue
			}
			sum += int(v)
			n++
		}
	}
	if subject != nil && n < y.w*y.h/100 {
		return exposure(y, nil)
	}
	switch m := float64(sum) / float64(n); {
	case m < underExposed:
		return "under"
	case m > overExposed:
		return "over"
	}
	return "ok"
}

// dominantColors maps the pixels include marks (every pixel when it is nil) to the
// palette (through a 15-bit colour cache) and returns up to 3 palette colours covering
// at least minColorShare of them, each with the mean colour of its pixels as hex.
func dominantColors(rgb []byte, include []bool) []Color {
	var cache [1 << 15]int8
	type acc struct {
		n          int
		r, g, b, i int
	}
	accs := make([]acc, len(palette))
	total := 0
	for k := range len(rgb) / 3 {
		if include != nil && !include[k] {
			continue
		}
		r, g, b := rgb[3*k], rgb[3*k+1], rgb[3*k+2]
		key := int(r>>3)<<10 | int(g>>3)<<5 | int(b>>3)
		p := int(cache[key]) - 1
		if p < 0 {
			// Classify the centre of the 8×8×8 cell, once.
			p = nearestPalette(r&^7|4, g&^7|4, b&^7|4)
			cache[key] = int8(p + 1)
		}
		c := &accs[p]
		c.n++
		c.r, c.g, c.b = c.r+int(r), c.g+int(g), c.b+int(b)
		total++
	}
	if total == 0 {
		return nil
	}
	for i := range accs {
		accs[i].i = i
	}
	slices.SortStableFunc(accs, func(x, y acc) int { return cmp.Compare(y.n, x.n) })
	var out []Color
	for _, c := range accs[:3] {
		share := float64(c.n) / float64(total)
		if c.n == 0 || share < minColorShare {
			break
		}
		p := palette[c.i]
		out = append(out, Color{
			Hex:   fmt.Sprintf("#%02x%02x%02x", (c.r+c.n/2)/c.n, (c.g+c.n/2)/c.n, (c.b+c.n/2)/c.n),
			EN:    p.en,
			TR:    p.tr,
			Share: math.Round(share*1000) / 1000,
		})
	}
	return out
}

// laplacianVariance is the variance of the 4-neighbour Laplacian of luma over the
// interior: low for a blurred photo, high for a sharp one.
func laplacianVariance(p plane) float64 {
	if p.w < 3 || p.h < 3 {
		return 0
	}
	var sum, sq float64
	for j := 1; j < p.h-1; j++ {
		up, mid, down := p.row(j-1), p.row(j), p.row(j+1)
		var s, q int64
		for i := 1; i < p.w-1; i++ {
			l := int64(up[i]) + int64(down[i]) + int64(mid[i-1]) + int64(mid[i+1]) - 4*int64(mid[i])
			s += l
			q += l * l
		}
		sum += float64(s)
		sq += float64(q)
	}
	n := float64((p.w - 2) * (p.h - 2))
	mean := sum / n
	return sq/n - mean*mean
}
