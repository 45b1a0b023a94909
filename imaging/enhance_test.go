package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lumaAt is the JFIF luma of an RGBA pixel.
func lumaAt(m *image.RGBA, x, y int) float64 {
	c := m.RGBAAt(x, y)
	return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
}

func TestProcessWhitensBackground(t *testing.T) {
	// A near-white, slightly noisy backdrop; a dark product with a near-white label
	// inside it, which is not background and must not be cut out.
	m := image.NewRGBA(image.Rect(0, 0, 1200, 1200))
	for y := range 1200 {
		for x := range 1200 {
			v := uint8(241 + (x*7+y*13)%9) // 241..249
			c := color.RGBA{v, v, v - 1, 255}
			if x >= 300 && x < 900 && y >= 200 && y < 1000 {
				c = color.RGBA{25, 25, 25, 255}
				if x >= 450 && x < 750 && y >= 500 && y < 700 {
					c = color.RGBA{242, 242, 242, 255}
				}
			}
			m.SetRGBA(x, y, c)
		}
	}
	data := encodePNG(t, m)
	matte, ph := fullMatte(t, data)
	require.NotNil(t, matte)
	assert.Equal(t, BackdropWhite, ph.analysis.Backdrop)
	for _, p := range []image.Point{{600, 600}, {460, 510}, {740, 690}} {
		assert.Equal(t, uint8(255), matte[p.Y*1200+p.X], "the label at %v is part of the product", p)
	}
	assert.Equal(t, uint8(0), matte[100*1200+100], "the backdrop")

	res, err := Process(data, []string{"hepsiburada", "amazon"}, Options{})
	require.NoError(t, err)
	out := decodeRGBA(t, res.Outputs[0].JPEG)
	// The 600×800 product is framed at 90 % of the height: 1350 px, centred.
	product := contentBox(out)
	assert.InDelta(t, 1350, product.Dy(), 4)
	assert.InDelta(t, 1012, product.Dx(), 4)
	nonWhite := 0
	for y := range 1500 {
		for x := range 1500 {
			if !image.Pt(x, y).In(product.Inset(-16)) && out.RGBAAt(x, y) != (color.RGBA{255, 255, 255, 255}) {
				nonWhite++
			}
		}
	}
	assert.Zero(t, nonWhite)
	// The label stays inside the product, as light as it was or lighter (the white
	// point moves the lightest tones to white), and the dark body stays dark.
	// The label is at (150..450, 300..500) of the product, drawn 1.6875 times larger.
	label := image.Rect(product.Min.X+270, product.Min.Y+520, product.Min.X+740, product.Min.Y+830)
	var sum float64
	for y := label.Min.Y; y < label.Max.Y; y++ {
		for x := label.Min.X; x < label.Max.X; x++ {
			sum += lumaAt(out, x, y)
		}
	}
	assert.GreaterOrEqual(t, sum/float64(label.Dx()*label.Dy()), 240.0)
	assert.Less(t, lumaAt(out, product.Min.X+60, product.Min.Y+60), 32.0)

	for _, v := range []string{"hepsiburada", "amazon"} {
		assert.Contains(t, res.Analysis.Compliance[v].Notes, "background whitened", v)
		assert.Contains(t, res.Analysis.Compliance[v].Notes, "re-centred and cropped: product fills 90% of the frame (was 67%)", v)
		assert.Contains(t, res.Analysis.Compliance[v].Notes, "enlarged 1.7× (Stox enlarges at most 2×): it looks softer than a larger photo would", v)
	}
	// 1200 px is above Amazon's 1000 px floor and the product now fills 90 %.
	assert.Equal(t, ComplianceFixed, res.Analysis.Compliance["amazon"].Status)
	assert.Equal(t, ComplianceFixed, res.Analysis.Compliance["hepsiburada"].Status)
}

func TestSharpen(t *testing.T) {
	flat := flatPlane(20, 20, 200)
	sharpen(flat)
	assert.Equal(t, flatPlane(20, 20, 200).pix, flat.pix, "flat stays flat")

	// Noise smaller than the flat threshold is left alone.
	noisy := newPlane(20, 20)
	for i := range noisy.pix {
		noisy.pix[i] = byte(100 + i%3)
	}
	want := string(noisy.pix)
	sharpen(noisy)
	assert.Equal(t, want, string(noisy.pix))

	// A step edge gets overshoot on both sides, capped.
	step := newPlane(20, 5)
	for y := range 5 {
		for x := range 20 {
			step.pix[y*20+x] = map[bool]byte{true: 50, false: 200}[x < 10]
		}
	}
	sharpen(step)
	r := step.row(2)
	assert.Less(t, r[9], byte(50))
	assert.Greater(t, r[10], byte(200))
	assert.GreaterOrEqual(t, r[9], byte(0))
	assert.LessOrEqual(t, r[10], byte(200+25)) // brightening is capped at 25
	assert.Equal(t, byte(50), r[0])
	assert.Equal(t, byte(200), r[19])
}

func TestProcessWhiteBalance(t *testing.T) {
	// A warm cast over the studio photo: grey-world takes it out of the product when
	// asked, and leaves it when not.
	clean := studioPhoto(600, 600, 3)
	warm := studioPhoto(600, 600, 3)
	for i := 0; i < len(warm.Pix); i += 4 {
		warm.Pix[i] = clamp8(float64(warm.Pix[i]) * 1.12)
		warm.Pix[i+2] = clamp8(float64(warm.Pix[i+2]) * 0.85)
	}
	// The red-blue balance of the product's middle, which the bottle fills.
	cast := func(m *image.RGBA, opts Options) float64 {
		res, err := Process(encodeJPEG(t, m, 92), []string{"hepsiburada"}, opts)
		require.NoError(t, err)
		out := decodeRGBA(t, res.Outputs[0].JPEG)
		var rb float64
		for y := 450; y < 1050; y += 10 {
			for x := 600; x < 900; x += 10 {
				c := out.RGBAAt(x, y)
				rb += float64(c.R) - float64(c.B)
			}
		}
		return rb / 60 / 30
	}
	ref := cast(clean, Options{})
	off, on := cast(warm, Options{}), cast(warm, Options{WhiteBalance: true})
	assert.Greater(t, off-ref, 20.0, "the cast shows without white balance")
	assert.Less(t, math.Abs(on-ref), (off-ref)/2, "white balance takes most of it out")
}

func TestPHash(t *testing.T) {
	studio := studioPhoto(900, 900, 1)
	hash := func(data []byte) string {
		res, err := Process(data, []string{Thumbnail}, Options{})
		require.NoError(t, err)
		require.Len(t, res.Analysis.PHash, 16)
		return res.Analysis.PHash
	}
	ref := hash(encodeJPEG(t, studio, 90))
	dist := func(a, b string) int {
		d, err := PHashDistance(a, b)
		require.NoError(t, err)
		return d
	}
	same := map[string][]byte{
		"re-encoded q60":   encodeJPEG(t, studio, 60),
		"PNG":              encodePNG(t, studio),
		"other noise":      encodeJPEG(t, studioPhoto(900, 900, 9), 90),
		"smaller, blurred": encodeJPEG(t, boxBlur(studioPhoto(450, 450, 1), 1), 85),
	}
	for name, data := range same {
		assert.LessOrEqual(t, dist(ref, hash(data)), 4, name)
	}
	different := map[string][]byte{
		"box off-centre": encodeJPEG(t, whitePhoto(900, 300, 300, 200, 250), 90),
		"wide box low":   encodeJPEG(t, whitePhoto(900, 800, 200, 450, 750), 90),
	}
	for name, data := range different {
		assert.Greater(t, dist(ref, hash(data)), 10, name)
	}

	// Orientation: the hash is of the upright photo.
	up := hash(readFile(t, fixtures(t), "Landscape_1.jpg"))
	for n := 2; n <= 8; n++ {
		assert.LessOrEqual(t, dist(up, hash(readFile(t, fixtures(t), fmt.Sprintf("Landscape_%d.jpg", n)))), 4, "orientation %d", n)
	}
	_, err := PHashDistance("xyz", ref)
	assert.Error(t, err)
}

func TestExposure(t *testing.T) {
	tests := []struct {
		name string
		m    image.Image
		want string
	}{
		{"studio", studioPhoto(400, 400, 2), "ok"},
		{"dark", solid(400, 400, color.RGBA{30, 30, 35, 255}), "under"},
		{"washed out", solid(400, 400, color.RGBA{225, 225, 220, 255}), "over"},
		{"dark product on white", whitePhoto(400, 200, 200, 200, 200), "under"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(encodeJPEG(t, tt.m, 90), []string{Thumbnail}, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Analysis.Exposure)
		})
	}
}

func TestProcessCompliance(t *testing.T) {
	rose := roseCutout(t)
	onGrey := func(w, h int, scale float64) image.Image {
		m, _ := compose(rose, scene{w: w, h: h, bg: plainBackdrop(150, 150, 152), scale: scale, cx: 0.5, cy: 0.5, noise: 2}, 1)
		return m
	}
	tests := []struct {
		name   string
		m      image.Image
		status string
		notes  []string
	}{
		{"small subject on white re-centred", whitePhoto(2000, 1300, 1000, 900, 1100), ComplianceFixed,
			[]string{"background whitened", "re-centred and cropped: product fills 90% of the frame (was 65%)"}},
		{"grey backdrop replaced", onGrey(1600, 1200, 2.5), ComplianceFixed,
			[]string{"plain grey backdrop replaced with pure white", "re-centred and cropped"}},
		{"too small a source", onGrey(640, 480, 1), ComplianceFail,
			[]string{"source is 640 px on its longest side; Amazon's main-image policy asks for at least 1000", "enlarged 2.0×", "product fills 54% of the frame; Amazon needs 85%"}},
		{"busy scene", photoBackdropImage(t, "landscape-600x400.jpg", 1500, 1000), ComplianceFail,
			[]string{"background not white: a busy scene is left as it is"}},
		{"subject too small to frame", whitePhoto(2000, 300, 200, 1000, 1000), ComplianceFail,
			[]string{"enlarged 2.0×", "% of the frame; Amazon needs 85%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(encodeJPEG(t, tt.m, 90), []string{"amazon", Thumbnail}, Options{})
			require.NoError(t, err)
			require.Len(t, res.Analysis.Compliance, 1, "the thumbnail has no rules")
			c := res.Analysis.Compliance["amazon"]
			assert.Equal(t, tt.status, c.Status, "%q", c.Notes)
			for _, want := range tt.notes {
				found := false
				for _, n := range c.Notes {
					found = found || strings.Contains(n, want)
				}
				assert.True(t, found, "%q not in %q", want, c.Notes)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(res.Outputs[0].JPEG))
			require.NoError(t, err)
			assert.Equal(t, 1500, cfg.Width)
		})
	}
}

// photoBackdropImage is the named photograph stretched to w×h.
func photoBackdropImage(t *testing.T, name string, w, h int) image.Image {
	m, _ := compose(cutout{}, scene{w: w, h: h, bg: photoBackdrop(t, name), scale: 1}, 1)
	return m
}

// TestSharpenFusedMatchesTwoPass: the fused sharpen gives exactly the two-pass result,
// edges included, on planes down to the smallest it changes.
func TestSharpenFusedMatchesTwoPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, size := range [][2]int{{3, 3}, {4, 7}, {5, 5}, {64, 3}, {301, 217}} {
		a := newPlane(size[0], size[1])
		for i := range a.pix {
			a.pix[i] = byte(rng.IntN(256))
		}
		b := newPlane(a.w, a.h)
		copy(b.pix, a.pix)
		sharpen(a)
		sharpenTwoPass(b)
		require.Equal(t, b.pix, a.pix, "%v", size)
	}
}

// sharpenTwoPass is sharpen as first written, two whole passes over a w×h buffer: the
// reference the fused version must match exactly. The blur is the separable 5-tap
// integer Gaussian (6, 58, 128, 58, 6)/256, sigma ≈ 0.8, edges clamped.
func sharpenTwoPass(p plane) {
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
