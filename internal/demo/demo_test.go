package demo

import (
	"bytes"
	"image"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLateOrders: a ledger short by exactly one marketplace's units is waiting for
// that marketplace's orders, and the others' count as applied.
func TestLateOrders(t *testing.T) {
	it := &item{start: 10, sold: 5, orders: 3,
		soldOn: map[string]int{"trendyol": 2, "amazon": 3}, ordersOn: map[string]int{"trendyol": 1, "amazon": 2}}
	tests := []struct {
		name    string
		ledger  int
		late    string
		applied int
	}{
		{"every order applied", 5, "", 3},
		{"amazon's late", 8, "amazon", 1},
		{"trendyol's late", 7, "trendyol", 2},
		{"none applied", 10, "", 0},
		{"short by what no marketplace sold", 6, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.late, it.lateOn(tt.ledger))
			assert.Equal(t, tt.applied, it.applied(tt.ledger))
		})
	}
}

// TestPhotos: every sample's photos are JPEGs the pipeline can decode, and the
// object of an off-centre one sits away from the middle.
func TestPhotos(t *testing.T) {
	for i := range Samples {
		b, err := photoJPEG(i, 0)
		require.NoError(t, err)
		img, err := jpeg.Decode(bytes.NewReader(b))
		require.NoError(t, err, Samples[i].SKU)
		assert.Equal(t, 1000, img.Bounds().Dx())
	}
	// Sample 0 is centred, 2 off-centre to the left, 3 small in a wide margin.
	cx0, area0 := object(photo(0, 0, Samples[0].Shape))
	cx2, _ := object(photo(2, 0, Samples[2].Shape))
	_, area3 := object(photo(3, 0, Samples[3].Shape))
	assert.InDelta(t, 0.5, cx0, 0.05)
	assert.Less(t, cx2, 0.42)
	assert.Less(t, area3, area0/2)
}

// object finds the pixels far from the top-left corner's colour (the background):
// their mean x as a share of the width, and their share of the photo.
func object(img *image.RGBA) (cx, area float64) {
	bg := img.RGBAAt(5, 5)
	n, sx := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			c := img.RGBAAt(x, y)
			d := absDiff(c.R, bg.R) + absDiff(c.G, bg.G) + absDiff(c.B, bg.B)
			if d > 60 {
				n++
				sx += x
			}
		}
	}
	total := float64(b.Dx() * b.Dy() / 4)
	return float64(sx) / float64(n) / float64(b.Dx()), float64(n) / total
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestProgressPlain: without a terminal a stage gets a line when it moves (at most
// one a second) and always when it completes; on a terminal the bars are redrawn in
// place.
func TestProgressPlain(t *testing.T) {
	var out bytes.Buffer
	s := &stage{name: "images", total: 3}
	p := newProgress(&out, false, []*stage{s})
	t0 := time.Now()
	s.set(1, t0)
	p.draw(t0)
	s.set(2, t0.Add(100*time.Millisecond))
	p.draw(t0.Add(100 * time.Millisecond)) // too soon
	p.draw(t0.Add(200 * time.Millisecond)) // nothing new
	s.set(3, t0.Add(300*time.Millisecond))
	p.draw(t0.Add(300 * time.Millisecond)) // complete
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, out.String())
	assert.Contains(t, lines[0], "1/3")
	assert.Contains(t, lines[1], "3/3")
	assert.NotContains(t, out.String(), "\x1b")

	out.Reset()
	p = newProgress(&out, true, []*stage{s, {name: "seo", total: 3}})
	p.draw(t0)
	p.draw(t0)
	assert.Equal(t, 1, strings.Count(out.String(), "\x1b[2A"), "the second drawing goes back up two lines")
}
