package imaging

import "math"

// The enhancement steps of the image stage, after shared/tools/imgref's reference
// pipeline. Every measure is taken once on the reduced analysis image; the steps then
// run on each variant's output-size planes only, never at full resolution:
//
//  1. levels: a luma LUT that stretches the 0.5 % and 99.5 % percentiles to 0..255
//     (gain at most maxGain), with chroma scaled by the same gain (the same as
//     applying the stretch to R, G and B alike) and, when asked, shifted so that the
//     mean chroma is neutral (grey-world white balance);
//  2. sharpen: an unsharp mask of sigma ≈ 0.8 on luma, shaped like libvips' sharpen
//     (small differences left alone, the rest amplified and capped);
//  3. whiten: background pixels, found by a flood from the border over near-white
//     pixels of the reduced image, become exactly white.

const (
	levelLow  = 0.005
	levelHigh = 0.005
	maxGain   = 1.6
)

// levels is the per-plane lookup tables of the tone and colour correction.
type levels struct {
	y, cb, cr [256]byte
	gain      float64
	identity  bool
}

// makeLevels builds the tables from the reduced image's planes.
func makeLevels(y, cb, cr plane, whiteBalance bool) levels {
	var hist [256]int
	for j := range y.h {
		for _, v := range y.row(j) {
			hist[v]++
		}
	}
	lo, gain := levelFromHist(&hist)
	var dcb, dcr float64
	if whiteBalance {
		dcb, dcr = 128-meanOf(cb), 128-meanOf(cr)
	}
	var l levels
	l.gain = gain
	l.identity = gain == 1 && lo == 0 && dcb == 0 && dcr == 0
	for i := range 256 {
		l.y[i] = clampRound((float64(i) - lo) * gain)
		l.cb[i] = clampRound(128 + (float64(i)+dcb-128)*gain)
		l.cr[i] = clampRound(128 + (float64(i)+dcr-128)*gain)
	}
	return l
}

// levelFromHist returns the black point and gain that stretch the 0.5 and 99.5
// percentiles of hist to 0..255, the gain capped at maxGain and never below 1.
func levelFromHist(hist *[256]int) (lo, gain float64) {
	total := 0
	for _, v := range hist {
		total += v
	}
	if total == 0 {
		return 0, 1
	}
	l, h := 0, 255
	for acc, i := 0, 0; i < 256; i++ {
		if acc += hist[i]; float64(acc) >= float64(total)*levelLow {
			l = i
			break
		}
	}
	for acc, i := 0, 255; i >= 0; i-- {
		if acc += hist[i]; float64(acc) >= float64(total)*levelHigh {
			h = i
			break
		}
	}
	if h <= l {
		return 0, 1
	}
	return float64(l), max(1, min(255/float64(h-l), maxGain))
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
// integer Gaussian (6, 58, 128, 58, 6)/256, sigma ≈ 0.8, edges clamped.
func sharpen(p plane) {
	w, h := p.w, p.h
	if w < 3 || h < 3 {
		return
	}
	tmp := make([]int32, w*h) // horizontal pass, ×256
	for j := range h {
		r := p.row(j)
		t := tmp[j*w : (j+1)*w]
		for i := range w {
			a, b := r[max(i-2, 0)], r[max(i-1, 0)]
			c, d := r[min(i+1, w-1)], r[min(i+2, w-1)]
			t[i] = 6*(int32(a)+int32(d)) + 58*(int32(b)+int32(c)) + 128*int32(r[i])
		}
	}
	for j := range h {
		a, b := tmp[max(j-2, 0)*w:][:w], tmp[max(j-1, 0)*w:][:w]
		m := tmp[j*w:][:w]
		c, d := tmp[min(j+1, h-1)*w:][:w], tmp[min(j+2, h-1)*w:][:w]
		r := p.row(j)[:w]
		for i := range r {
			blur := (6*(a[i]+d[i]) + 58*(b[i]+c[i]) + 128*m[i] + 1<<15) >> 16
			v := int32(r[i]) + int32(sharpenCurve[int32(r[i])-blur+255])
			r[i] = byte(min(max(v, 0), 255))
		}
	}
}

// background is the near-white region connected to the border of the reduced image,
// as each pixel's chessboard distance to the nearest pixel outside it (0 outside).
type background struct {
	dist []uint8
	w, h int
	k    float64 // source pixels per reduced pixel
	any  bool
}

// findBackground floods from the border of a w×h reduced image over white pixels.
func findBackground(white []bool, w, h int, k float64) background {
	bg := background{dist: make([]uint8, w*h), w: w, h: h, k: k}
	stack := make([]int, 0, 2*(w+h))
	push := func(i int) {
		if white[i] && bg.dist[i] == 0 {
			bg.dist[i] = 255
			stack = append(stack, i)
		}
	}
	for x := range w {
		push(x)
		push((h-1)*w + x)
	}
	for y := range h {
		push(y * w)
		push(y*w + w - 1)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		if x > 0 {
			push(i - 1)
		}
		if x < w-1 {
			push(i + 1)
		}
		if y > 0 {
			push(i - w)
		}
		if y < h-1 {
			push(i + w)
		}
	}
	// Two-pass chessboard distance to the nearest non-background pixel; the image
	// border counts as background beyond, so the flood reaches the edges.
	d := bg.dist
	for y := range h {
		for x := range w {
			i := y*w + x
			if d[i] == 0 {
				continue
			}
			bg.any = true
			v := 255
			if x > 0 {
				v = min(v, int(d[i-1])+1)
			}
			if y > 0 {
				v = min(v, int(d[i-w])+1)
				if x > 0 {
					v = min(v, int(d[i-w-1])+1)
				}
				if x < w-1 {
					v = min(v, int(d[i-w+1])+1)
				}
			}
			d[i] = uint8(v)
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			i := y*w + x
			if d[i] == 0 {
				continue
			}
			v := int(d[i])
			if x < w-1 {
				v = min(v, int(d[i+1])+1)
			}
			if y < h-1 {
				v = min(v, int(d[i+w])+1)
				if x < w-1 {
					v = min(v, int(d[i+w+1])+1)
				}
				if x > 0 {
					v = min(v, int(d[i+w-1])+1)
				}
			}
			d[i] = uint8(v)
		}
	}
	return bg
}

// whiten sets to v every sample of p (the window win of the source, in source pixel
// coordinates, resized to p.w×p.h) that lies in the background far
// enough from anything else that no product pixel reached it through the resampling
// filter. It returns how many samples changed.
func (bg background) whiten(p plane, v byte, win rect) int {
	if !bg.any {
		return 0
	}
	scaleX := (win.x1 - win.x0) / float64(p.w)
	scaleY := (win.y1 - win.y0) / float64(p.h)
	// The filter reaches crSupport output pixels (at least 2 source pixels) away;
	// add one reduced pixel for the reduced image's own blur.
	reach := crSupport * math.Max(math.Max(scaleX, scaleY), 1)
	need := uint8(min(254, int(math.Ceil(reach/bg.k))+1))
	xs := make([]int32, p.w)
	for x := range xs {
		xs[x] = int32(min(int((win.x0+(float64(x)+0.5)*scaleX)/bg.k), bg.w-1))
	}
	changed := 0
	for y := range p.h {
		ry := min(int((win.y0+(float64(y)+0.5)*scaleY)/bg.k), bg.h-1)
		drow := bg.dist[ry*bg.w:][:bg.w]
		r := p.row(y)
		for x, rx := range xs {
			if drow[rx] > need && r[x] != v {
				r[x] = v
				changed++
			}
		}
	}
	return changed
}
