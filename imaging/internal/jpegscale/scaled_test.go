package jpegscale

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// Fixtures from Go's image/testdata, copied into imaging/testdata (see its README).
var fixtures = []string{
	"video-001.q50.410.jpeg",
	"video-001.q50.411.jpeg",
	"video-001.q50.420.progressive.jpeg",
	"video-001.q50.422.jpeg",
	"video-001.q50.440.progressive.jpeg",
	"video-001.q50.444.jpeg",
	"video-001.restart2.jpeg",
	"video-005.gray.jpeg",
	"video-005.gray.q50.progressive.jpeg",
	"go-turns-two-280x360.jpeg",
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type stdPlane struct {
	pix          []byte
	w, h, stride int
}

// stdPlanes decodes with image/jpeg and returns its planes in component order.
func stdPlanes(t *testing.T, data []byte) []stdPlane {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	switch m := m.(type) {
	case *image.Gray:
		return []stdPlane{{m.Pix, m.Rect.Dx(), m.Rect.Dy(), m.Stride}}
	case *image.YCbCr:
		b := m.Rect
		ch := m.COffset(b.Max.X-1, b.Max.Y-1)/m.CStride + 1
		cw := m.COffset(b.Max.X-1, b.Max.Y-1)%m.CStride + 1
		return []stdPlane{
			{m.Y, b.Dx(), b.Dy(), m.YStride},
			{m.Cb, cw, ch, m.CStride},
			{m.Cr, cw, ch, m.CStride},
		}
	}
	t.Fatalf("unexpected %T", m)
	return nil
}

// TestFullScaleMatchesStd: at 8/8 every sample equals image/jpeg's, for every
// subsampling, baseline and progressive, with restart markers, grey and colour.
func TestFullScaleMatchesStd(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			data := read(t, name)
			img, err := Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			want := stdPlanes(t, data)
			if len(img.Comps) != len(want) {
				t.Fatalf("%d components, want %d", len(img.Comps), len(want))
			}
			for i, c := range img.Comps {
				pix, w, h, stride := c.Plane(8)
				s := want[i]
				if w != s.w || h != s.h {
					t.Fatalf("component %d is %d×%d, want %d×%d", i, w, h, s.w, s.h)
				}
				for y := range h {
					if !bytes.Equal(pix[y*stride:y*stride+w], s.pix[y*s.stride:y*s.stride+w]) {
						t.Fatalf("component %d row %d differs", i, y)
					}
				}
			}
		})
	}
}

// TestReducedScales: at m/8 each sample is close to the mean of the full-scale
// samples it covers (the DCT-domain reduction is a low-pass, not a box, so only
// closeness is asked), and at 1/8 it is the block's mean.
func TestReducedScales(t *testing.T) {
	for _, name := range fixtures {
		data := read(t, name)
		img, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range img.Comps {
			full, fw, fh, fs := c.Plane(8)
			for _, m := range []int{1, 2, 4, 6} {
				pix, w, h, stride := c.Plane(m)
				if ew, eh := (fw*m+7)/8, (fh*m+7)/8; w != ew || h != eh {
					t.Fatalf("%s comp %d m=%d: %d×%d, want %d×%d", name, i, m, w, h, ew, eh)
				}
				var sum, worst float64
				n := 0
				for y := range h {
					for x := range w {
						// Only whole cells: at the image edge a block's padding counts too.
						x0, x1 := x*8/m, ((x+1)*8+m-1)/m
						y0, y1 := y*8/m, ((y+1)*8+m-1)/m
						if x1 > fw || y1 > fh {
							continue
						}
						var s float64
						for yy := y0; yy < y1; yy++ {
							for xx := x0; xx < x1; xx++ {
								s += float64(full[yy*fs+xx])
							}
						}
						d := math.Abs(s/float64((x1-x0)*(y1-y0)) - float64(pix[y*stride+x]))
						sum += d
						worst = max(worst, d)
						n++
					}
				}
				mean := sum / float64(n)
				limit := 6.0 // a small q50 video frame is all edges
				switch {
				case m == 1:
					limit = 1.0
				case m == 6: // cells of 4/3 samples, rounded out: a coarser check
					limit = 8.0
				}
				if mean > limit {
					t.Errorf("%s comp %d m=%d: mean |reduced - box| = %.2f (worst %.0f), want <= %.1f", name, i, m, mean, worst, limit)
				}
			}
		}
	}
}

func TestUnsupportedAndCorrupt(t *testing.T) {
	for _, name := range []string{"video-001.cmyk.jpeg", "video-001.rgb.jpeg"} {
		if _, err := Decode(bytes.NewReader(read(t, name))); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
		}
	}
	// Like image/jpeg, a progressive JPEG whose last scans are missing still decodes.
	if _, err := Decode(bytes.NewReader(read(t, "video-001.progressive.truncated.jpeg"))); err != nil {
		t.Errorf("truncated progressive JPEG: %v", err)
	}
	data := read(t, "video-001.q50.420.progressive.jpeg")
	for _, n := range []int{0, 2, 100, len(data) / 2} {
		if _, err := Decode(bytes.NewReader(data[:n])); err == nil {
			t.Errorf("first %d bytes decoded without error", n)
		}
	}
}

// refBlock is the definition the fast kernels implement, in float64: the m-point
// inverse DCT of the lowest m×m dequantized coefficients, level-shifted and rounded.
func refBlock(c *Component, b *coefBlock, m int) []float64 {
	basis := func(x, u int) float64 {
		cu := 1.0
		if u == 0 {
			cu = 1 / math.Sqrt2
		}
		return cu / 2 * math.Cos(float64((2*x+1)*u)*math.Pi/float64(2*m))
	}
	out := make([]float64, m*m)
	for y := range m {
		for x := range m {
			s := 128.0
			for v := range m {
				for u := range m {
					s += basis(y, v) * basis(x, u) * float64(int32(b[v*8+u])*c.quant[v*8+u])
				}
			}
			out[y*m+x] = math.Round(min(max(s, 0), 255))
		}
	}
	return out
}

// TestKernelsMatchDefinition: every block of every fixture, at every reduced scale,
// is within one level of the float definition.
func TestKernelsMatchDefinition(t *testing.T) {
	for _, name := range fixtures {
		img, err := Decode(bytes.NewReader(read(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		for ci := range img.Comps {
			c := &img.Comps[ci]
			for _, m := range []int{1, 2, 4, 6} {
				pix, _, _, stride := c.Plane(m)
				worst := 0.0
				for by := range (c.Ht + 7) / 8 {
					for bx := range (c.W + 7) / 8 {
						want := refBlock(c, &c.blocks[by*c.stride+bx], m)
						for y := range m {
							for x := range m {
								d := math.Abs(want[y*m+x] - float64(pix[(by*m+y)*stride+bx*m+x]))
								worst = max(worst, d)
							}
						}
					}
				}
				if worst > 1 {
					t.Errorf("%s comp %d m=%d: off the definition by up to %.0f", name, ci, m, worst)
				}
			}
		}
	}
}

// TestEncodeMatchesStd: the 4:2:0 fast path writes the same bytes as image/jpeg, odd
// sizes included (edge replication), and flat blocks (their DC from a table) too.
func TestEncodeMatchesStd(t *testing.T) {
	for _, size := range []image.Point{{48, 32}, {37, 23}, {1, 1}, {17, 9}} {
		m := image.NewYCbCr(image.Rect(0, 0, size.X, size.Y), image.YCbCrSubsampleRatio420)
		for i := range m.Y {
			m.Y[i] = byte(i * 7)
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = byte(i*13), byte(255-i*5)
		}
		if size.X >= 48 { // mostly flat: white with neutral chroma, a patch of detail
			for i := range m.Y {
				if i%size.X > 20 || i/size.X > 20 {
					m.Y[i] = 255 - byte(i/(8*size.X)) // a flat value per row of blocks
				}
			}
			for i := range m.Cb {
				if i%m.CStride > 10 {
					m.Cb[i], m.Cr[i] = 128, 128
				}
			}
		}
		var want, got bytes.Buffer
		if err := jpeg.Encode(&want, m, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		if err := Encode(&got, m, &Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%v: %d bytes differ from image/jpeg's %d", size, got.Len(), want.Len())
		}
	}
}

// FuzzDecode: whatever image/jpeg decodes to a greyscale or YCbCr image, Decode
// decodes too, identically at full scale; nothing panics at any scale.
func FuzzDecode(f *testing.F) {
	for _, name := range fixtures {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		img, err := Decode(bytes.NewReader(data))
		m, stdErr := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			if stdErr == nil && !errors.Is(err, ErrUnsupported) {
				if _, ok := m.(*image.CMYK); !ok {
					t.Fatalf("Decode: %v; image/jpeg decodes it", err)
				}
			}
			return
		}
		for i := range img.Comps {
			for _, m := range []int{1, 2, 4, 6} {
				img.Comps[i].Plane(m)
			}
		}
		if stdErr != nil {
			return
		}
		want := stdPlanes(t, data)
		for i, c := range img.Comps {
			pix, w, h, stride := c.Plane(8)
			s := want[i]
			for y := range h {
				if !bytes.Equal(pix[y*stride:y*stride+w], s.pix[y*s.stride:y*s.stride+w]) {
					t.Fatalf("component %d row %d differs from image/jpeg", i, y)
				}
			}
		}
	})
}

// TestDivRecip: the encoder's multiply matches its division over every divisor and
// every value the forward DCT of 8-bit samples can give, and well beyond.
func TestDivRecip(t *testing.T) {
	for q := int32(1); q <= 255; q++ {
		d := 8 * q
		r := (1<<32 + uint64(d) - 1) / uint64(d)
		for a := int32(-1 << 18); a <= 1<<18; a++ {
			if got, want := divRecip(a, d, r), div(a, d); got != want {
				t.Fatalf("divRecip(%d, %d) = %d, want %d", a, d, got, want)
			}
		}
	}
}

// TestCorruptAgreesWithStd: on damaged copies of every fixture (a few random bytes
// changed), Decode fails exactly when image/jpeg fails, when it succeeds the full
// scale is image/jpeg's, and no scale panics.
func TestCorruptAgreesWithStd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, name := range fixtures {
		seed := read(t, name)
		for range 100 {
			data := append([]byte(nil), seed...)
			for range 1 + rng.IntN(4) {
				data[rng.IntN(len(data))] = byte(rng.IntN(256))
			}
			img, err := Decode(bytes.NewReader(data))
			_, stdErr := jpeg.Decode(bytes.NewReader(data))
			if (err == nil) != (stdErr == nil) {
				t.Fatalf("%s damaged: Decode error %v, image/jpeg error %v", name, err, stdErr)
			}
			if err != nil {
				continue
			}
			want := stdPlanes(t, data)
			for i := range img.Comps {
				for _, m := range []int{1, 2, 4, 6} {
					img.Comps[i].Plane(m)
				}
				pix, w, h, stride := img.Comps[i].Plane(8)
				s := want[i]
				for y := range h {
					if !bytes.Equal(pix[y*stride:y*stride+w], s.pix[y*s.stride:y*s.stride+w]) {
						t.Fatalf("%s damaged: component %d row %d differs from image/jpeg", name, i, y)
					}
				}
			}
		}
	}
}
