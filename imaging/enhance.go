package imaging

import "math"

// The enhancement steps of the image stage. Every measure is taken once on the reduced
// analysis image; the steps then run on each variant's output-size planes only, never
// at full resolution:
//
//  1. tone: one curve on luma only, chroma kept, so that a product's hue and
//     saturation survive. A percentile stretch (imgref's speed workload) would take a
//     terracotta on beige to maroon: it moves every mid-tone, and scaling chroma with
//     luma saturates them. This curve leaves the mid-tones where they are. It clips a
//     slight haze, the subject's darkest (lightest) half percent when that is already
//     within maxClip levels of black (white), easing in over three times that
//     distance; and it lifts, with a gamma, only a photo that is dark as a whole, with
//     no highlights and some spread, which a dark product on a light backdrop, a
//     black-velvet jewellery shot or a close-up of one colour are not. When asked it
//     also shifts chroma so that the mean is neutral (grey-world white balance);
//  2. sharpen: an unsharp mask of sigma ≈ 0.8 on luma, shaped like libvips' sharpen
//     (small differences left alone, the rest amplified and capped);
//  3. backdrop: see backdrop.go.

const (
	// maxClip is the furthest from black (white) the subject's darkest (lightest)
	// tones may be for the curve to clip them: further, they are its colour.
	maxClip = 24
	// A frame whose median luma is below darkFrame, whose lightest half percent is
	// below dimHighlights and whose tones spread over at least minSpread levels is
	// under-exposed; the lift puts its median at liftTarget, with a gamma of at least
	// minGamma.
	darkFrame     = 70
	dimHighlights = 170
	minSpread     = 32
	liftTarget    = 96
	minGamma      = 0.6
)

// levels is the per-plane lookup tables of the tone and colour correction.
type levels struct {
	y, cb, cr [256]byte
	identity  bool
}

// makeLevels builds the tables from the reduced image's planes. subject marks the
// pixels the black and white points are measured on (nil: all of them).
func makeLevels(y, cb, cr plane, subject []bool, whiteBalance bool) levels {
	var all, sub [256]int
	for j := range y.h {
		for i, v := range y.row(j) {
			all[v]++
			if subject == nil || subject[j*y.w+i] {
				sub[v]++
			}
		}
	}
	var black, white float64
	if lo := percentile(&sub, 0.005); lo <= maxClip {
		black = float64(lo)
	}
	if hi := percentile(&sub, 0.995); hi >= 255-maxClip {
		white = float64(255 - hi)
	}
	gamma := 1.0
	lo, med, hi := percentile(&all, 0.005), percentile(&all, 0.5), percentile(&all, 0.995)
	if med < darkFrame && hi < dimHighlights && hi-lo >= minSpread {
		gamma = max(minGamma, math.Log(liftTarget/255.0)/math.Log(max(float64(med), 1)/255))
	}
	var dcb, dcr float64
	if whiteBalance {
		dcb, dcr = 128-meanOf(cb), 128-meanOf(cr)
	}
	l := levels{identity: true}
	for i := range 256 {
		x := float64(i)
		v := x - black*ease(x, black, 3*black) + white*ease(255-x, white, 3*white)
		if gamma != 1 {
			v = 255 * math.Pow(max(v, 0)/255, gamma)
		}
		l.y[i] = clampRound(v)
		l.cb[i] = clampRound(x + dcb)
		l.cr[i] = clampRound(x + dcr)
		l.identity = l.identity && l.y[i] == byte(i) && l.cb[i] == byte(i) && l.cr[i] == byte(i)
	}
	return l
}

// ease is 1 up to a, falls smoothly to 0 at b and stays 0 beyond: the share of a
// clip applied at distance x from the end of the scale. Its slope is never positive,
// so the curve it shapes keeps the order of tones.
func ease(x, a, b float64) float64 {
	switch {
	case b <= a || x >= b:
		return 0
	case x <= a:
		return 1
	}
	t := (b - x) / (b - a)
	return t * t
}

// percentile is the least value at or below which share q of hist lies.
func percentile(hist *[256]int, q float64) int {
	total := 0
	for _, v := range hist {
		total += v
	}
	if total == 0 {
		return 128
	}
	acc := 0
	for i, v := range hist {
		if acc += v; float64(acc) >= q*float64(total) && acc > 0 {
			return i
		}
	}
	return 255
}

func meanOf(p plane) float64 {
	var s int
	for j := range p.h {
		for _, v := range p.row(j) {
			s += int(v)
		}
	}
	return float64(s) / float64(p.w*p.h)
}

func clampRound(v float64) byte {
	return byte(math.Max(0, math.Min(255, math.Round(v))))
}

// apply maps p through lut in place.
func (p plane) apply(lut *[256]byte) {
	for j := range p.h {
		r := p.row(j)
		for i, v := range r {
			r[i] = lut[v]
		}
	}
}

// sharpenCurve maps the difference of a luma sample and its blur to the change made
// to the sample: libvips sharpen's shape with x1 = 2, m1 = 0, m2 = 3 and its caps of
// 10 (brightening) and 20 (darkening) L* units, in luma steps.
var sharpenCurve = func() [511]int16 {
	const flat, slope, up, down = 5, 3, 25, 51
	var c [511]int16
	for d := -255; d <= 255; d++ {
		var v int
		switch {
		case d > flat:
			v = min(slope*(d-flat), up)
		case d < -flat:
			v = max(slope*(d+flat), -down)
		}
		c[d+255] = int16(v)
	}
	return c
}()

// sharpen applies the unsharp mask to p in place. The blur is the separable 5-tap
// integer Gaussian (6, 58, 128, 58, 6)/256, sigma ≈ 0.8, edges clamped. The passes are
// fused: the horizontal pass of each row goes into a ring of five rows just before the
// vertical pass needs it (and before that row is overwritten), so the blur never
// holds more than five rows.
func sharpen(p plane) {
	w, h := p.w, p.h
	if w < 3 || h < 3 {
		return
	}
	var ring [5][]int32 // horizontal pass ×256 of rows j-2 … j+2, by row mod 5
	for k := range ring {
		ring[k] = make([]int32, w)
	}
	hrow := func(j int) []int32 { return ring[(min(max(j, 0), h-1)+5)%5] }
	hpassRow := func(j int) {
		r, t := p.row(j), ring[j%5][:w]
		edge := func(i int) {
			a, b := r[max(i-2, 0)], r[max(i-1, 0)]
			c, d := r[min(i+1, w-1)], r[min(i+2, w-1)]
			t[i] = 6*(int32(a)+int32(d)) + 58*(int32(b)+int32(c)) + 128*int32(r[i])
		}
		edge(0)
		edge(1)
		for i := 2; i < w-2; i++ { // the interior, without clamping
			s := r[i-2 : i+3]
			t[i] = 6*(int32(s[0])+int32(s[4])) + 58*(int32(s[1])+int32(s[3])) + 128*int32(s[2])
		}
		for i := max(w-2, 2); i < w; i++ {
			edge(i)
		}
	}
	hpassRow(0)
	hpassRow(1)
	for j := range h {
		if j+2 < h {
			hpassRow(j + 2)
		}
		a, b := hrow(j - 2)[:w], hrow(j - 1)[:w]
		m := hrow(j)[:w]
		c, d := hrow(j + 1)[:w], hrow(j + 2)[:w]
		r := p.row(j)[:w]
		for i := range r {
			blur := (6*(a[i]+d[i]) + 58*(b[i]+c[i]) + 128*m[i] + 1<<15) >> 16
			v := int32(r[i]) + int32(sharpenCurve[int32(r[i])-blur+255])
			r[i] = byte(min(max(v, 0), 255))
		}
	}
}
