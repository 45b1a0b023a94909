package imaging

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackdropRemoval lays the rose (a real photograph whose subject mask is its alpha
// channel) on plain and gradient backdrops, with and without a soft shadow, at several
// sizes and places, and checks the matte the variants are cut with against the mask:
// intersection over union at least 0.95. Every marketplace variant shows the rose on
// pure white and says so.
func TestBackdropRemoval(t *testing.T) {
	rose := roseCutout(t)
	tests := []struct {
		name string
		s    scene
		kind string
		// what the notes call the backdrop; "" where its colour sits between the
		// palette's names (a mint card)
		called string
	}{
		{"grey paper", scene{w: 900, h: 900, bg: plainBackdrop(170, 170, 172), scale: 1.5, cx: 0.45, cy: 0.55, noise: 3}, BackdropPlain, "plain light grey backdrop"},
		{"beige paper, soft shadow", scene{w: 1000, h: 800, bg: plainBackdrop(225, 205, 165), scale: 2, cx: 0.5, cy: 0.5, shadow: 0.35, noise: 3}, BackdropPlain, "plain beige backdrop"},
		{"dark slate, native size", scene{w: 640, h: 480, bg: plainBackdrop(62, 68, 75), scale: 1, cx: 0.5, cy: 0.5, noise: 3}, BackdropPlain, "plain dark grey backdrop"},
		{"mint card, off-centre", scene{w: 1200, h: 900, bg: plainBackdrop(170, 215, 190), scale: 1.6, cx: 0.38, cy: 0.6, shadow: 0.25, noise: 3}, BackdropPlain, ""},
		{"white paper, soft shadow", scene{w: 1000, h: 1000, bg: plainBackdrop(246, 246, 246), scale: 1.8, cx: 0.5, cy: 0.5, shadow: 0.2, noise: 2}, BackdropWhite, ""},
		{"blue sweep, soft shadow", scene{w: 1200, h: 900, bg: sweepBackdrop(120, 160, 215), scale: 2, cx: 0.5, cy: 0.5, shadow: 0.3, noise: 4}, BackdropGradient, "gradient blue backdrop"},
		{"grey sweep, portrait", scene{w: 800, h: 1100, bg: sweepBackdrop(190, 190, 195), scale: 1.5, cx: 0.5, cy: 0.45, shadow: 0.3, noise: 3}, BackdropGradient, "gradient light grey backdrop"},
		{"warm to cool light", scene{w: 1000, h: 1000, bg: diagonalBackdrop([3]float64{235, 225, 200}, [3]float64{160, 170, 190}), scale: 1.8, cx: 0.5, cy: 0.5, shadow: 0.25, noise: 3}, BackdropGradient, "gradient light grey backdrop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, mask := compose(rose, tt.s, 1)
			data := encodeJPEG(t, m, 90)
			var bw, bh int // the rose's size in the photo
			{
				box := image.Rectangle{Min: image.Pt(tt.s.w, tt.s.h)}
				for i, in := range mask {
					if in {
						box = box.Union(image.Rect(i%tt.s.w, i/tt.s.w, i%tt.s.w+1, i/tt.s.w+1))
					}
				}
				bw, bh = box.Dx(), box.Dy()
			}
			matte, ph := fullMatte(t, data)
			require.True(t, ph.analysis.Separated, "backdrop %s not separated", ph.analysis.Backdrop)
			assert.Equal(t, tt.kind, ph.analysis.Backdrop)
			score := iou(matte, mask)
			assert.GreaterOrEqual(t, score, 0.95, "intersection over union")
			t.Logf("IoU %.4f", score)

			res, err := Process(data, allVariants, Options{})
			require.NoError(t, err)
			for _, out := range res.Outputs {
				o := decodeRGBA(t, out.JPEG)
				spec, err := LookupVariant(out.Variant)
				require.NoError(t, err)
				// Outside the framed subject, clear of its JPEG blocks, no rectangle of
				// backdrop and no shadow is left: nothing is darker than 250 (a
				// feather of the rose's edge may leave 254), and the canvas's edge is
				// pure white.
				box := contentBox(o)
				keep := box.Inset(-16)
				grey, edge := 0, 0
				for y := range spec.Height {
					for x := range spec.Width {
						c := o.RGBAAt(x, y)
						if !image.Pt(x, y).In(keep) && min(c.R, c.G, c.B) < 250 {
							grey++
						}
						if (x < 4 || y < 4 || x >= spec.Width-4 || y >= spec.Height-4) && c != (color.RGBA{255, 255, 255, 255}) {
							edge++
						}
					}
				}
				assert.Zero(t, grey, "%s: pixels outside the subject darker than 250", out.Variant)
				if out.Variant != Thumbnail { // its 3 % margin is within a JPEG block of the subject
					assert.Zero(t, edge, "%s: canvas edge pixels that are not pure white", out.Variant)
				}
				// The subject fills the canvas to its margins on the limiting side,
				// unless that would enlarge it more than twice.
				cw, ch := float64(spec.Width), float64(spec.Height)
				scale := min((1-2*spec.Margin)*cw/float64(bw), (1-2*spec.Margin)*ch/float64(bh), maxEnlarge)
				want := max(float64(bw)*scale/cw, float64(bh)*scale/ch)
				span := max(float64(box.Dx())/cw, float64(box.Dy())/ch)
				assert.InDelta(t, want, span, 0.03, "%s: subject span %v", out.Variant, box)
			}
			for _, v := range []string{"amazon", "trendyol", "hepsiburada"} {
				notes := strings.Join(res.Analysis.Compliance[v].Notes, "; ")
				if tt.kind == BackdropWhite {
					assert.Contains(t, notes, "background whitened", v)
				} else {
					assert.Contains(t, notes, tt.kind+" ", v)
					assert.Contains(t, notes, tt.called+" replaced with pure white", v)
				}
			}
		})
	}
}

// TestBusyScenesLeftAlone runs real photographs of scenes, and the rose laid on them,
// through the stage: none is separated or cut, each is fitted whole, and the report
// says the background was left as it is.
func TestBusyScenesLeftAlone(t *testing.T) {
	rose := roseCutout(t)
	photo := func(name string) []byte { return readFile(t, "testdata", name) }
	on := func(name string) []byte {
		m, _ := compose(rose, scene{w: 1000, h: 750, bg: photoBackdrop(t, name), scale: 1.5, cx: 0.5, cy: 0.5, noise: 2}, 2)
		return encodeJPEG(t, m, 90)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"waterfall", photo("landscape-600x400.jpg")},
		{"child before a waterfall", photo("exif/Portrait_1.jpg")},
		{"two speakers on a stage", photo("video-001.lossy.webp")},
		{"plush toy on a table before a wall", photo("go-turns-two-280x360.jpeg")},
		{"rose on the waterfall", on("landscape-600x400.jpg")},
		{"rose on the stage", on("video-001.lossy.webp")},
		{"rose on the plush toy", on("go-turns-two-280x360.jpeg")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(tt.data, []string{"amazon", "trendyol", "hepsiburada"}, Options{})
			require.NoError(t, err)
			a := res.Analysis
			in := decodeRGBA(t, tt.data)
			light := 0 // pixels light enough to be clipped to white by the tone curve
			for i := 0; i < len(in.Pix); i += 4 {
				if min(in.Pix[i], in.Pix[i+1], in.Pix[i+2]) >= 245 {
					light++
				}
			}
			lightShare := float64(light) / float64(len(in.Pix)/4)
			assert.Equal(t, BackdropBusy, a.Backdrop)
			assert.False(t, a.Separated)
			assert.Empty(t, a.SubjectColors)
			assert.InDelta(t, 1, a.Fill, 0.001, "the whole frame is what the shopper sees")
			for _, out := range res.Outputs {
				spec, err := LookupVariant(out.Variant)
				require.NoError(t, err)
				o := decodeRGBA(t, out.JPEG)
				// Fitted whole (enlarged at most 2×), centred, and not cut: inside the
				// photo's area nothing turned white that was not nearly white already.
				scale := min(float64(spec.Width)/float64(res.Info.Width), float64(spec.Height)/float64(res.Info.Height), maxEnlarge)
				w, h := int(float64(res.Info.Width)*scale), int(float64(res.Info.Height)*scale)
				area := image.Rect((spec.Width-w)/2, (spec.Height-h)/2, (spec.Width+w)/2, (spec.Height+h)/2).Inset(4)
				white := 0
				for y := area.Min.Y; y < area.Max.Y; y++ {
					for x := area.Min.X; x < area.Max.X; x++ {
						if o.RGBAAt(x, y) == (color.RGBA{255, 255, 255, 255}) {
							white++
						}
					}
				}
				assert.Less(t, float64(white)/float64(area.Dx()*area.Dy()), lightShare+0.01, "%s: %d pure white pixels inside the photo", out.Variant, white)
			}
			assert.Equal(t, ComplianceFail, a.Compliance["amazon"].Status)
			assert.Contains(t, a.Compliance["amazon"].Notes[0], "busy scene is left as it is")
			for _, v := range []string{"trendyol", "hepsiburada"} {
				assert.Contains(t, a.Compliance[v].Notes, "busy background left as it is: only a plain or gradient backdrop is replaced with white", v)
			}
		})
	}
}

// TestStudioBottleMatte checks the matte on the synthetic studio photo, whose subject's
// shape is known exactly: a bottle on a grey sweep with a vignette.
func TestStudioBottleMatte(t *testing.T) {
	const w, h = 1200, 1200
	matte, ph := fullMatte(t, encodeJPEG(t, studioPhoto(w, h, 4), 90))
	require.True(t, ph.analysis.Separated)
	assert.Equal(t, BackdropGradient, ph.analysis.Backdrop)
	mask := make([]bool, w*h)
	cx, cy := float64(w)/2, float64(h)/2
	bw, bh := float64(w)*0.22, float64(h)*0.38
	for y := range h {
		for x := range w {
			ex, ey := (float64(x)-cx)/bw, (float64(y)-cy)/bh
			mask[y*w+x] = ex*ex+ey*ey*ey*ey < 1
		}
	}
	assert.GreaterOrEqual(t, iou(matte, mask), 0.97)
}

// TestNoSubject leaves a photo of an empty backdrop alone: there is nothing to cut out,
// and Amazon is told that no product was found.
func TestNoSubject(t *testing.T) {
	tests := []struct {
		name string
		bg   backdropFunc
		kind string
	}{
		{"white sheet", plainBackdrop(250, 250, 250), BackdropWhite},
		{"grey paper", plainBackdrop(150, 150, 150), BackdropPlain},
		{"sweep", sweepBackdrop(180, 185, 200), BackdropGradient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := compose(cutout{}, scene{w: 800, h: 600, bg: tt.bg, scale: 1, noise: 2}, 1)
			res, err := Process(encodeJPEG(t, m, 90), []string{"amazon", "hepsiburada"}, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.kind, res.Analysis.Backdrop)
			assert.False(t, res.Analysis.Separated)
			assert.Zero(t, res.Analysis.Fill)
			assert.Equal(t, ComplianceFail, res.Analysis.Compliance["amazon"].Status)
			assert.Contains(t, res.Analysis.Compliance["amazon"].Notes, "no product found on the background")
			// The photo is shown as it is, not blanked.
			o := decodeRGBA(t, res.Outputs[1].JPEG)
			assert.NotEqual(t, color.RGBA{255, 255, 255, 255}, o.RGBAAt(750, 750))
		})
	}
}
