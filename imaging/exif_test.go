package imaging

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtures is the folder of the EXIF orientation photos: Landscape_N.jpg and Portrait_N.jpg
// carry orientation N and all show the same upright picture (see testdata/README.md).
func fixtures(testing.TB) string { return filepath.Join("testdata", "exif") }

// exifJPEG builds a JPEG prefix with one APP1 Exif segment whose IFD0 holds an
// orientation tag of the given type and value, in the given byte order.
func exifJPEG(bo interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, typ uint16, value uint32) []byte {
	tiff := []byte("II*\x00")
	if bo == binary.BigEndian {
		tiff = []byte("MM\x00*")
	}
	tiff = bo.AppendUint32(tiff, 8)
	tiff = bo.AppendUint16(tiff, 2)
	// An unrelated tag first (ImageWidth), then Orientation.
	tiff = bo.AppendUint16(tiff, 0x0100)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint32(tiff, 640<<16)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, typ)
	tiff = bo.AppendUint32(tiff, 1)
	if typ == 3 {
		tiff = bo.AppendUint16(tiff, uint16(value))
		tiff = append(tiff, 0, 0)
	} else {
		tiff = bo.AppendUint32(tiff, value)
	}
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	b := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 4, 'J', 'F'} // a short APP0 first
	b = append(b, 0xff, 0xe1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(seg)+2))
	b = append(b, seg...)
	return append(b, 0xff, 0xda, 0, 2)
}

// withOrientation inserts an Exif APP1 segment with orientation o into a JPEG.
func withOrientation(data []byte, o int) []byte {
	e := exifJPEG(binary.LittleEndian, 3, uint32(o))
	seg := e[8 : len(e)-4] // the APP1 segment alone
	out := append([]byte{0xff, 0xd8}, seg...)
	return append(out, data[2:]...)
}

func TestOrientationReader(t *testing.T) {
	valid := exifJPEG(binary.BigEndian, 3, 6)
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"little endian", exifJPEG(binary.LittleEndian, 3, 8), 8},
		{"big endian", exifJPEG(binary.BigEndian, 3, 6), 6},
		{"long type", exifJPEG(binary.LittleEndian, 4, 3), 3},
		{"value 0 is invalid", exifJPEG(binary.LittleEndian, 3, 0), 1},
		{"value 9 is invalid", exifJPEG(binary.BigEndian, 3, 9), 1},
		{"rational type is invalid", exifJPEG(binary.BigEndian, 5, 6), 1},
		{"no exif", encodeJPEG(t, solid(8, 8, color.RGBA{1, 2, 3, 255}), 80), 1},
		{"not a jpeg", []byte("II*\x00\x08\x00\x00\x00"), 1},
		{"empty", nil, 1},
		{"truncated inside the segment", valid[:20], 1},
		{"truncated inside the IFD", valid[:len(valid)-14], 1},
		{"segment length past the end", []byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 'E', 'x'}, 1},
		{"segment length below 2", []byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01, 0xff, 0xd9}, 1},
		{"ifd offset past the end", func() []byte {
			b := exifJPEG(binary.LittleEndian, 3, 6)
			binary.LittleEndian.PutUint32(b[8+4+6+4:], 0xfffffff0)
			return b
		}(), 1},
		{"entry count past the end", func() []byte {
			b := exifJPEG(binary.BigEndian, 3, 6)
			binary.BigEndian.PutUint16(b[8+4+6+8:], 0xffff)
			// The real orientation entry is still read before running out.
			return b
		}(), 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Orientation(tt.data))
		})
	}
}

func TestOrientationFixtures(t *testing.T) {
	for _, kind := range []string{"Landscape", "Portrait"} {
		ref, info, err := Decode(readFile(t, fixtures(t), kind+"_1.jpg"), 0)
		require.NoError(t, err)
		require.Equal(t, 1, info.Orientation)
		// The threshold below must catch a wrong orientation: a mirror image of the
		// reference is far from it.
		mirrored := image.NewRGBA(ref.Bounds())
		for y := range ref.Rect.Dy() {
			for x := range ref.Rect.Dx() {
				mirrored.SetRGBA(x, y, ref.RGBAAt(ref.Rect.Dx()-1-x, y))
			}
		}
		require.Greater(t, meanAbsDiff(t, ref, mirrored), 20.0)
		for n := 0; n <= 8; n++ {
			t.Run(fmt.Sprintf("%s_%d", kind, n), func(t *testing.T) {
				data := readFile(t, fixtures(t), fmt.Sprintf("%s_%d.jpg", kind, n))
				m, info, err := Decode(data, 0)
				require.NoError(t, err)
				assert.Equal(t, max(n, 1), info.Orientation)
				assert.Equal(t, ref.Bounds(), m.Bounds())
				// The fixtures differ only by JPEG re-encoding once upright; a wrong
				// orientation gives a difference of 40 or more.
				assert.Less(t, meanAbsDiff(t, ref, m), 6.0)
			})
		}
	}
}

// TestProcessOrientation checks the path Process takes (resize, then orient) on the
// fixtures: every variant must match orientation 1's.
func TestProcessOrientation(t *testing.T) {
	for _, kind := range []string{"Landscape", "Portrait"} {
		ref, err := Process(readFile(t, fixtures(t), kind+"_1.jpg"), []string{"trendyol", Thumbnail}, Options{})
		require.NoError(t, err)
		refImgs := []*image.RGBA{decodeRGBA(t, ref.Outputs[0].JPEG), decodeRGBA(t, ref.Outputs[1].JPEG)}
		for n := 2; n <= 8; n++ {
			t.Run(fmt.Sprintf("%s_%d", kind, n), func(t *testing.T) {
				res, err := Process(readFile(t, fixtures(t), fmt.Sprintf("%s_%d.jpg", kind, n)), []string{"trendyol", Thumbnail}, Options{})
				require.NoError(t, err)
				for i, out := range res.Outputs {
					// The fixtures are separately encoded JPEGs, and sharpening
					// amplifies their different artefacts a little.
					assert.Less(t, meanAbsDiff(t, refImgs[i], decodeRGBA(t, out.JPEG)), 5.5, out.Variant)
				}
				assert.InDelta(t, ref.Analysis.Brightness, res.Analysis.Brightness, 1)
				assert.InDelta(t, ref.Analysis.Fill, res.Analysis.Fill, 0.02)
			})
		}
	}
}

func TestOrientPlane(t *testing.T) {
	// 3×2 plane:  1 2 3
	//             4 5 6
	p := plane{pix: []byte{1, 2, 3, 4, 5, 6}, w: 3, h: 2, stride: 3}
	tests := []struct {
		o    int
		w, h int
		want []byte
	}{
		{1, 3, 2, []byte{1, 2, 3, 4, 5, 6}},
		{2, 3, 2, []byte{3, 2, 1, 6, 5, 4}},
		{3, 3, 2, []byte{6, 5, 4, 3, 2, 1}},
		{4, 3, 2, []byte{4, 5, 6, 1, 2, 3}},
		{5, 2, 3, []byte{1, 4, 2, 5, 3, 6}},
		{6, 2, 3, []byte{4, 1, 5, 2, 6, 3}},
		{7, 2, 3, []byte{6, 3, 5, 2, 4, 1}},
		{8, 2, 3, []byte{3, 6, 2, 5, 1, 4}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.o), func(t *testing.T) {
			got := orient(p, tt.o)
			assert.Equal(t, tt.w, got.w)
			assert.Equal(t, tt.h, got.h)
			var pix []byte
			for y := range got.h {
				pix = append(pix, got.row(y)...)
			}
			assert.Equal(t, tt.want, pix)
		})
	}
}

func FuzzEXIF(f *testing.F) {
	f.Add(exifJPEG(binary.LittleEndian, 3, 6))
	f.Add(exifJPEG(binary.BigEndian, 4, 8))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0})
	f.Add([]byte{0xff, 0xd8, 0xff, 0xff, 0xff, 0xe1, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		o := Orientation(data)
		if o < 1 || o > 8 {
			t.Fatalf("orientation %d outside 1..8", o)
		}
		// The TIFF parser also meets raw bytes directly.
		if o2 := tiffOrientation(data); o2 < 0 || o2 > 8 {
			t.Fatalf("tiff orientation %d outside 0..8", o2)
		}
	})
}

// TestProcessOrientationCrop stores an off-centre subject on white rotated, as a
// camera held sideways does, and checks that the cropped and non-square variants
// come out as for the upright photo.
func TestProcessOrientationCrop(t *testing.T) {
	upright := whitePhoto(2000, 1300, 900, 800, 1150)
	want, err := Process(encodeJPEG(t, upright, 92), []string{"amazon", "trendyol"}, Options{})
	require.NoError(t, err)
	for o := 2; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			stored := storeAs(upright, o)
			data := withOrientation(encodeJPEG(t, stored, 92), o)
			require.Equal(t, o, Orientation(data))
			got, err := Process(data, []string{"amazon", "trendyol"}, Options{})
			require.NoError(t, err)
			for i := range got.Outputs {
				assert.Less(t, meanAbsDiff(t, decodeRGBA(t, want.Outputs[i].JPEG), decodeRGBA(t, got.Outputs[i].JPEG)), 1.0, got.Outputs[i].Variant)
			}
		})
	}
}

// storeAs returns the pixels a camera stores for an upright picture u when it tags
// them with orientation o: the inverse of what a viewer applies.
func storeAs(u *image.RGBA, o int) *image.RGBA {
	inverse := map[int]int{2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}[o]
	var planes [4]plane
	w, h := u.Rect.Dx(), u.Rect.Dy()
	for c := range 4 {
		p := newPlane(w, h)
		for i := range w * h {
			p.pix[i] = u.Pix[4*i+c]
		}
		planes[c] = orient(p, inverse)
	}
	out := image.NewRGBA(image.Rect(0, 0, planes[0].w, planes[0].h))
	for i := range planes[0].pix {
		for c := range 4 {
			out.Pix[4*i+c] = planes[c].pix[i]
		}
	}
	return out
}
