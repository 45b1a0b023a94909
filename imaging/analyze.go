package imaging

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"

	"github.com/stox-dev/stox/messages"
)

// analysisSide bounds the longest side of the reduced image the analysis runs on:
// a power-of-two box reduction brings it between half of this and this.
const analysisSide = 512

// nearWhite is the least value of every RGB channel for a pixel to count as white
// background: JPEG noise on a white sweep stays well above it, light products below.
const nearWhite = 240

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

// analyze measures a reduced 4:4:4 image. Every measure is invariant under the EXIF
// orientations, so it runs on the stored orientation. It also returns the subject's
// bounding box (pixels that are not near white) in the reduced image's coordinates;
// the box is empty when the image is all white. The last result marks the near-white
// pixels.
func analyze(y, cb, cr plane) (messages.Analysis, image.Rectangle, []bool) {
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
	a := messages.Analysis{
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

	// Subject box: rows and columns with a few non-white pixels, so that single noisy
	// pixels in the background do not stretch it.
	rows, cols := make([]int, h), make([]int, w)
	for j := range h {
		for i := range w {
			if !white[j*w+i] {
				rows[j]++
				cols[i]++
			}
		}
	}
	box := image.Rectangle{
		Min: image.Pt(firstOver(cols, max(1, h/200)), firstOver(rows, max(1, w/200))),
		Max: image.Pt(lastOver(cols, max(1, h/200))+1, lastOver(rows, max(1, w/200))+1),
	}
	if box.Min.X < 0 || box.Min.Y < 0 {
		box = image.Rectangle{}
	}
	a.Fill = float64(box.Dx()*box.Dy()) / float64(w*h)

	// Dominant colours of the subject: on a white background the background is left
	// out, otherwise it is part of what the shopper sees.
	skipWhite := a.Background >= 0.5
	a.Colors = dominantColors(rgb, white, skipWhite)
	if len(a.Colors) == 0 {
		a.Colors = dominantColors(rgb, white, false)
	}
	a.Exposure = exposure(y, white, skipWhite)
	return a, box, white
}

// Exposure thresholds on the subject's mean luma.
const (
	underExposed = 70
	overExposed  = 200
)

// exposure judges the mean luma of the subject (the pixels that are not near white
// when the background is white, else the whole frame) as under, ok or over.
func exposure(y plane, white []bool, skipWhite bool) string {
	var sum, n int
	for j := range y.h {
		for i, v := range y.row(j) {
			if skipWhite && white[j*y.w+i] {
				continue
			}
			sum += int(v)
			n++
		}
	}
	if skipWhite && (n == 0 || n < len(white)/100) { // almost all white: judge the whole frame
		return exposure(y, white, false)
	}
	switch m := float64(sum) / float64(n); {
	case m < underExposed:
		return "under"
	case m > overExposed:
		return "over"
	}
	return "ok"
}

func firstOver(n []int, t int) int {
	for i, v := range n {
		if v >= t {
			return i
		}
	}
	return -1
}

func lastOver(n []int, t int) int {
	for i := len(n) - 1; i >= 0; i-- {
		if n[i] >= t {
			return i
		}
	}
	return -1
}

// dominantColors maps pixels to the palette (through a 15-bit colour cache) and
// returns up to 3 palette colours covering at least minColorShare, each with the mean
// colour of its pixels as hex.
func dominantColors(rgb []byte, white []bool, skipWhite bool) []messages.Color {
	var cache [1 << 15]int8
	type acc struct {
		n          int
		r, g, b, i int
	}
	accs := make([]acc, len(palette))
	total := 0
	for k := range white {
		if skipWhite && white[k] {
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
	var out []messages.Color
	for _, c := range accs[:3] {
		share := float64(c.n) / float64(total)
		if c.n == 0 || share < minColorShare {
			break
		}
		p := palette[c.i]
		out = append(out, messages.Color{
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
