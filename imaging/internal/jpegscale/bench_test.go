package jpegscale

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"testing"
)

// benchJPEG is STOX_BENCH_PHOTO, or a 3000×3000 q90 noisy gradient.
func benchJPEG(b *testing.B) []byte {
	if p := os.Getenv("STOX_BENCH_PHOTO"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	m := image.NewRGBA(image.Rect(0, 0, 3000, 3000))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(m.Pix); i += 4 {
		x, y := i/4%3000, i/4/3000
		n := byte(rng.IntN(12))
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = byte(x/12)+n, byte(y/12)+n, byte((x+y)/24)+n, 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecode compares the coefficient decode and each scale's reconstruction
// with image/jpeg's whole decode of the same photo.
func BenchmarkDecode(b *testing.B) {
	data := benchJPEG(b)
	b.Run("std", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("coefficients", func(b *testing.B) {
		for b.Loop() {
			if _, err := Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	img, err := Decode(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []int{1, 2, 4, 6, 8} {
		b.Run(fmt.Sprintf("plane-%d", m), func(b *testing.B) {
			for b.Loop() {
				for i := range img.Comps {
					img.Comps[i].Plane(m)
				}
			}
		})
	}
}
