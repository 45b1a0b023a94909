package imaging

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ciede2000 is the CIEDE2000 colour difference of two CIE L*a*b* colours (Sharma, Wu
// and Dalal, 2005), with kL = kC = kH = 1.
func ciede2000(a, b [3]float64) float64 {
	const deg = math.Pi / 180
	c1, c2 := math.Hypot(a[1], a[2]), math.Hypot(b[1], b[2])
	cm := (c1 + c2) / 2
	g := 0.5 * (1 - math.Sqrt(math.Pow(cm, 7)/(math.Pow(cm, 7)+math.Pow(25, 7))))
	a1, a2 := (1+g)*a[1], (1+g)*b[1]
	c1p, c2p := math.Hypot(a1, a[2]), math.Hypot(a2, b[2])
	hue := func(b, a float64) float64 {
		if a == 0 && b == 0 {
			return 0
		}
		h := math.Atan2(b, a) / deg
		if h < 0 {
			h += 360
		}
		return h
	}
	h1, h2 := hue(a[2], a1), hue(b[2], a2)
	dL, dC := b[0]-a[0], c2p-c1p
	var dh float64
	if c1p*c2p != 0 {
		dh = h2 - h1
		switch {
		case dh > 180:
			dh -= 360
		case dh < -180:
			dh += 360
		}
	}
	dH := 2 * math.Sqrt(c1p*c2p) * math.Sin(dh/2*deg)
	lm, cmp := (a[0]+b[0])/2, (c1p+c2p)/2
	hm := h1 + h2
	if c1p*c2p != 0 {
		switch {
		case math.Abs(h1-h2) <= 180:
			hm /= 2
		case h1+h2 < 360:
			hm = (hm + 360) / 2
		default:
			hm = (hm - 360) / 2
		}
	}
	t := 1 - 0.17*math.Cos((hm-30)*deg) + 0.24*math.Cos(2*hm*deg) + 0.32*math.Cos((3*hm+6)*deg) - 0.2*math.Cos((4*hm-63)*deg)
	dTheta := 30 * math.Exp(-math.Pow((hm-275)/25, 2))
	rc := 2 * math.Sqrt(math.Pow(cmp, 7)/(math.Pow(cmp, 7)+math.Pow(25, 7)))
	sl := 1 + 0.015*(lm-50)*(lm-50)/math.Sqrt(20+(lm-50)*(lm-50))
	sc := 1 + 0.045*cmp
	sh := 1 + 0.015*cmp*t
	rt := -math.Sin(2*dTheta*deg) * rc
	return math.Sqrt(math.Pow(dL/sl, 2) + math.Pow(dC/sc, 2) + math.Pow(dH/sh, 2) + rt*(dC/sc)*(dH/sh))
}

// TestCIEDE2000 checks the test's colour difference against pairs from Sharma, Wu and
// Dalal's published test data.
func TestCIEDE2000(t *testing.T) {
	tests := []struct {
		name string
		a, b [3]float64
		want float64
	}{
		{"pair 1", [3]float64{50, 2.6772, -79.7751}, [3]float64{50, 0, -82.7485}, 2.0425},
		{"pair 2", [3]float64{50, 3.1571, -77.2803}, [3]float64{50, 0, -82.7485}, 2.8615},
		{"pair 3", [3]float64{50, 2.8361, -74.0200}, [3]float64{50, 0, -82.7485}, 3.4412},
		{"pair 4", [3]float64{50, -1.3802, -84.2814}, [3]float64{50, 0, -82.7485}, 1.0000},
		{"pair 34", [3]float64{2.0776, 0.0795, -1.1350}, [3]float64{0.9033, -0.0636, -0.5514}, 0.9082},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, ciede2000(tt.a, tt.b), 1e-4)
			assert.InDelta(t, tt.want, ciede2000(tt.b, tt.a), 1e-4)
		})
	}
}

// chartColours are the 24 patches of a ColorChecker-style chart in sRGB, by rows.
var chartColours = [24][3]uint8{
	{115, 82, 68}, {194, 150, 130}, {98, 122, 157}, {87, 108, 67}, {133, 128, 177}, {103, 189, 170},
	{214, 126, 44}, {80, 91, 166}, {193, 90, 99}, {94, 60, 108}, {157, 188, 64}, {224, 163, 46},
	{56, 61, 150}, {70, 148, 73}, {175, 54, 60}, {231, 199, 31}, {187, 86, 149}, {8, 133, 161},
	{243, 243, 242}, {200, 200, 200}, {160, 160, 160}, {122, 122, 121}, {85, 85, 85}, {52, 52, 52},
}

// Chart geometry, in photo pixels: 6×4 patches in a dark frame.
const (
	patchSide = 120
	patchGap  = 16
	chartW    = 6*(patchSide+patchGap) + patchGap
	chartH    = 4*(patchSide+patchGap) + patchGap
)

// chartPhoto is a w×h photo of the chart centred on backdrop bg (with a soft shadow when
// shadow > 0), with sensor noise, and the chart's top-left corner.
func chartPhoto(w, h int, bg backdropFunc, shadow float64, seed uint64) (*image.RGBA, image.Point) {
	c := cutout{w: chartW, h: chartH, rgb: make([]float64, 3*chartW*chartH), a: make([]float64, chartW*chartH)}
	for y := range chartH {
		for x := range chartW {
			i := y*chartW + x
			c.a[i] = 1
			col := [3]uint8{28, 28, 30}
			px, py := (x-patchGap)/(patchSide+patchGap), (y-patchGap)/(patchSide+patchGap)
			inX := x >= patchGap && (x-patchGap)%(patchSide+patchGap) < patchSide
			inY := y >= patchGap && (y-patchGap)%(patchSide+patchGap) < patchSide
			if inX && inY && px < 6 && py < 4 {
				col = chartColours[py*6+px]
			}
			for k := range 3 {
				c.rgb[3*i+k] = float64(col[k])
			}
		}
	}
	m, _ := compose(c, scene{w: w, h: h, bg: bg, scale: 1, cx: 0.5, cy: 0.5, shadow: shadow, noise: 2}, seed)
	return m, image.Pt(w/2-chartW/2, h/2-chartH/2)
}

// patchMeans averages the middle half of every chart patch of m, whose chart lies at
// origin and is drawn at scale.
func patchMeans(m *image.RGBA, origin image.Point, scale float64) [24][3]float64 {
	var out [24][3]float64
	for p := range 24 {
		px, py := p%6, p/6
		x0 := float64(patchGap+px*(patchSide+patchGap)) + patchSide/4
		y0 := float64(patchGap+py*(patchSide+patchGap)) + patchSide/4
		var s [3]float64
		n := 0
		for y := int(float64(origin.Y) + y0*scale); y < int(float64(origin.Y)+(y0+patchSide/2)*scale); y++ {
			for x := int(float64(origin.X) + x0*scale); x < int(float64(origin.X)+(x0+patchSide/2)*scale); x++ {
				c := m.RGBAAt(x, y)
				s[0], s[1], s[2] = s[0]+float64(c.R), s[1]+float64(c.G), s[2]+float64(c.B)
				n++
			}
		}
		for k := range 3 {
			out[p][k] = s[k] / float64(n)
		}
	}
	return out
}

func labOf(c [3]float64) [3]float64 { return lab(clamp8(c[0]), clamp8(c[1]), clamp8(c[2])) }

// midTone says whether a patch counts as a mid-tone: L* between 25 and 85, which leaves
// out only the chart's black and white.
func midTone(c [3]uint8) bool {
	l := lab(c[0], c[1], c[2])[0]
	return l >= 25 && l <= 85
}

// outputOrigin is where the source point p lands in variant v's output of ph, and the
// scale there (orientation 1).
func outputOrigin(t *testing.T, ph *photo, v string, p image.Point) (image.Point, float64) {
	t.Helper()
	spec, err := LookupVariant(v)
	require.NoError(t, err)
	l := place(spec, 1, float64(ph.src.w), float64(ph.src.h), ph.subject, ph.enh.bd != nil)
	sx := float64(l.pw) / (l.win.x1 - l.win.x0)
	sy := float64(l.ph) / (l.win.y1 - l.win.y0)
	return image.Pt(l.ox+int(math.Round((float64(p.X)-l.win.x0)*sx)), l.oy+int(math.Round((float64(p.Y)-l.win.y0)*sy))), (sx + sy) / 2
}

// TestColourTrue runs a colour chart photographed on several backdrops through the
// stage: every mid-tone patch keeps its colour within CIEDE2000 3 from input to output
// on every marketplace variant, whether the backdrop is replaced or left alone.
func TestColourTrue(t *testing.T) {
	tests := []struct {
		name      string
		bg        backdropFunc
		shadow    float64
		separated bool
	}{
		{"grey paper", plainBackdrop(182, 182, 184), 0, true},
		{"beige paper with a shadow", plainBackdrop(225, 205, 165), 0.3, true},
		{"blue sweep", sweepBackdrop(120, 160, 215), 0.25, true},
		{"busy scene", photoBackdrop(t, "landscape-600x400.jpg"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, origin := chartPhoto(1600, 1200, tt.bg, tt.shadow, 5)
			data := encodeJPEG(t, m, 92)
			in := decodeRGBA(t, data)
			want := patchMeans(in, origin, 1)
			ph, err := load(data, Options{})
			require.NoError(t, err)
			require.Equal(t, tt.separated, ph.analysis.Separated, "backdrop %s", ph.analysis.Backdrop)
			res, err := Process(data, []string{"amazon", "trendyol", "hepsiburada"}, Options{})
			require.NoError(t, err)
			checked := 0
			for _, out := range res.Outputs {
				at, scale := outputOrigin(t, ph, out.Variant, origin)
				got := patchMeans(decodeRGBA(t, out.JPEG), at, scale)
				for p, c := range chartColours {
					if !midTone(c) {
						continue
					}
					d := ciede2000(labOf(want[p]), labOf(got[p]))
					assert.LessOrEqual(t, d, 3.0, "%s patch %d %v: in %.0f, out %.0f", out.Variant, p+1, c, want[p], got[p])
					checked++
				}
			}
			assert.Equal(t, 3*22, checked, "mid-tone patches checked")
		})
	}
}

// TestTerracottaOnBeige is the case: a terracotta product on a plain beige
// backdrop with a soft shadow came out maroon with the beige kept. It must keep its
// colour, lose the backdrop and shadow, and not be called beige.
func TestTerracottaOnBeige(t *testing.T) {
	terracotta := [3]float64{198, 109, 69}
	c := cutout{w: 700, h: 900, rgb: make([]float64, 3*700*900), a: make([]float64, 700*900)}
	for y := range c.h {
		for x := range c.w {
			dx, dy := (float64(x)-350)/350, (float64(y)-450)/450
			if dx*dx+dy*dy <= 1 {
				i := y*c.w + x
				c.a[i] = 1
				for k := range 3 {
					c.rgb[3*i+k] = terracotta[k]
				}
			}
		}
	}
	m, _ := compose(c, scene{w: 1600, h: 1600, bg: plainBackdrop(225, 205, 165), scale: 1, cx: 0.5, cy: 0.5, shadow: 0.35, noise: 2}, 3)
	data := encodeJPEG(t, m, 92)
	in := decodeRGBA(t, data)
	res, err := Process(data, allVariants, Options{})
	require.NoError(t, err)
	a := res.Analysis
	assert.True(t, a.Separated)
	assert.Equal(t, BackdropPlain, a.Backdrop)
	require.NotEmpty(t, a.SubjectColors)
	assert.Equal(t, a.Colors, a.SubjectColors)
	for _, col := range a.SubjectColors {
		assert.NotEqual(t, "beige", col.EN, "the backdrop's colour is not the product's")
	}
	mean := func(m *image.RGBA, r image.Rectangle) [3]float64 {
		var s [3]float64
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := m.RGBAAt(x, y)
				s[0], s[1], s[2] = s[0]+float64(c.R), s[1]+float64(c.G), s[2]+float64(c.B)
			}
		}
		n := float64(r.Dx() * r.Dy())
		return [3]float64{s[0] / n, s[1] / n, s[2] / n}
	}
	want := mean(in, image.Rect(700, 700, 900, 900))
	for _, out := range res.Outputs {
		o := decodeRGBA(t, out.JPEG)
		b := o.Bounds()
		cx, cy := b.Dx()/2, b.Dy()/2
		got := mean(o, image.Rect(cx-b.Dx()/10, cy-b.Dx()/10, cx+b.Dx()/10, cy+b.Dx()/10))
		assert.LessOrEqual(t, ciede2000(labOf(want), labOf(got)), 3.0, "%s: in %.0f, out %.0f", out.Variant, want, got)
		// The corners, where the beige and its shadow were, are pure white.
		for _, p := range []image.Point{{5, 5}, {b.Dx() - 6, 5}, {5, b.Dy() - 6}, {b.Dx() - 6, b.Dy() - 6}} {
			assert.Equal(t, color.RGBA{255, 255, 255, 255}, o.RGBAAt(p.X, p.Y), "%s at %v", out.Variant, p)
		}
	}
}

// TestToneCurve checks the luma curve on reduced images of known histograms: it leaves
// a well-exposed photo alone, clips a slight haze without moving the mid-tones, lifts
// a photo that is dark as a whole, and leaves a close-up of one dark colour alone.
func TestToneCurve(t *testing.T) {
	ramp := func(lo, hi int) plane {
		p := newPlane(256, 64)
		for j := range p.h {
			for i := range p.w {
				p.pix[j*p.w+i] = byte(lo + (hi-lo)*i/(p.w-1))
			}
		}
		return p
	}
	flat := flatPlane(64, 64, 128)
	tests := []struct {
		name string
		y    plane
		// want maps an input luma to the expected output, within 1.
		want map[int]float64
	}{
		{"full range: identity", ramp(0, 255), map[int]float64{0: 0, 60: 60, 128: 128, 200: 200, 255: 255}},
		{"chart-like range: mid-tones kept, near-white clipped", ramp(52, 243), map[int]float64{52: 52, 100: 100, 128: 128, 200: 200, 243: 255}},
		{"haze clipped, mid-tones kept", ramp(12, 240), map[int]float64{12: 0, 30: 29.25, 36: 36, 128: 128, 210: 210, 225: 230, 240: 255}},
		{"dark frame lifted", ramp(5, 120), map[int]float64{0: 0, 62: 96, 120: 151.5}},
		{"one dark colour left alone", flatPlane(64, 64, 40), map[int]float64{40: 40}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lv := makeLevels(tt.y, flat, flat, nil, false)
			for in, out := range tt.want {
				assert.InDelta(t, out, float64(lv.y[in]), 1, "luma %d", in)
			}
			for i := range 256 {
				assert.Equal(t, byte(i), lv.cb[i], "chroma is kept")
				if i > 0 {
					require.GreaterOrEqual(t, lv.y[i], lv.y[i-1], "the curve keeps the order of tones")
				}
			}
		})
	}
}

// TestDarkPhotoKeepsHue lifts an under-exposed photo of the chart and checks that the
// lift brightens it while every chromatic patch keeps its hue.
func TestDarkPhotoKeepsHue(t *testing.T) {
	m, origin := chartPhoto(1600, 1200, photoBackdrop(t, "landscape-600x400.jpg"), 0, 9)
	for i := 0; i < len(m.Pix); i += 4 {
		for k := range 3 { // a stop and a half under, in linear light
			v := float64(m.Pix[i+k]) / 255
			m.Pix[i+k] = clamp8(255 * math.Pow(math.Pow(v, 2.2)*0.35, 1/2.2))
		}
	}
	data := encodeJPEG(t, m, 92)
	want := patchMeans(decodeRGBA(t, data), origin, 1)
	ph, err := load(data, Options{})
	require.NoError(t, err)
	require.False(t, ph.analysis.Separated)
	res, err := Process(data, []string{"hepsiburada"}, Options{})
	require.NoError(t, err)
	at, scale := outputOrigin(t, ph, "hepsiburada", origin)
	got := patchMeans(decodeRGBA(t, res.Outputs[0].JPEG), at, scale)
	grey := 21 // neutral 5
	assert.Greater(t, labOf(got[grey])[0], labOf(want[grey])[0]+8, "the mid grey is lifted")
	hue := func(l [3]float64) float64 { return math.Atan2(l[2], l[1]) * 180 / math.Pi }
	for p := range 18 { // the chromatic patches
		in, out := labOf(want[p]), labOf(got[p])
		if math.Hypot(in[1], in[2]) < 15 {
			continue
		}
		d := math.Abs(hue(in) - hue(out))
		d = math.Min(d, 360-d)
		assert.LessOrEqual(t, d, 8.0, "patch %d hue %.0f° → %.0f°", p+1, hue(in), hue(out))
	}
}
