package imaging

import "math"

// The resampler is separable and works on one 8-bit plane at a time: an integer box
// pre-shrink takes large reductions down to at most 4× (the box average is exact and
// cheap), then Catmull-Rom with fixed-point weights does the rest (the horizontal pass
// first, into a uint8 intermediate, then the vertical pass). Weights are normalised to
// exactly 1<<fixBits per output, so flat areas (a white background) come out
// unchanged.

const (
	fixBits = 14
	fixOne  = 1 << fixBits
	fixHalf = 1 << (fixBits - 1)
	// crSupport is the radius of the Catmull-Rom kernel in source pixels at scale 1.
	crSupport = 2.0
)

// catmullRom is the Catmull-Rom cubic (B=0, C=0.5).
func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

// weights maps each output sample to taps consecutive source samples starting at
// start[i], with fixed-point weights w[i*taps : (i+1)*taps].
type weights struct {
	start []int
	w     []int32
	taps  int
}

// makeWeights resamples the window [x0, x1) of a line of n samples to m samples.
// Taps that fall outside the line are dropped and the rest renormalised.
func makeWeights(n int, x0, x1 float64, m int) weights {
	scale := (x1 - x0) / float64(m)
	fs := math.Max(scale, 1)
	sup := crSupport * fs
	taps := min(int(math.Ceil(2*sup))+1, n)
	ws := weights{start: make([]int, m), w: make([]int32, m*taps), taps: taps}
	f := make([]float64, taps)
	for i := range m {
		center := x0 + (float64(i)+0.5)*scale
		lo := max(int(math.Floor(center-sup)), 0)
		hi := min(int(math.Ceil(center+sup)), n)
		if hi-lo > taps { // float rounding at the edges; keep the central taps
			lo = max(int(math.Round(center))-taps/2, 0)
			hi = min(lo+taps, n)
		}
		if hi <= lo { // the window lies outside the line: take the nearest sample
			lo = min(max(int(center), 0), n-1)
			hi = lo + 1
		}
		start := min(lo, n-taps)
		clear(f)
		sum := 0.0
		for j := lo; j < hi; j++ {
			v := catmullRom((float64(j) + 0.5 - center) / fs)
			f[j-start] = v
			sum += v
		}
		if sum == 0 { // only possible when every tap sits on a zero of the kernel
			f[lo-start], sum = 1, 1
		}
		row := ws.w[i*taps : (i+1)*taps]
		total, big := int32(0), 0
		for j, v := range f {
			row[j] = int32(math.Round(v / sum * fixOne))
			total += row[j]
			if row[j] > row[big] {
				big = j
			}
		}
		row[big] += fixOne - total // exact unit gain
		ws.start[i] = start
	}
	return ws.trim(n)
}

// trim drops the columns of taps that are zero for every output (at exactly 2× the
// kernel's last tap always lands on a zero), so the passes do no useless work.
func (ws weights) trim(n int) weights {
	span := 0
	for i := range ws.start {
		first, last := ws.nonZero(i)
		span = max(span, last-first+1)
	}
	if span == ws.taps {
		return ws
	}
	out := weights{start: make([]int, len(ws.start)), w: make([]int32, len(ws.start)*span), taps: span}
	for i, s := range ws.start {
		first, _ := ws.nonZero(i)
		start := min(s+first, n-span) // shifting left keeps every non-zero tap
		out.start[i] = start
		for k := max(start, s); k < min(start+span, s+ws.taps); k++ {
			out.w[i*span+k-start] = ws.w[i*ws.taps+k-s]
		}
	}
	return out
}

// nonZero returns the first and last tap of output i with a non-zero weight.
func (ws weights) nonZero(i int) (first, last int) {
	row := ws.w[i*ws.taps : (i+1)*ws.taps]
	first, last = len(row)-1, 0
	for j, v := range row {
		if v != 0 {
			first, last = min(first, j), j
		}
	}
	return first, max(first, last)
}

func clampFix(v int32) byte {
	v = (v + fixHalf) >> fixBits
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// resize resamples the window [x0, x1)×[y0, y1) of p (in p's pixel coordinates) to
// a new w×h plane. Samples just outside the window but inside p take part in the
// filter, as they would in the uncropped image.
func resize(p plane, x0, y0, x1, y1 float64, w, h int, cache *shrinkCache) plane {
	// Box-reduce by powers of two while at least 2× is left for the filter, so the
	// filter always works at a ratio below 4 (Pillow's "reducing gap" of 2).
	kx := pow2Below((x1 - x0) / float64(w) / 2)
	ky := pow2Below((y1 - y0) / float64(h) / 2)
	if kx > 1 || ky > 1 {
		p = cache.shrink(p, kx, ky)
		x0, x1 = x0/float64(kx), x1/float64(kx)
		y0, y1 = y0/float64(ky), y1/float64(ky)
	}
	wx := makeWeights(p.w, x0, x1, w)
	wy := makeWeights(p.h, y0, y1, h)

	// Only the source rows the vertical pass reads go through the horizontal pass.
	r0, r1 := wy.start[0], wy.start[h-1]+wy.taps
	for _, s := range wy.start {
		r0 = min(r0, s)
		r1 = max(r1, s+wy.taps)
	}
	tmp := newPlane(w, r1-r0)
	for y := r0; y < r1; y++ {
		hpass(tmp.row(y-r0), p.row(y), wx)
	}

	out := newPlane(w, h)
	if wy.taps == 5 { // the 3/4-scale planes' luma: one pass per output row
		for y := range h {
			k := wy.w[y*5:][:5]
			r := wy.start[y] - r0
			s0, s1, s2, s3, s4 := tmp.row(r)[:w], tmp.row(r + 1)[:w], tmp.row(r + 2)[:w], tmp.row(r + 3)[:w], tmp.row(r + 4)[:w]
			dst := out.row(y)[:w]
			for x := range dst {
				dst[x] = clampFix(k[0]*int32(s0[x]) + k[1]*int32(s1[x]) + k[2]*int32(s2[x]) + k[3]*int32(s3[x]) + k[4]*int32(s4[x]))
			}
		}
		return out
	}
	if wy.taps == 6 { // and their chroma
		for y := range h {
			k := wy.w[y*6:][:6]
			r := wy.start[y] - r0
			s0, s1, s2 := tmp.row(r)[:w], tmp.row(r + 1)[:w], tmp.row(r + 2)[:w]
			s3, s4, s5 := tmp.row(r + 3)[:w], tmp.row(r + 4)[:w], tmp.row(r + 5)[:w]
			dst := out.row(y)[:w]
			for x := range dst {
				dst[x] = clampFix(k[0]*int32(s0[x]) + k[1]*int32(s1[x]) + k[2]*int32(s2[x]) +
					k[3]*int32(s3[x]) + k[4]*int32(s4[x]) + k[5]*int32(s5[x]))
			}
		}
		return out
	}
	acc := make([]int32, w)
	for y := range h {
		clear(acc)
		ws := wy.w[y*wy.taps : (y+1)*wy.taps]
		for j, wj := range ws {
			if wj == 0 {
				continue
			}
			src := tmp.row(wy.start[y] + j - r0)
			src = src[:len(acc)]
			for x, v := range src {
				acc[x] += wj * int32(v)
			}
		}
		dst := out.row(y)
		dst = dst[:len(acc)]
		for x, v := range acc {
			dst[x] = clampFix(v)
		}
	}
	return out
}

// hpass filters one source row into one output row.
func hpass(dst, src []byte, wx weights) {
	taps := wx.taps
	if taps == 8 { // exactly 2×, the 3000 → 1500 case
		for x := range dst {
			s := src[wx.start[x]:][:8]
			k := wx.w[x*8:][:8]
			dst[x] = clampFix(k[0]*int32(s[0]) + k[1]*int32(s[1]) + k[2]*int32(s[2]) + k[3]*int32(s[3]) +
				k[4]*int32(s[4]) + k[5]*int32(s[5]) + k[6]*int32(s[6]) + k[7]*int32(s[7]))
		}
		return
	}
	switch taps { // the 3/4-scale planes' reductions to the marketplace canvases
	case 5:
		for x := range dst {
			s := src[wx.start[x]:][:5]
			k := wx.w[x*5:][:5]
			dst[x] = clampFix(k[0]*int32(s[0]) + k[1]*int32(s[1]) + k[2]*int32(s[2]) + k[3]*int32(s[3]) +
				k[4]*int32(s[4]))
		}
		return
	case 6:
		for x := range dst {
			s := src[wx.start[x]:][:6]
			k := wx.w[x*6:][:6]
			dst[x] = clampFix(k[0]*int32(s[0]) + k[1]*int32(s[1]) + k[2]*int32(s[2]) + k[3]*int32(s[3]) +
				k[4]*int32(s[4]) + k[5]*int32(s[5]))
		}
		return
	case 7:
		for x := range dst {
			s := src[wx.start[x]:][:7]
			k := wx.w[x*7:][:7]
			dst[x] = clampFix(k[0]*int32(s[0]) + k[1]*int32(s[1]) + k[2]*int32(s[2]) + k[3]*int32(s[3]) +
				k[4]*int32(s[4]) + k[5]*int32(s[5]) + k[6]*int32(s[6]))
		}
		return
	}
	for x := range dst {
		s := src[wx.start[x]:][:taps]
		k := wx.w[x*taps:][:len(s)]
		var sum int32
		for j, v := range s {
			sum += k[j] * int32(v)
		}
		dst[x] = clampFix(sum)
	}
}

// pow2Below is the largest power of two <= v, and 1 for v < 2.
func pow2Below(v float64) int {
	k := 1
	for float64(2*k) <= v && k < 1<<20 {
		k *= 2
	}
	return k
}

// shrinkCache keeps box-reduced copies of planes, by power-of-two factors: each level
// is built from the one above, so variants of different sizes and the analysis share
// the one pass over the full-resolution plane.
type shrinkCache struct {
	entries []shrunk
}

type shrunk struct {
	src    *byte
	kx, ky int
	p      plane
}

// shrink returns p box-reduced by kx×ky, both powers of two.
func (c *shrinkCache) shrink(p plane, kx, ky int) plane {
	if kx == 1 && ky == 1 {
		return p
	}
	if c == nil {
		return boxShrink(p, kx, ky)
	}
	for _, e := range c.entries {
		if e.src == &p.pix[0] && e.kx == kx && e.ky == ky {
			return e.p
		}
	}
	var s plane
	switch {
	case kx >= 2 && ky >= 2:
		s = boxShrink(c.shrink(p, kx/2, ky/2), 2, 2)
	case kx >= 2:
		s = boxShrink(c.shrink(p, kx/2, ky), 2, 1)
	default:
		s = boxShrink(c.shrink(p, kx, ky/2), 1, 2)
	}
	c.entries = append(c.entries, shrunk{src: &p.pix[0], kx: kx, ky: ky, p: s})
	return s
}

// boxShrink averages kx×ky blocks. The output is ceil(w/kx)×ceil(h/ky); partial
// blocks at the right and bottom edges average the samples they have.
func boxShrink(p plane, kx, ky int) plane {
	if kx == 2 && ky == 2 {
		return halve(p)
	}
	return boxShrinkGeneral(p, kx, ky)
}

func boxShrinkGeneral(p plane, kx, ky int) plane {
	w, h := (p.w+kx-1)/kx, (p.h+ky-1)/ky
	out := newPlane(w, h)
	sums := make([]uint32, w)
	for oy := range h {
		clear(sums)
		yEnd := min((oy+1)*ky, p.h)
		for y := oy * ky; y < yEnd; y++ {
			row := p.row(y)
			full := p.w / kx * kx
			for x, ox := 0, 0; x < full; x, ox = x+kx, ox+1 {
				var s uint32
				for _, v := range row[x : x+kx] {
					s += uint32(v)
				}
				sums[ox] += s
			}
			for x := full; x < p.w; x++ {
				sums[w-1] += uint32(row[x])
			}
		}
		rows := uint32(yEnd - oy*ky)
		dst := out.row(oy)
		for ox := range dst {
			cols := uint32(min((ox+1)*kx, p.w) - ox*kx)
			n := rows * cols
			dst[ox] = byte((sums[ox] + n/2) / n)
		}
	}
	return out
}

// halve is boxShrink(p, 2, 2), the pyramid's step, written out because it is the one
// pass over a full-resolution plane.
func halve(p plane) plane {
	w, h := (p.w+1)/2, (p.h+1)/2
	out := newPlane(w, h)
	pairs := p.w / 2
	for oy := range h {
		a := p.row(2 * oy)
		b := a // an odd last row averages with itself
		if 2*oy+1 < p.h {
			b = p.row(2*oy + 1)
		}
		dst := out.row(oy)
		ap, bp := a[:2*pairs], b[:2*pairs]
		dst = dst[:pairs]
		for x := range dst {
			dst[x] = byte((uint32(ap[2*x]) + uint32(ap[2*x+1]) + uint32(bp[2*x]) + uint32(bp[2*x+1]) + 2) >> 2)
		}
		if pairs < w { // odd width: the last column averages its own samples
			out.row(oy)[w-1] = byte((uint32(a[p.w-1]) + uint32(b[p.w-1]) + 1) >> 1)
		}
	}
	return out
}
