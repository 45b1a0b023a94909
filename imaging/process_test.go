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

// TestProcessVariants places photos of one colour (an empty backdrop: nothing to cut
// out) of several shapes on every variant and checks the output size, where the photo
// lands (fitted whole, enlarged at most 2×) and that the canvas around it is pure
// white.
func TestProcessVariants(t *testing.T) {
	blue := color.RGBA{40, 90, 180, 255}
	tests := []struct {
		name string
		w, h int
	}{
		{"landscape 16:9", 1600, 900},
		{"portrait 3:5", 600, 1000},
		{"square", 800, 800},
		{"tiny, enlarged twice at most", 12, 7},
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
				scale := min(float64(spec.Width)/float64(tt.w), float64(spec.Height)/float64(tt.h), maxEnlarge)
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
	// A red disc on transparency (with a colour that must not show): a cut-out,
	// flattened onto white and separated from it.
	m := image.NewNRGBA(image.Rect(0, 0, 1200, 1200))
	for y := range 1200 {
		for x := range 1200 {
			dx, dy := float64(x-600), float64(y-600)
			if dx*dx+dy*dy < 400*400 {
				m.SetNRGBA(x, y, color.NRGBA{210, 20, 20, 255})
			} else {
				m.SetNRGBA(x, y, color.NRGBA{0, 255, 0, 0})
			}
		}
	}
	res, err := Process(encodePNG(t, m), []string{Thumbnail, "amazon"}, Options{})
	require.NoError(t, err)
	assert.Equal(t, PNG, res.Info.Format)
	a := res.Analysis
	assert.Equal(t, BackdropWhite, a.Backdrop)
	assert.True(t, a.Separated)
	assert.InDelta(t, 800.0*800/1200/1200, a.Fill, 0.01)
	require.NotEmpty(t, a.SubjectColors)
	assert.Equal(t, "red", a.SubjectColors[0].EN)
	assert.Equal(t, "kırmızı", a.SubjectColors[0].TR)
	thumb := decodeRGBA(t, res.Outputs[0].JPEG)
	for _, p := range []image.Point{{3, 3}, {296, 3}, {3, 296}, {296, 296}, {40, 40}} {
		assert.Equal(t, color.RGBA{255, 255, 255, 255}, thumb.RGBAAt(p.X, p.Y), "at %v", p)
	}
	// The red keeps its colour: the tone curve leaves a flat colour alone.
	red := thumb.RGBAAt(150, 150)
	assert.InDelta(t, 210, int(red.R), 6)
	assert.InDelta(t, 20, int(red.G), 6)
	assert.InDelta(t, 20, int(red.B), 6)

	// Half transparent, half red to the frame's edges: the red runs out of the frame
	// on three sides, which is a scene, not a product on a backdrop. It is left as it
	// is.
	half := image.NewNRGBA(image.Rect(0, 0, 600, 600))
	for y := range 600 {
		for x := range 600 {
			if x >= 300 {
				half.SetNRGBA(x, y, color.NRGBA{210, 20, 20, 255})
			}
		}
	}
	res, err = Process(encodePNG(t, half), []string{Thumbnail}, Options{})
	require.NoError(t, err)
	assert.Equal(t, BackdropBusy, res.Analysis.Backdrop)
	assert.False(t, res.Analysis.Separated)
	var names []string
	for _, c := range res.Analysis.Colors {
		names = append(names, c.EN)
	}
	assert.ElementsMatch(t, []string{"white", "red"}, names)
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

// TestFraming checks that a subject separated from its backdrop is cropped to and
// centred on every marketplace's canvas with the margins its rules ask for, spanning
// 1-2×Margin of the side that limits it, and never enlarged past 2×.
func TestFraming(t *testing.T) {
	tests := []struct {
		name  string
		photo *image.RGBA
		w, h  int // the subject's size in the photo
	}{
		{"small subject, off-centre", whitePhoto(3000, 600, 700, 900, 2000), 600, 700},
		{"wide subject", whitePhoto(3000, 2400, 800, 1500, 1500), 2400, 800},
		{"tall subject", whitePhoto(3000, 500, 2500, 1500, 1500), 500, 2500},
		{"subject larger than the margins allow", whitePhoto(2000, 1960, 1960, 1000, 1000), 1960, 1960},
		{"subject too small to frame", whitePhoto(3000, 300, 200, 1200, 1200), 300, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(encodeJPEG(t, tt.photo, 90), allVariants, Options{})
			require.NoError(t, err)
			require.True(t, res.Analysis.Separated)
			for _, out := range res.Outputs {
				spec, err := LookupVariant(out.Variant)
				require.NoError(t, err)
				cw, ch := float64(spec.Width), float64(spec.Height)
				fill := 1 - 2*spec.Margin
				scale := min(fill*cw/float64(tt.w), fill*ch/float64(tt.h), maxEnlarge)
				box := contentBox(decodeRGBA(t, out.JPEG))
				assert.InDelta(t, float64(tt.w)*scale, box.Dx(), 6, "%s: width %v", out.Variant, box)
				assert.InDelta(t, float64(tt.h)*scale, box.Dy(), 6, "%s: height %v", out.Variant, box)
				assert.InDelta(t, spec.Width-box.Max.X, box.Min.X, 4, "%s: horizontal centring %v", out.Variant, box)
				assert.InDelta(t, spec.Height-box.Max.Y, box.Min.Y, 4, "%s: vertical centring %v", out.Variant, box)
			}
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
	assert.Equal(t, BackdropGradient, sharpRes.Analysis.Backdrop)
	// The bottle is 44 % × 76 % of the frame, so its box covers about a third.
	assert.InDelta(t, 0.44*0.76, sharpRes.Analysis.Fill, 0.03, "the subject's box, not the frame")

	tests := []struct {
		name       string
		photo      image.Image
		brightness float64
		background float64
		fill       float64
		colors     []string
	}{
		{"empty grey backdrop", solid(300, 200, color.RGBA{100, 100, 100, 255}), 100, 0, 0, []string{"gray"}},
		{"empty white backdrop", solid(300, 200, color.RGBA{255, 255, 255, 255}), 255, 1, 0, []string{"white"}},
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

// TestProcessOddSizes runs a subject on white at awkward sizes (odd, tiny, thin)
// through every variant: the backdrop model, the matte and the framing must cope, and
// every output has its exact size.
func TestProcessOddSizes(t *testing.T) {
	tests := []struct {
		name      string
		w, h      int
		separated bool // too thin a photo leaves no backdrop to model
	}{
		{"9×9", 9, 9, true},
		{"16×10", 16, 10, true},
		{"33×17", 33, 17, true},
		{"thin column", 3, 400, false},
		{"thin row", 400, 3, false},
		{"101×99", 101, 99, true},
		{"513×257", 513, 257, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := solid(tt.w, tt.h, color.RGBA{250, 250, 250, 255})
			for y := tt.h / 3; y < max(tt.h*2/3, tt.h/3+1); y++ {
				for x := tt.w / 3; x < max(tt.w*2/3, tt.w/3+1); x++ {
					m.SetRGBA(x, y, color.RGBA{30, 60, 160, 255})
				}
			}
			res, err := Process(encodePNG(t, m), allVariants, Options{})
			require.NoError(t, err)
			require.Len(t, res.Outputs, len(allVariants))
			assert.Equal(t, tt.separated, res.Analysis.Separated, "backdrop %s", res.Analysis.Backdrop)
			for _, out := range res.Outputs {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(out.JPEG))
				require.NoError(t, err)
				assert.Equal(t, [2]int{out.Width, out.Height}, [2]int{cfg.Width, cfg.Height}, out.Variant)
			}
		})
	}
}
