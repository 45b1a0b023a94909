package imaging

import (
	"bytes"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canvasLuma is the luma plane of a rendered canvas.
func canvasLuma(c *image.YCbCr) plane {
	return plane{pix: c.Y, w: c.Rect.Dx(), h: c.Rect.Dy(), stride: c.YStride}
}

// TestReducedDecodeQuality pins the reduced (DCT-domain) decode: every variant that
// Process renders from reduced planes has a luma SSIM of at least 0.97 against the
// same variant rendered from the full-scale planes, and its chroma stays close. The
// photos: the generated 3000² studio shot (its variants need 1/8, 1/4 and 3/4 scale),
// a real photograph, and a studio shot stored rotated with its EXIF orientation
// (orientation is applied after the resize, so the reduced path must agree there too).
func TestReducedDecodeQuality(t *testing.T) {
	wide := encodeJPEG(t, studioPhoto(3600, 2400, 3), 90)
	photos := map[string][]byte{
		"studio 3000²":             photo3000(t),
		"landscape photo":          readFile(t, "testdata", "landscape-600x400.jpg"),
		"studio 3600×2400, EXIF 6": withOrientation(wide, 6),
		"studio 3600×2400, EXIF 3": withOrientation(wide, 3),
		"studio 3600×2400, EXIF 8": withOrientation(wide, 8),
	}
	reduced := 0
	for name, data := range photos {
		t.Run(name, func(t *testing.T) {
			ph, err := load(data, Options{})
			require.NoError(t, err)
			require.NotNil(t, ph.src.coef, "a YCbCr JPEG keeps its coefficients")
			W, H := float64(ph.src.w), float64(ph.src.h)
			for _, v := range variants {
				l := place(v, ph.info.Orientation, W, H, ph.subject, ph.enh.bd != nil)
				m := ph.src.scaleFor(l.scale)
				if m == 8 {
					continue
				}
				reduced++
				ph.src.prepare(m, l.win, l.pw, l.ph) // as Process does: the window and its reach
				got := render(ph.src.at(m), ph.src.factor(m), l, ph.info.Orientation, ph.cache, ph.enh)
				// prepare reconstructs enough: the whole plane gives the same canvas.
				all := render(wholeAt(ph.src, m), ph.src.factor(m), l, ph.info.Orientation, &shrinkCache{}, ph.enh)
				require.Equal(t, all.Y, got.Y, "%s at %d/8: luma outside what prepare made was read", v.Name, m)
				require.Equal(t, all.Cb, got.Cb, "%s at %d/8: chroma outside what prepare made was read", v.Name, m)
				want := render(wholeAt(ph.src, 8), 1, l, ph.info.Orientation, ph.cache, ph.enh)
				score := ssimLuma(canvasLuma(got), canvasLuma(want))
				t.Logf("%s at %d/8 (scale %.3f): SSIM %.4f", v.Name, m, l.scale, score)
				assert.GreaterOrEqual(t, score, 0.97, "%s at %d/8", v.Name, m)
				cb := meanAbsDiff(t, ycbcrRGBA(got), ycbcrRGBA(want))
				assert.Less(t, cb, 3.0, "%s at %d/8: mean RGB difference", v.Name, m)
			}
		})
	}
	assert.Greater(t, reduced, 12, "the photos exercise the reduced decode")
}

// wholeAt returns s's planes at m/8 with every block reconstructed.
func wholeAt(s *source, m int) ycc {
	for i := range 3 {
		s.whole(i, m)
	}
	return s.at(m)
}

// ycbcrRGBA converts a rendered canvas to RGBA for meanAbsDiff.
func ycbcrRGBA(c *image.YCbCr) *image.RGBA {
	out := image.NewRGBA(c.Rect)
	for y := range c.Rect.Dy() {
		for x := range c.Rect.Dx() {
			out.Set(x, y, c.At(x, y))
		}
	}
	return out
}

// TestReducedDecodeMatchesLibvips: the half-scale DCT reconstruction, resized by the
// stage's resampler where more is left, stays at SSIM 0.97 or above against libvips'
// Lanczos3 of the same photograph (the references of TestResizeMatchesLibvips).
func TestReducedDecodeMatchesLibvips(t *testing.T) {
	src, err := decodeSource(readFile(t, "testdata", "landscape-600x400.jpg"), JPEG)
	require.NoError(t, err)
	for _, tt := range []struct {
		ref  string
		w, h int
	}{
		{"vips-lanczos3-300.png", 300, 200},
		{"vips-lanczos3-200.png", 200, 133},
		{"vips-lanczos3-133.png", 133, 89},
	} {
		m, _, err := image.Decode(bytes.NewReader(readFile(t, "testdata", tt.ref)))
		require.NoError(t, err)
		g := m.(*image.Gray)
		ref := plane{pix: g.Pix, w: g.Rect.Dx(), h: g.Rect.Dy(), stride: g.Stride}
		k := src.scaleFor(float64(tt.w) / float64(src.w))
		require.Equal(t, 4, k, "%d px from 600 is made from the half-scale planes", tt.w)
		y := wholeAt(src, k).y
		got := resize(y, 0, 0, float64(src.w)*src.factor(k), float64(src.h)*src.factor(k), tt.w, tt.h, &shrinkCache{})
		score := ssimLuma(got, ref)
		t.Logf("%s: SSIM %.4f", tt.ref, score)
		assert.GreaterOrEqual(t, score, 0.97, tt.ref)
	}
}

// TestDecodePaths: greyscale and YCbCr JPEGs of every subsampling, baseline or
// progressive, take the coefficient path; CMYK and RGB-coded JPEGs and the other
// formats fall back to the full decoders. Every one goes through Process.
func TestDecodePaths(t *testing.T) {
	for _, tt := range []struct {
		file string
		coef bool
		grey bool
	}{
		{"video-001.q50.410.jpeg", true, false},
		{"video-001.q50.411.jpeg", true, false},
		{"video-001.q50.420.progressive.jpeg", true, false},
		{"video-001.q50.422.jpeg", true, false},
		{"video-001.q50.440.progressive.jpeg", true, false},
		{"video-001.q50.444.jpeg", true, false},
		{"video-001.restart2.jpeg", true, false},
		{"video-005.gray.jpeg", true, true},
		{"video-005.gray.q50.progressive.jpeg", true, true},
		{"video-001.cmyk.jpeg", false, false},
		{"video-001.rgb.jpeg", false, false},
		{"video-001.gif", false, false},
		{"video-001.lossy.webp", false, false},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data := readFile(t, "testdata", tt.file)
			info, err := Config(data, 0)
			require.NoError(t, err)
			src, err := decodeSource(data, info.Format)
			require.NoError(t, err)
			assert.Equal(t, tt.coef, src.coef != nil, "coefficient path")
			assert.Equal(t, [2]int{info.Width, info.Height}, [2]int{src.w, src.h})
			res, err := Process(data, allVariants, Options{})
			require.NoError(t, err)
			if tt.grey { // a grey photo's variants stay grey
				out := decodeRGBA(t, res.Outputs[3].JPEG)
				for i := 0; i < len(out.Pix); i += 4 {
					p := out.Pix[i : i+3]
					require.InDelta(t, int(p[0]), int(p[1]), 2, "grey photo's thumbnail has colour")
					require.InDelta(t, int(p[1]), int(p[2]), 2, "grey photo's thumbnail has colour")
				}
			}
		})
	}
	// A reduced plane of every subsampling agrees with the full decode box-reduced.
	for _, f := range []string{"video-001.q50.410.jpeg", "video-001.q50.422.jpeg", "video-001.q50.440.progressive.jpeg", "video-005.gray.jpeg"} {
		data := readFile(t, "testdata", f)
		src, err := decodeSource(data, JPEG)
		require.NoError(t, err)
		full, err := decodePlanes(data, JPEG)
		require.NoError(t, err)
		half, ref := wholeAt(src, 4), ycc{y: boxShrink(full.y, 2, 2)}
		assert.Equal(t, [2]int{ref.y.w, ref.y.h}, [2]int{half.y.w, half.y.h}, f)
		var diff float64
		for j := range ref.y.h {
			for i, v := range ref.y.row(j) {
				diff += abs(float64(v) - float64(half.y.row(j)[i]))
			}
		}
		assert.Less(t, diff/float64(ref.y.w*ref.y.h), 4.0, "%s: mean |1/2 decode − box of full|", f)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
