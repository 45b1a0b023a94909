//go:build unix

package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"

	"github.com/anthonynsimon/bild/adjust"
	"github.com/anthonynsimon/bild/effect"
	"github.com/anthonynsimon/bild/histogram"
	"github.com/anthonynsimon/bild/transform"
)

// bildProcess is BenchmarkProcess's baseline: the outputs of "all" made with bild
// v0.14.0 the way its documentation shows, after shared/reference/image-performance.md
// ("bild plain"): decode with image/jpeg, resize with Lanczos, auto-level from
// histogram.NewRGBAHistogram through adjust.Apply, effect.UnsharpMask(0.6, 0.7), centre
// on a white canvas, encode q85. Like the stage it makes the 1500² canvas once for
// Amazon and Hepsiburada and the 300² thumbnail from it; the photo is fitted whole
// (bild has no backdrop separation to frame a subject with).
func bildProcess(data []byte) ([][]byte, error) {
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	square := bildVariant(src, 1500, 1500)
	tall := bildVariant(src, 1200, 1800)
	thumb := transform.Resize(square, 300, 300, transform.Lanczos)
	var out [][]byte
	for _, m := range []image.Image{square, tall, thumb} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: DefaultQuality}); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}

// bildVariant fits src into a cw×ch white canvas, levelled and sharpened.
func bildVariant(src image.Image, cw, ch int) *image.RGBA {
	b := src.Bounds()
	scale := min(float64(cw)/float64(b.Dx()), float64(ch)/float64(b.Dy()))
	w, h := int(float64(b.Dx())*scale+0.5), int(float64(b.Dy())*scale+0.5)
	r := transform.Resize(src, w, h, transform.Lanczos)
	r = bildLevels(r)
	r = effect.UnsharpMask(r, 0.6, 0.7)
	canvas := image.NewRGBA(image.Rect(0, 0, cw, ch))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	at := image.Pt((cw-w)/2, (ch-h)/2)
	draw.Draw(canvas, image.Rectangle{Min: at, Max: at.Add(r.Bounds().Size())}, r, image.Point{}, draw.Src)
	return canvas
}

// bildLevels stretches the 0.5 and 99.5 percentiles of the pooled RGB histogram to
// 0..255 with the gain capped at 1.6: imgref's speed workload, in bild's API.
func bildLevels(m *image.RGBA) *image.RGBA {
	h := histogram.NewRGBAHistogram(m)
	var all [256]int
	for i := range all {
		all[i] = h.R.Bins[i] + h.G.Bins[i] + h.B.Bins[i]
	}
	lo, hi := percentile(&all, 0.005), percentile(&all, 0.995)
	gain := 1.0
	if hi-lo >= 16 {
		gain = min(255/float64(hi-lo), 1.6)
	} else {
		lo = 0
	}
	var lut [256]uint8
	for i := range lut {
		lut[i] = clampRound((float64(i) - float64(lo)) * gain)
	}
	return adjust.Apply(m, func(c color.RGBA) color.RGBA {
		return color.RGBA{lut[c.R], lut[c.G], lut[c.B], c.A}
	})
}
