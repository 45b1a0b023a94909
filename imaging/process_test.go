package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allVariants = []string{"amazon", "trendyol", "hepsiburada", Thumbnail}

// contentBox is the bounding box of pixels of m that are clearly not white.
func contentBox(m *image.RGBA) image.Rectangle {
	box := image.Rectangle{Min: m.Rect.Max, Max: m.Rect.Min}
	for y := range m.Rect.Dy() {
		for x := range m.Rect.Dx() {
			c := m.RGBAAt(x, y)
			if min(c.R, c.G, c.B) < 200 {
				box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
				box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
			}
		}
	}
	return box
}

// TestProcessVariants places photos of several shapes on every variant and checks the
// output size, where the photo lands and that the canvas around it is pure white.
func TestProcessVariants(t *testing.T) {
	blue := color.RGBA{40, 90, 180, 255}
	tests := []struct {
		name string
		w, h int
	}{
		{"landscape 16:9", 1600, 900},
		{"portrait 3:5", 600, 1000},
		{"square", 800, 800},
		{"tiny, enlarged", 12, 7},
		{"very wide", 2000, 40},
		{"one column", 1, 900},
		{"one pixel", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encodeJPEG(t, solid(tt.w, tt.h, blue), 90)
			res, err := Process(data, allVariants, Options{})
			require.NoError(t, err)
			require.Len(t, res.Outputs, len(allVariants))
			assert.Equal(t, Info{JPEG, tt.w, tt.h, 1}, res.Info)
			for i, out := range res.Outputs {
				spec, err := LookupVariant(allVariants[i])
				require.NoError(t, err)
				assert.Equal(t, spec.Name, out.Variant)
				assert.Equal(t, spec.Width, out.Width)
				assert.Equal(t, spec.Height, out.Height)

				cfg, err := jpeg.DecodeConfig(bytes.NewReader(out.JPEG))
				require.NoError(t, err)
				assert.Equal(t, spec.Width, cfg.Width, spec.Name)
				assert.Equal(t, spec.Height, cfg.Height, spec.Name)
				assert.Equal(t, byte(0xc0), sofMarker(t, out.JPEG), "%s is not baseline", spec.Name)

				m := decodeRGBA(t, out.JPEG)
				scale := math.Min(float64(spec.Width)/float64(tt.w), float64(spec.Height)/float64(tt.h))
				wantW, wantH := float64(tt.w)*scale, float64(tt.h)*scale
				box := contentBox(m)
				assert.InDelta(t, wantW, box.Dx(), 2.5, "%s: photo width", spec.Name)
				assert.InDelta(t, wantH, box.Dy(), 2.5, "%s: photo height", spec.Name)
				// Centred within a pixel (offsets are kept even for the chroma grid).
				assert.InDelta(t, spec.Width-box.Max.X, box.Min.X, 2, "%s: horizontal centring", spec.Name)
				assert.InDelta(t, spec.Height-box.Max.Y, box.Min.Y, 2, "%s: vertical centring", spec.Name)
				// The middle of the photo keeps its colour (JPEG smears slivers).
				if box.Dx() >= 16 && box.Dy() >= 16 {
					c := m.RGBAAt(box.Min.X+box.Dx()/2, box.Min.Y+box.Dy()/2)
					assert.InDelta(t, blue.B, c.B, 6, spec.Name)
					assert.InDelta(t, blue.R, c.R, 6, spec.Name)
				}

				// Outside the photo's 16-pixel JPEG blocks, the canvas is exactly white.
				outside := box.Inset(-16)
				nonWhite := 0
				for y := range spec.Height {
					for x := range spec.Width {
						if !image.Pt(x, y).In(outside) && m.RGBAAt(x, y) != (color.RGBA{255, 255, 255, 255}) {
							nonWhite++
						}
					}
				}
				assert.Zero(t, nonWhite, "%s: canvas pixels that are not 255", spec.Name)
			}
		})
	}
}

// sofMarker returns the first start-of-frame marker of a JPEG.
func sofMarker(t *testing.T, data []byte) byte {
	t.Helper()
	for i := 2; i+4 <= len(data); {
		require.Equal(t, byte(0xff), data[i])
		m := data[i+1]
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			return m
		}
		i += 2 + int(data[i+2])<<8 | int(data[i+3])
	}
	t.Fatal("no SOF marker")
	return 0
}

func TestProcessFlattensPNGAlpha(t *testing.T) {
	// Left half transparent (with a colour that must not show), right half opaque red.
	m := image.NewNRGBA(image.Rect(0, 0, 600, 600))
	for y := range 600 {
		for x := range 600 {
			if x < 300 {
				m.SetNRGBA(x, y, color.NRGBA{0, 255, 0, 0})
			} else {
				m.SetNRGBA(x, y, color.NRGBA{210, 20, 20, 255})
			}
		}
	}
	res, err := Process(encodePNG(t, m), []string{Thumbnail, "amazon"}, Options{})
	require.NoError(t, err)
	assert.Equal(t, PNG, res.Info.Format)
	thumb := decodeRGBA(t, res.Outputs[0].JPEG)
	for y := 0; y < 300; y += 7 {
		for x := 0; x < 140; x += 7 { // clear of the edge's JPEG block
			require.Equal(t, color.RGBA{255, 255, 255, 255}, thumb.RGBAAt(x, y), "at %d,%d", x, y)
		}
	}
	// Auto-level stretches the two tones apart (the red is the 0.5 % percentile, so it
	// darkens), but it stays a saturated red.
	red := thumb.RGBAAt(250, 150)
	assert.Greater(t, int(red.R), 150)
	assert.Less(t, int(red.G), 30)
	assert.Less(t, int(red.B), 30)
	// The white half is background: the subject box is the red half.
	assert.InDelta(t, 0.5, res.Analysis.Fill, 0.02)
	require.NotEmpty(t, res.Analysis.Colors)
	assert.Equal(t, "red", res.Analysis.Colors[0].EN)
	assert.Equal(t, "kırmızı", res.Analysis.Colors[0].TR)
}

func TestProcessGIFFirstFrame(t *testing.T) {
	frame := func(c color.Color) *image.Paletted {
		p := image.NewPaletted(image.Rect(0, 0, 64, 48), color.Palette{c})
		return p
	}
	g := &gif.GIF{
		Image: []*image.Paletted{frame(color.RGBA{30, 40, 200, 255}), frame(color.RGBA{230, 200, 30, 255})},
		Delay: []int{10, 10},
	}
	res, err := Process(encodeGIF(t, g), []string{Thumbnail}, Options{})
	require.NoError(t, err)
	assert.Equal(t, GIF, res.Info.Format)
	c := decodeRGBA(t, res.Outputs[0].JPEG).RGBAAt(150, 150)
	assert.InDelta(t, 200, c.B, 6)
	assert.InDelta(t, 30, c.R, 6)
	require.NotEmpty(t, res.Analysis.Colors)
	assert.Equal(t, "blue", res.Analysis.Colors[0].EN)
}

// whitePhoto is a white studio photo with a dark w×h subject centred at (cx, cy).
func whitePhoto(size, w, h, cx, cy int) *image.RGBA {
	m := solid(size, size, color.RGBA{255, 255, 255, 255})
	for y := cy - h/2; y < cy+h/2; y++ {
		for x := cx - w/2; x < cx+w/2; x++ {
			m.SetRGBA(x, y, color.RGBA{25, 35, 90, 255})
		}
	}
	return m
}

func TestProcessAmazonSubjectFill(t *testing.T) {
	tests := []struct {
		name           string
		photo          *image.RGBA
		amazonMinSpan  float64 // least share of the canvas side the subject spans on amazon
		amazonMaxSpan  float64
		hepsiburadaSpn float64 // hepsiburada is never cropped
	}{
		// 1300 px of 2000 spans 65 % when fitted; amazon crops to reach 85 %.
		{"small subject is brought to 85 %", whitePhoto(2000, 1300, 1000, 900, 1100), 0.85, 0.93, 0.65},
		// 400 px of 2000: reaching 85 % would mean enlarging past the photo's own
		// resolution, so amazon stops at 1:1 (400 of 1500).
		{"no enlargement past native resolution", whitePhoto(2000, 400, 300, 1000, 1000), 400.0 / 1500, 400.0 / 1500, 0.2},
		// Already 90 %: left alone.
		{"large subject is left alone", whitePhoto(2000, 1800, 1200, 1000, 1000), 0.9, 0.9, 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(encodeJPEG(t, tt.photo, 90), []string{"amazon", "hepsiburada"}, Options{})
			require.NoError(t, err)
			assert.InDelta(t, 1, res.Analysis.Background, 0.01)
			amazon := contentBox(decodeRGBA(t, res.Outputs[0].JPEG))
			span := float64(max(amazon.Dx(), amazon.Dy())) / 1500
			assert.GreaterOrEqual(t, span, tt.amazonMinSpan-0.005)
			assert.LessOrEqual(t, span, tt.amazonMaxSpan+0.005)
			hb := contentBox(decodeRGBA(t, res.Outputs[1].JPEG))
			assert.InDelta(t, tt.hepsiburadaSpn, float64(max(hb.Dx(), hb.Dy()))/1500, 0.005)
		})
	}
}

func TestProcessAnalysis(t *testing.T) {
	sharp := studioPhoto(800, 800, 5)
	sharpRes, err := Process(encodeJPEG(t, sharp, 95), nil, Options{})
	require.NoError(t, err)
	blurred, err := Process(encodeJPEG(t, boxBlur(sharp, 4), 95), nil, Options{})
	require.NoError(t, err)
	assert.Greater(t, sharpRes.Analysis.Sharpness, 3*blurred.Analysis.Sharpness)
	assert.InDelta(t, sharpRes.Analysis.Brightness, blurred.Analysis.Brightness, 1)
	assert.Zero(t, sharpRes.Analysis.Background, "grey sweep is not a white background")
	assert.Greater(t, sharpRes.Analysis.Fill, 0.95, "no white background: the whole frame is the subject")

	tests := []struct {
		name       string
		photo      image.Image
		brightness float64
		background float64
		fill       float64
		colors     []string
	}{
		{"mid grey", solid(300, 200, color.RGBA{100, 100, 100, 255}), 100, 0, 1, []string{"gray"}},
		{"white", solid(300, 200, color.RGBA{255, 255, 255, 255}), 255, 1, 0, []string{"white"}},
		{"navy subject on white", whitePhoto(1000, 500, 500, 500, 500), 0.75*255 + 0.25*37, 1, 0.25, []string{"navy"}},
		{"yellow and black", func() image.Image {
			m := solid(400, 400, color.RGBA{240, 210, 40, 255})
			for y := range 400 {
				for x := 240; x < 400; x++ {
					m.SetRGBA(x, y, color.RGBA{15, 15, 15, 255})
				}
			}
			return m
		}(), 0.6*(0.299*240+0.587*210+0.114*40) + 0.4*15, 0, 1, []string{"yellow", "black"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(encodePNG(t, tt.photo), nil, Options{})
			require.NoError(t, err)
			a := res.Analysis
			assert.InDelta(t, tt.brightness, a.Brightness, 3)
			assert.InDelta(t, tt.background, a.Background, 0.01)
			assert.InDelta(t, tt.fill, a.Fill, 0.02)
			var names []string
			for _, c := range a.Colors {
				names = append(names, c.EN)
				assert.Regexp(t, `^#[0-9a-f]{6}$`, c.Hex)
				assert.NotEmpty(t, c.TR)
			}
			assert.Equal(t, tt.colors, names)
		})
	}
}

func TestNearestPalette(t *testing.T) {
	for i, p := range palette {
		assert.Equal(t, i, nearestPalette(p.r, p.g, p.b), "%s is its own nearest colour", p.en)
	}
	tests := []struct {
		r, g, b uint8
		want    string
	}{
		{255, 0, 0, "red"},
		{0, 0, 128, "navy"},
		{0, 0, 255, "blue"},
		{220, 200, 160, "beige"},
		{139, 69, 19, "brown"},
		{255, 192, 203, "pink"},
		{0, 128, 0, "green"},
		{0, 0, 0, "black"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, palette[nearestPalette(tt.r, tt.g, tt.b)].en)
		})
	}
}

func TestProcessDeterministic(t *testing.T) {
	data := encodeJPEG(t, studioPhoto(1200, 900, 9), 90)
	a, err := Process(data, []string{"amazon", "hepsiburada", Thumbnail, "amazon"}, Options{})
	require.NoError(t, err)
	b, err := Process(data, []string{"amazon", "hepsiburada", Thumbnail, "amazon"}, Options{})
	require.NoError(t, err)
	assert.Equal(t, a, b)
	// The grey sweep is no white background, so amazon is not cropped and equals
	// hepsiburada; the duplicate name gets the same bytes.
	assert.Equal(t, a.Outputs[0].JPEG, a.Outputs[1].JPEG)
	assert.Equal(t, a.Outputs[0].JPEG, a.Outputs[3].JPEG)
	assert.NotEqual(t, a.Outputs[0].JPEG, a.Outputs[2].JPEG)
}

func TestProcessOptions(t *testing.T) {
	data := encodeJPEG(t, studioPhoto(300, 300, 2), 90)
	t.Run("unknown variant, before any decoding", func(t *testing.T) {
		_, err := Process([]byte("not even an image"), []string{"amazon", "ebay"}, Options{})
		assert.ErrorIs(t, err, ErrUnknownVariant)
	})
	t.Run("quality", func(t *testing.T) {
		lo, err := Process(data, []string{Thumbnail}, Options{Quality: 20})
		require.NoError(t, err)
		hi, err := Process(data, []string{Thumbnail}, Options{Quality: 95})
		require.NoError(t, err)
		assert.Less(t, len(lo.Outputs[0].JPEG), len(hi.Outputs[0].JPEG))
		_, err = Process(data, []string{Thumbnail}, Options{Quality: 101})
		assert.Error(t, err)
	})
	t.Run("max pixels", func(t *testing.T) {
		_, err := Process(data, []string{Thumbnail}, Options{MaxPixels: 300*300 - 1})
		assert.ErrorIs(t, err, ErrTooLarge)
	})
}

func TestVariants(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Variants() {
		assert.False(t, seen[v.Name], "duplicate %s", v.Name)
		seen[v.Name] = true
		assert.Positive(t, v.Width)
		assert.Positive(t, v.Height)
		got, err := LookupVariant(v.Name)
		require.NoError(t, err)
		assert.Equal(t, v, got)
	}
	for _, m := range []string{"amazon", "trendyol", "hepsiburada", Thumbnail} {
		assert.True(t, seen[m], "no spec for %s", m)
	}
	_, err := LookupVariant("Amazon")
	assert.ErrorIs(t, err, ErrUnknownVariant)
}

// FuzzProcess feeds arbitrary bytes to the whole pipeline: it may refuse them, but only
// with one of the input sentinels, and it must never panic.
func FuzzProcess(f *testing.F) {
	f.Add(encodeJPEG(f, studioPhoto(24, 16, 1), 80))
	f.Add(encodePNG(f, image.NewNRGBA(image.Rect(0, 0, 5, 9))))
	f.Add(encodeGIF(f, &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 3, 3), color.Palette{color.Black})}, Delay: []int{0}}))
	f.Add(readFile(f, "testdata", "video-001.lossy.webp"))
	f.Add(exifJPEG(binary.BigEndian, 3, 6))
	f.Add(pngHeader(30000, 30000))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Process(data, []string{Thumbnail}, Options{MaxPixels: 1 << 16})
		if err != nil {
			if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error without an input sentinel: %v", err)
			}
			return
		}
		if len(res.Outputs) != 1 || res.Outputs[0].Width != 300 {
			t.Fatalf("unexpected result %v", fmt.Sprint(res.Outputs))
		}
	})
}

// boxBlur averages each pixel's (2r+1)² neighbourhood, clamped at the edges.
func boxBlur(m *image.RGBA, r int) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for y := range h {
		for x := range w {
			var s [3]int
			n := 0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					c := m.RGBAAt(min(max(x+dx, 0), w-1), min(max(y+dy, 0), h-1))
					s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
					n++
				}
			}
			out.SetRGBA(x, y, color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255})
		}
	}
	return out
}
