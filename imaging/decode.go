package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
)

// Decode decodes a JPEG, PNG, GIF (first frame) or WebP photo into an upright, opaque
// RGBA image: the EXIF orientation is applied and transparency is flattened onto
// white. It checks the size with Config (maxPixels as there) before decoding anything.
// Process does not use it: Process works on the decoded planes and orients after
// resizing, which is much cheaper.
func Decode(data []byte, maxPixels int) (*image.RGBA, Info, error) {
	info, err := Config(data, maxPixels)
	if err != nil {
		return nil, Info{}, err
	}
	src, err := decodePlanes(data, info.Format)
	if err != nil {
		return nil, Info{}, err
	}
	o := info.Orientation
	y, cb, cr := orient(src.y, o), orient(src.cb, o), orient(src.cr, o)
	sx, sy := src.sx, src.sy
	if o >= 5 {
		sx, sy = sy, sx
	}
	out := image.NewRGBA(image.Rect(0, 0, y.w, y.h))
	for j := range y.h {
		yr := y.row(j)
		cj := min(int(float64(j)/sy), cb.h-1)
		cbr, crr := cb.row(cj), cr.row(cj)
		px := out.Pix[j*out.Stride : j*out.Stride+4*y.w]
		for i, yv := range yr {
			ci := min(int(float64(i)/sx), cb.w-1)
			r, g, b := color.YCbCrToRGB(yv, cbr[ci], crr[ci])
			px[4*i], px[4*i+1], px[4*i+2], px[4*i+3] = r, g, b, 255
		}
	}
	return out, info, nil
}

// decodePlanes decodes data (already sniffed and size-checked by Config) into opaque
// YCbCr planes in the stored orientation.
func decodePlanes(data []byte, format string) (src ycc, err error) {
	// The std and x/image decoders are fuzzed and should never panic, but this is the
	// one place hostile bytes meet them, and a panic here would kill a worker; a
	// decoder panic means the data is bad.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode %s: panic %v: %w", format, r, ErrCorrupt)
		}
	}()
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return ycc{}, fmt.Errorf("decode %s: %v: %w", format, err, ErrCorrupt)
	}
	b := m.Bounds()
	if b.Empty() {
		return ycc{}, fmt.Errorf("decode %s: empty image: %w", format, ErrCorrupt)
	}
	return toPlanes(m), nil
}

// toPlanes converts any decoded image to opaque YCbCr planes, sharing the decoder's
// buffers where it can and flattening alpha onto white.
func toPlanes(m image.Image) ycc {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := m.(type) {
	case *image.YCbCr:
		return fromYCbCr(m)
	case *image.Gray:
		return grey(plane{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: w, h: h, stride: m.Stride})
	case *image.NYCbCrA:
		out := full444(w, h)
		for y := range h {
			yr, cbr, crr := out.y.row(y), out.cb.row(y), out.cr.row(y)
			for x := range w {
				px, py := b.Min.X+x, b.Min.Y+y
				yi, ci := m.YOffset(px, py), m.COffset(px, py)
				a := uint32(m.A[m.AOffset(px, py)])
				yr[x] = over(uint32(m.Y[yi]), a, 255)
				cbr[x] = over(uint32(m.Cb[ci]), a, 128)
				crr[x] = over(uint32(m.Cr[ci]), a, 128)
			}
		}
		return out
	case *image.NRGBA:
		out := full444(w, h)
		for y := range h {
			px := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			yr, cbr, crr := out.y.row(y), out.cb.row(y), out.cr.row(y)
			for x := range w {
				p := px[4*x : 4*x+4]
				a := uint32(p[3])
				yr[x], cbr[x], crr[x] = color.RGBToYCbCr(over(uint32(p[0]), a, 255), over(uint32(p[1]), a, 255), over(uint32(p[2]), a, 255))
			}
		}
		return out
	case *image.RGBA:
		out := full444(w, h)
		for y := range h {
			px := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			yr, cbr, crr := out.y.row(y), out.cb.row(y), out.cr.row(y)
			for x := range w {
				p := px[4*x : 4*x+4]
				// Premultiplied: over white is c + (255 - a), and c <= a.
				t := 255 - p[3]
				yr[x], cbr[x], crr[x] = color.RGBToYCbCr(p[0]+t, p[1]+t, p[2]+t)
			}
		}
		return out
	case *image.Paletted:
		var lut [256][3]byte
		for i := range lut {
			c := color.Color(color.Black)
			if i < len(m.Palette) {
				c = m.Palette[i]
			}
			lut[i] = flatYCbCr(c)
		}
		out := full444(w, h)
		for y := range h {
			px := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			yr, cbr, crr := out.y.row(y), out.cb.row(y), out.cr.row(y)
			for x, i := range px {
				c := &lut[i]
				yr[x], cbr[x], crr[x] = c[0], c[1], c[2]
			}
		}
		return out
	}
	// CMYK JPEGs, 16-bit PNGs and anything else: the slow, general way.
	out := full444(w, h)
	for y := range h {
		yr, cbr, crr := out.y.row(y), out.cb.row(y), out.cr.row(y)
		for x := range w {
			c := flatYCbCr(m.At(b.Min.X+x, b.Min.Y+y))
			yr[x], cbr[x], crr[x] = c[0], c[1], c[2]
		}
	}
	return out
}

// over composites a non-premultiplied 8-bit value c with alpha a over background bg.
func over(c, a, bg uint32) byte {
	return byte((c*a + bg*(255-a) + 127) / 255)
}

// flatYCbCr flattens any colour onto white and converts it to YCbCr.
func flatYCbCr(c color.Color) [3]byte {
	r, g, b, a := c.RGBA() // premultiplied, 16-bit
	t := 0xffff - a
	y, cb, cr := color.RGBToYCbCr(byte((r+t)>>8), byte((g+t)>>8), byte((b+t)>>8))
	return [3]byte{y, cb, cr}
}
