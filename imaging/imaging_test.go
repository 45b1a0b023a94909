package imaging

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pngHeader is a PNG signature and an IHDR chunk claiming w×h RGB, and nothing else.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 0, 17)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// jpegHeader is SOI, a baseline SOF0 claiming w×h with 3 components, an empty SOS
// and EOI: no tables and no pixels.
func jpegHeader(w, h uint16) []byte {
	b := []byte{0xff, 0xd8, 0xff, 0xc0, 0, 17, 8}
	b = binary.BigEndian.AppendUint16(b, h)
	b = binary.BigEndian.AppendUint16(b, w)
	b = append(b, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
	return append(b, 0xff, 0xda, 0, 2, 0xff, 0xd9) // an empty SOS, EOI
}

// gifHeader is a GIF89a header claiming a w×h logical screen.
func gifHeader(w, h uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	return append(b, 0, 0, 0, 0x3b)
}

// webpHeader is a RIFF/WEBP file with only a VP8X chunk claiming w×h.
func webpHeader(w, h uint32) []byte {
	chunk := []byte("VP8X")
	chunk = binary.LittleEndian.AppendUint32(chunk, 10)
	chunk = append(chunk, 0, 0, 0, 0)
	chunk = append(chunk, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	chunk = append(chunk, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, uint32(4+len(chunk)))
	b = append(b, "WEBP"...)
	return append(b, chunk...)
}

func TestSniff(t *testing.T) {
	small := encodeJPEG(t, solid(16, 16, color.RGBA{200, 10, 10, 255}), 85)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"jpeg", small, JPEG},
		{"png", encodePNG(t, solid(4, 4, color.RGBA{1, 2, 3, 255})), PNG},
		{"gif87a", []byte("GIF87a......"), GIF},
		{"gif89a", gifHeader(4, 4), GIF},
		{"webp", webpHeader(4, 4), WebP},
		{"text named .jpg", []byte("this is not a photo, whatever the name says"), ""},
		{"empty", nil, ""},
		{"two jpeg bytes", []byte{0xff, 0xd8}, ""},
		{"riff but wave", []byte("RIFF\x00\x00\x00\x00WAVEfmt "), ""},
		{"bmp", []byte("BM\x36\x00\x00\x00"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff(tt.data)
			if tt.want == "" {
				assert.ErrorIs(t, err, ErrUnsupported)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestConfig(t *testing.T) {
	landscape := readFile(t, fixtures(t), "Landscape_6.jpg")
	tests := []struct {
		name      string
		data      []byte
		maxPixels int
		want      Info
		err       error
	}{
		{"jpeg", encodeJPEG(t, solid(40, 30, color.RGBA{9, 9, 9, 255}), 85), 0, Info{JPEG, 40, 30, 1}, nil},
		{"png", encodePNG(t, solid(7, 5, color.RGBA{9, 9, 9, 255})), 0, Info{PNG, 7, 5, 1}, nil},
		{"exif 6 swaps width and height", landscape, 0, Info{JPEG, 300, 200, 6}, nil},
		{"exactly at the limit", encodePNG(t, solid(10, 10, color.RGBA{})), 100, Info{PNG, 10, 10, 1}, nil},
		{"one pixel over the limit", encodePNG(t, solid(10, 10, color.RGBA{})), 99, Info{}, ErrTooLarge},
		{"png header claiming 30000×30000", pngHeader(30000, 30000), 0, Info{}, ErrTooLarge},
		{"jpeg header claiming 30000×30000", jpegHeader(30000, 30000), 0, Info{}, ErrTooLarge},
		{"gif header claiming 30000×30000", gifHeader(30000, 30000), 0, Info{}, ErrTooLarge},
		{"webp header claiming 16384×16384", webpHeader(16384, 16384), 0, Info{}, ErrTooLarge},
		{"png header claiming 2^31 wide", pngHeader(1<<31-1, 1), 0, Info{}, ErrTooLarge},
		{"jpeg magic then garbage", []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0x13, 0x37}, 0, Info{}, ErrCorrupt},
		{"jpeg header claiming 0×0", jpegHeader(0, 0), 0, Info{}, ErrCorrupt},
		{"zero bytes", []byte{}, 0, Info{}, ErrUnsupported},
		{"text", []byte("<html>not found</html>"), 0, Info{}, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Config(tt.data, tt.maxPixels)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestHostileInputs feeds Process what an attacker or a broken client sends. Each must
// fail with the right sentinel and without allocating for the pixels it claims.
func TestHostileInputs(t *testing.T) {
	photo := encodeJPEG(t, studioPhoto(400, 300, 3), 90)
	pngPhoto := encodePNG(t, studioPhoto(200, 150, 4))
	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{"png header claiming 30000×30000", pngHeader(30000, 30000), ErrTooLarge},
		{"jpeg header claiming 30000×30000", jpegHeader(30000, 30000), ErrTooLarge},
		{"gif header claiming 30000×30000", gifHeader(30000, 30000), ErrTooLarge},
		{"webp header claiming 16384×16384", webpHeader(16384, 16384), ErrTooLarge},
		{"png header of a small image, no data", pngHeader(100, 100), ErrCorrupt},
		{"jpeg header of a small image, no data", jpegHeader(100, 100), ErrCorrupt},
		{"jpeg truncated to half", photo[:len(photo)/2], ErrCorrupt},
		{"jpeg truncated after the header", photo[:200], ErrCorrupt},
		{"png truncated to half", pngPhoto[:len(pngPhoto)/2], ErrCorrupt},
		{"zero bytes", nil, ErrUnsupported},
		{"text with a .jpg name", []byte("GET /photo.jpg HTTP/1.1\r\nHost: example\r\n\r\n"), ErrUnsupported},
		{"only the jpeg magic", []byte{0xff, 0xd8, 0xff}, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Process(tt.data, []string{"amazon", Thumbnail}, Options{MaxPixels: 25_000_000})
			runtime.ReadMemStats(&after)
			assert.ErrorIs(t, err, tt.err)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "allocated for pixels it should have refused")
		})
	}
}

func TestDecodeFormats(t *testing.T) {
	// Decode must agree with the std decoders composited over white: its own planes,
	// conversions and flattening add at most rounding.
	tests := []struct {
		name   string
		file   string
		format string
	}{
		{"cmyk jpeg", "video-001.cmyk.jpeg", JPEG},
		{"4:2:2 jpeg", "video-001.q50.422.jpeg", JPEG},
		{"4:1:1 jpeg", "video-001.q50.411.jpeg", JPEG},
		{"grey jpeg", "video-005.gray.jpeg", JPEG},
		{"gif", "video-001.gif", GIF},
		{"lossy webp", "video-001.lossy.webp", WebP},
		{"lossy webp with alpha", "yellow_rose.lossy-with-alpha.webp", WebP},
		{"lossless webp with alpha", "gopher-doc.with-alpha.lossless.webp", WebP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readFile(t, "testdata", tt.file)
			m, info, err := Decode(data, 0)
			require.NoError(t, err)
			assert.Equal(t, tt.format, info.Format)
			assert.Equal(t, image.Rect(0, 0, info.Width, info.Height), m.Bounds())
			assert.Less(t, meanAbsDiff(t, overWhite(t, data), m), 1.5)
		})
	}

	t.Run("grey jpeg", func(t *testing.T) {
		m, info, err := Decode(readFile(t, "testdata", "video-005.gray.jpeg"), 0)
		require.NoError(t, err)
		assert.Equal(t, JPEG, info.Format)
		for i := 0; i < len(m.Pix); i += 4 {
			require.True(t, m.Pix[i] == m.Pix[i+1] && m.Pix[i+1] == m.Pix[i+2], "grey pixel has colour")
		}
	})
	t.Run("webp with alpha is flattened onto white", func(t *testing.T) {
		for _, f := range []string{"yellow_rose.lossy-with-alpha.webp", "gopher-doc.with-alpha.lossless.webp"} {
			m, _, err := Decode(readFile(t, "testdata", f), 0)
			require.NoError(t, err)
			// The corners of both pictures are fully transparent.
			for _, p := range []image.Point{{0, 0}, {m.Rect.Dx() - 1, 0}, {0, m.Rect.Dy() - 1}} {
				assert.Equal(t, color.RGBA{255, 255, 255, 255}, m.RGBAAt(p.X, p.Y), "%s at %v", f, p)
			}
		}
	})
}

func TestDecodeFlattensPNGAlpha(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 20, 10))
	for y := range 10 {
		for x := range 20 {
			switch {
			case x < 5:
				m.SetNRGBA(x, y, color.NRGBA{200, 0, 0, 0}) // transparent, colour must not show
			case x < 10:
				m.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 128}) // half black over white
			default:
				m.SetNRGBA(x, y, color.NRGBA{10, 120, 230, 255})
			}
		}
	}
	out, info, err := Decode(encodePNG(t, m), 0)
	require.NoError(t, err)
	assert.Equal(t, PNG, info.Format)
	assert.Equal(t, color.RGBA{255, 255, 255, 255}, out.RGBAAt(2, 5))
	half := out.RGBAAt(7, 5)
	assert.InDelta(t, 127, int(half.R), 2)
	assert.InDelta(t, 127, int(half.B), 2)
	opaque := out.RGBAAt(15, 5)
	assert.InDelta(t, 10, int(opaque.R), 2)
	assert.InDelta(t, 120, int(opaque.G), 2)
	assert.InDelta(t, 230, int(opaque.B), 2)
}

// overWhite decodes data with the std decoders and composites it over white.
func overWhite(t *testing.T, data []byte) *image.RGBA {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	out := solid(m.Bounds().Dx(), m.Bounds().Dy(), color.RGBA{255, 255, 255, 255})
	draw.Draw(out, out.Bounds(), m, m.Bounds().Min, draw.Over)
	return out
}
