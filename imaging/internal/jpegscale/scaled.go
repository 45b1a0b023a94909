// Package jpegscale is Stox's fork of Go's image/jpeg. Its decoder keeps a JPEG's
// DCT coefficients and reconstructs each component at a reduced scale in the DCT
// domain, m/8 for m = 1, 2, 4, 6, 8, as libjpeg's scaled decoding (libvips'
// shrink-on-load) does: an 8×8 block becomes m×m samples, from its lowest m×m
// frequencies. A photo that ends at half its size or less then never has its
// full-resolution pixels made, and a reduced plane costs a fraction of a full inverse
// DCT. Its encoder writes a 4:2:0 image.YCbCr straight from its planes.
//
// Forked from Go 1.26 (reader.go, scan.go, huffman.go, dct.go, and writer.go as
// encode.go), BSD licence, Copyright The Go Authors: see LICENSE beside this file.
// The changes:
//   - the decoder keeps every block's quantized coefficients in all modes, not only
//     progressive (as int16, half the memory of Go's block), and makes no image;
//     pixels come from Component.Plane (scaled.go). The image.RegisterFormat hook and
//     the CMYK/RGB conversions are gone: greyscale and YCbCr JPEGs are accepted (any
//     subsampling Go supports, baseline or progressive), others get ErrUnsupported and
//     the caller decodes them with image/jpeg;
//   - entropy decoding is faster and decodes the same: a sequential JPEG's blocks
//     go straight into the kept coefficients (decodeBaseline, with the Huffman
//     look-up and RECEIVE/EXTEND inlined), the bit buffer is refilled several bytes at
//     a time where no 0xff can be among them (fillFast), and the bit mask Go kept
//     beside the count is computed where it is read;
//   - the encoder's writeYCbCr420 reads a 4:2:0 image's chroma blocks directly
//     instead of upsampling them per pixel and averaging them back, a block of one
//     value takes its DC from a table of fdct's own results, and the quantizer
//     multiplies by reciprocals: the same bytes as image/jpeg.Encode, at a fraction of
//     the cost.
package jpegscale

import (
	"errors"
	"fmt"
	"image"
	"io"
)

// ErrUnsupported is returned for JPEGs that decode fine with image/jpeg but that this
// package does not reconstruct: CMYK/YCCK (4 components) and RGB-coded ones.
var ErrUnsupported = errors.New("jpegscale: not a greyscale or YCbCr JPEG")

// coefBlock is one block's quantized coefficients in natural order. Baseline 8-bit
// JPEG coefficients fit in 12 bits.
type coefBlock [blockSize]int16

func (b *block) load(c *coefBlock) {
	for i, v := range c {
		b[i] = int32(v)
	}
}

func (c *coefBlock) store(b *block) {
	for i, v := range b {
		c[i] = int16(v)
	}
}

// Image is a decoded JPEG: its size and its components' coefficients.
type Image struct {
	Width, Height int
	// Comps has 1 component (greyscale) or 3 (Y, Cb, Cr).
	Comps []Component
}

// Component is one colour component's coefficients.
type Component struct {
	// H and V are the sampling factors; HMax and VMax the largest of the frame's.
	H, V, HMax, VMax int
	// W and Ht are the component's size in samples at full scale.
	W, Ht  int
	stride int // blocks per row of blocks
	quant  [blockSize]int32
	blocks []coefBlock
}

// Decode reads a whole JPEG and keeps its coefficients.
func Decode(r io.Reader) (*Image, error) {
	var d decoder
	if err := d.decode(r, false); err != nil {
		return nil, err
	}
	if d.nComp != 1 && d.nComp != 3 || d.nComp == 3 && d.isRGB() {
		return nil, ErrUnsupported
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	img := &Image{Width: d.width, Height: d.height}
	for i := range d.nComp {
		c := d.comp[i]
		if d.coeffs[i] == nil {
			return nil, FormatError(fmt.Sprintf("no scan for component %d", i))
		}
		comp := Component{
			H: c.h, V: c.v, HMax: h0, VMax: v0,
			W:      (d.width*c.h + h0 - 1) / h0,
			Ht:     (d.height*c.v + v0 - 1) / v0,
			stride: mxx * c.h,
			blocks: d.coeffs[i],
		}
		for zig, q := range d.quant[c.tq] {
			comp.quant[unzig[zig]] = q
		}
		img.Comps = append(img.Comps, comp)
	}
	return img, nil
}

// Release drops the coefficients, the bulk of a decoded Image's memory (2 bytes a
// sample), once every plane needed is reconstructed; Reconstruct must not be called
// after it. Sizes stay readable.
func (img *Image) Release() {
	for i := range img.Comps {
		img.Comps[i].blocks = nil
	}
}

// ScaledSize is the size of component c's plane at scale m/8: libjpeg's rounding up.
func (c *Component) ScaledSize(m int) (w, h int) {
	return (c.W*m + 7) / 8, (c.Ht*m + 7) / 8
}

// Plane reconstructs the component at scale m/8, m = 1, 2, 4, 6 or 8.
// The samples are pix[y*stride+x] for x < w, y < h; sample (x, y) stands for the
// full-scale samples [x·8/m, (x+1)·8/m) × [y·8/m, (y+1)·8/m).
func (c *Component) Plane(m int) (pix []byte, w, h, stride int) {
	pix, w, h, stride = c.NewPlane(m)
	c.Reconstruct(pix, stride, m, image.Rect(0, 0, c.BlocksW(), c.BlocksH()))
	return pix, w, h, stride
}

// NewPlane allocates the component's plane at scale m/8 without reconstructing any
// of it: Reconstruct fills the blocks that are needed.
func (c *Component) NewPlane(m int) (pix []byte, w, h, stride int) {
	w, h = c.ScaledSize(m)
	stride = c.BlocksW() * m
	return make([]byte, stride*c.BlocksH()*m), w, h, stride
}

// BlocksW and BlocksH are the number of 8×8 blocks across and down the component.
func (c *Component) BlocksW() int { return (c.W + 7) / 8 }
func (c *Component) BlocksH() int { return (c.Ht + 7) / 8 }

// Reconstruct writes the blocks in r (in block units, clipped to the component) into
// a plane from NewPlane(m).
func (c *Component) Reconstruct(pix []byte, stride, m int, r image.Rectangle) {
	var recon func(*coefBlock, []byte, int)
	switch m {
	case 1:
		recon = c.idct1
	case 2:
		recon = c.idct2
	case 4:
		recon = c.idct4
	case 6:
		recon = c.idct6
	case 8:
		recon = c.idct8
	default:
		panic(fmt.Sprintf("jpegscale: scale %d/8", m))
	}
	r = r.Intersect(image.Rect(0, 0, c.BlocksW(), c.BlocksH()))
	for by := r.Min.Y; by < r.Max.Y; by++ {
		row := c.blocks[by*c.stride:][:r.Max.X]
		out := pix[by*m*stride:]
		for bx := r.Min.X; bx < r.Max.X; bx++ {
			recon(&row[bx], out[bx*m:], stride)
		}
	}
}

// idct8 is Go's own full-size reconstruction (its reconstructBlock).
func (c *Component) idct8(cb *coefBlock, dst []byte, stride int) {
	var b block
	for i, v := range cb {
		b[i] = int32(v) * c.quant[i]
	}
	idct(&b)
	for y := range 8 {
		d := dst[y*stride : y*stride+8]
		for x, v := range b[y*8 : y*8+8] {
			d[x] = clamp(v + 128)
		}
	}
}

// idct1 is the block's mean: its DC term over 8.
func (c *Component) idct1(cb *coefBlock, dst []byte, _ int) {
	dst[0] = clamp((int32(cb[0])*c.quant[0]+4)>>3 + 128)
}

// idct2 is the 2-point inverse DCT of the lowest 2×2 frequencies. Both basis values
// are 1/(2√2), so each output is (F00 ± F01 ± F10 ± F11)/8.
func (c *Component) idct2(cb *coefBlock, dst []byte, stride int) {
	q := &c.quant
	f00, f01 := int32(cb[0])*q[0], int32(cb[1])*q[1]
	f10, f11 := int32(cb[8])*q[8], int32(cb[9])*q[9]
	a, b := f00+f10, f00-f10
	dst[0] = clamp((a+f01+f11+4)>>3 + 128)
	dst[1] = clamp((a-f01-f11+4)>>3 + 128)
	dst[stride] = clamp((b+f01-f11+4)>>3 + 128)
	dst[stride+1] = clamp((b-f01+f11+4)>>3 + 128)
}

// The 4-point inverse DCT's basis values C(u)/2·cos((2x+1)uπ/8), in 13-bit fixed
// point: 1/(2√2), cos(π/8)/2 and cos(3π/8)/2.
const (
	k4c0 = 2896 // 0.353553
	k4c1 = 3784 // 0.461940
	k4c3 = 1567 // 0.191342
)

// idct4 is the 4-point inverse DCT of the lowest 4×4 frequencies, each output the
// block's reconstruction sampled at the centre of the 2×2 samples it stands for.
// Even/odd split as in libjpeg: 3 distinct multipliers, 6 multiplies per 4 outputs.
func (c *Component) idct4(cb *coefBlock, dst []byte, stride int) {
	var t [16]int32 // rows transformed, ×2^13 >> 11 (2 fraction bits)
	q := &c.quant
	for v := range 4 {
		r, qr := cb[v*8:v*8+4], q[v*8:v*8+4]
		f0, f1, f2, f3 := int32(r[0])*qr[0], int32(r[1])*qr[1], int32(r[2])*qr[2], int32(r[3])*qr[3]
		if f1|f2|f3 == 0 {
			dc := (f0*k4c0 + 1<<10) >> 11
			t[v*4], t[v*4+1], t[v*4+2], t[v*4+3] = dc, dc, dc, dc
			continue
		}
		e0, e1 := (f0+f2)*k4c0, (f0-f2)*k4c0
		o0, o1 := f1*k4c1+f3*k4c3, f1*k4c3-f3*k4c1
		t[v*4] = (e0 + o0 + 1<<10) >> 11
		t[v*4+3] = (e0 - o0 + 1<<10) >> 11
		t[v*4+1] = (e1 + o1 + 1<<10) >> 11
		t[v*4+2] = (e1 - o1 + 1<<10) >> 11
	}
	const shift, round = 15, 1 << 14 // 13 bits of the constants + 2 fraction bits
	for x := range 4 {
		f0, f1, f2, f3 := t[x], t[4+x], t[8+x], t[12+x]
		e0, e1 := (f0+f2)*k4c0, (f0-f2)*k4c0
		o0, o1 := f1*k4c1+f3*k4c3, f1*k4c3-f3*k4c1
		dst[x] = clamp((e0+o0+round)>>shift + 128)
		dst[stride+x] = clamp((e1+o1+round)>>shift + 128)
		dst[2*stride+x] = clamp((e1-o1+round)>>shift + 128)
		dst[3*stride+x] = clamp((e0-o0+round)>>shift + 128)
	}
}

// The 6-point inverse DCT's basis values C(u)/2·cos((2x+1)uπ/12) in 13-bit fixed
// point: 1/(2√2) (also cos 45°/2), cos 30°/2, cos 15°/2, cos 75°/2; cos 60°/2 = ¼ and
// cos 180°/2 = −½ are shifts.
const (
	k6c30 = 3547 // 0.433013
	k6c15 = 3956 // 0.482963
	k6c75 = 1060 // 0.129410
)

// idct6x is the 6-point inverse DCT of 6 coefficients, ×2^13: the even and odd halves
// share their products, 11 multiplies for 6 outputs, returned as the pairs that differ
// only in sign: outputs x and 5-x are e[x]+p[x] and e[x]-p[x].
func idct6x(f0, f1, f2, f3, f4, f5 int32) (e0, e1, e2, p0, p1, p2 int32) {
	a, b, c := f0*k4c0, f2*k6c30, f4<<11
	p0 = f1*k6c15 + f3*k4c0 + f5*k6c75
	p1 = (f1 - f3 - f5) * k4c0
	p2 = f1*k6c75 - f3*k4c0 + f5*k6c15
	return a + b + c, a - f4<<12, a - b + c, p0, p1, p2
}

// idct6 is the 6-point inverse DCT of the lowest 6×6 frequencies (a 3/4 reduction),
// each output the block's reconstruction sampled at the centre of the 4/3 × 4/3
// samples it stands for.
func (c *Component) idct6(cb *coefBlock, dst []byte, stride int) {
	var t [36]int32 // rows transformed, ×2^13 >> 11 (2 fraction bits)
	q := &c.quant
	const r1 = 1 << 10
	for v := range 6 {
		r, qr, tr := cb[v*8:v*8+6], q[v*8:v*8+6], t[v*6:v*6+6]
		f0 := int32(r[0]) * qr[0]
		if r[1]|r[2]|r[3]|r[4]|r[5] == 0 {
			dc := (f0*k4c0 + r1) >> 11
			tr[0], tr[1], tr[2], tr[3], tr[4], tr[5] = dc, dc, dc, dc, dc, dc
			continue
		}
		e0, e1, e2, p0, p1, p2 := idct6x(f0, int32(r[1])*qr[1], int32(r[2])*qr[2], int32(r[3])*qr[3], int32(r[4])*qr[4], int32(r[5])*qr[5])
		tr[0], tr[5] = (e0+p0+r1)>>11, (e0-p0+r1)>>11
		tr[1], tr[4] = (e1+p1+r1)>>11, (e1-p1+r1)>>11
		tr[2], tr[3] = (e2+p2+r1)>>11, (e2-p2+r1)>>11
	}
	const r2 = 1<<14 + 128<<15 // rounding and the level shift, before >> 15
	d0, d1, d2 := dst[:6], dst[stride:stride+6], dst[2*stride:2*stride+6]
	d3, d4, d5 := dst[3*stride:3*stride+6], dst[4*stride:4*stride+6], dst[5*stride:5*stride+6]
	for x := range 6 {
		e0, e1, e2, p0, p1, p2 := idct6x(t[x], t[6+x], t[12+x], t[18+x], t[24+x], t[30+x])
		d0[x], d5[x] = clamp((e0+p0+r2)>>15), clamp((e0-p0+r2)>>15)
		d1[x], d4[x] = clamp((e1+p1+r2)>>15), clamp((e1-p1+r2)>>15)
		d2[x], d3[x] = clamp((e2+p2+r2)>>15), clamp((e2-p2+r2)>>15)
	}
}

// clamp limits v to 0..255.
func clamp(v int32) byte {
	return byte(min(max(v, 0), 255))
}
