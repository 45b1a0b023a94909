package imaging

import "image"

// plane is one 8-bit channel.
type plane struct {
	pix    []byte
	w, h   int
	stride int
}

func newPlane(w, h int) plane {
	return plane{pix: make([]byte, w*h), w: w, h: h, stride: w}
}

func (p plane) row(y int) []byte { return p.pix[y*p.stride : y*p.stride+p.w] }

func (p plane) fill(v byte) {
	for y := range p.h {
		r := p.row(y)
		for x := range r {
			r[x] = v
		}
	}
}

// ycc is a photo as JFIF (full-range) YCbCr planes: luma at full resolution, chroma
// at whatever resolution the source had. A chroma sample covers sx×sy luma samples,
// which is how 4:4:4, 4:2:2, 4:2:0 and a grey image's single constant chroma sample
// (sx, sy = the luma size) are all handled by one code path.
type ycc struct {
	y, cb, cr plane
	sx, sy    float64
}

// fromYCbCr shares the planes of a decoded JPEG or lossy WebP, without copying.
func fromYCbCr(m *image.YCbCr) ycc {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	sx, sy := 1, 1
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		sx = 2
	case image.YCbCrSubsampleRatio420:
		sx, sy = 2, 2
	case image.YCbCrSubsampleRatio440:
		sy = 2
	case image.YCbCrSubsampleRatio411:
		sx = 4
	case image.YCbCrSubsampleRatio410:
		sx, sy = 4, 2
	}
	cw, ch := (b.Max.X+sx-1)/sx-b.Min.X/sx, (b.Max.Y+sy-1)/sy-b.Min.Y/sy
	yo, co := m.YOffset(b.Min.X, b.Min.Y), m.COffset(b.Min.X, b.Min.Y)
	return ycc{
		y:  plane{pix: m.Y[yo:], w: w, h: h, stride: m.YStride},
		cb: plane{pix: m.Cb[co:], w: cw, h: ch, stride: m.CStride},
		cr: plane{pix: m.Cr[co:], w: cw, h: ch, stride: m.CStride},
		sx: float64(sx), sy: float64(sy),
	}
}

// grey wraps a luma plane with constant neutral chroma.
func grey(y plane) ycc {
	c := plane{pix: []byte{128}, w: 1, h: 1, stride: 1}
	return ycc{y: y, cb: c, cr: c, sx: float64(y.w), sy: float64(y.h)}
}

// full444 allocates a 4:4:4 ycc of w×h.
func full444(w, h int) ycc {
	return ycc{y: newPlane(w, h), cb: newPlane(w, h), cr: newPlane(w, h), sx: 1, sy: 1}
}

// orient returns p transformed by EXIF orientation o (1..8), so that it displays
// upright. Orientations 5..8 swap width and height.
func orient(p plane, o int) plane {
	if o <= 1 || o > 8 {
		return p
	}
	w, h := p.w, p.h
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	// Upright pixel (x, y) comes from source index base + x*dx + y*dy.
	last := func(n int) int { return n - 1 }
	var base, dx, dy int
	s := p.stride
	switch o {
	case 2: // mirror horizontally
		base, dx, dy = last(w), -1, s
	case 3: // rotate 180°
		base, dx, dy = last(h)*s+last(w), -1, -s
	case 4: // mirror vertically
		base, dx, dy = last(h)*s, 1, -s
	case 5: // transpose: (x, y) ← (y, x)
		base, dx, dy = 0, s, 1
	case 6: // rotate 90° clockwise: (x, y) ← (y, h-1-x)
		base, dx, dy = last(h)*s, -s, 1
	case 7: // transverse: (x, y) ← (w-1-y, h-1-x)
		base, dx, dy = last(h)*s+last(w), -s, -1
	case 8: // rotate 90° counter-clockwise: (x, y) ← (w-1-y, x)
		base, dx, dy = last(w), s, -1
	}
	out := newPlane(dw, dh)
	src := p.pix
	for y := range dh {
		i := base + y*dy
		r := out.row(y)
		for x := range r {
			r[x] = src[i]
			i += dx
		}
	}
	return out
}

// paste copies src into dst with its top-left corner at (x0, y0).
func paste(dst, src plane, x0, y0 int) {
	for y := range src.h {
		copy(dst.pix[(y0+y)*dst.stride+x0:], src.row(y))
	}
}
