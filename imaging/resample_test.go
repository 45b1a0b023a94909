package imaging

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func flatPlane(w, h int, v byte) plane {
	p := newPlane(w, h)
	p.fill(v)
	return p
}

func TestMakeWeights(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		x0, x1 float64
		m      int
	}{
		{"2× down", 3000, 0, 3000, 1500},
		{"2.5× down", 3000, 0, 3000, 1200},
		{"3.9× down", 780, 0, 780, 200},
		{"up", 7, 0, 7, 300},
		{"window", 1000, 123.4, 567.8, 321},
		{"one sample", 1, 0, 1, 50},
		{"to one sample", 50, 0, 50, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := makeWeights(tt.n, tt.x0, tt.x1, tt.m)
			require.Len(t, ws.start, tt.m)
			for i, s := range ws.start {
				require.GreaterOrEqual(t, s, 0)
				require.LessOrEqual(t, s+ws.taps, tt.n)
				var sum int32
				for _, w := range ws.w[i*ws.taps : (i+1)*ws.taps] {
					sum += w
				}
				require.Equal(t, int32(fixOne), sum, "output %d", i)
			}
		})
	}
}

func TestResizeFlatStaysExact(t *testing.T) {
	for _, v := range []byte{0, 17, 128, 255} {
		for _, size := range [][4]int{{3000, 2000, 1500, 1000}, {640, 480, 300, 300}, {10, 10, 333, 77}, {1, 1, 20, 20}} {
			t.Run(fmt.Sprint(v, size), func(t *testing.T) {
				out := resize(flatPlane(size[0], size[1], v), 0, 0, float64(size[0]), float64(size[1]), size[2], size[3], &shrinkCache{})
				require.Equal(t, size[2], out.w)
				require.Equal(t, size[3], out.h)
				for y := range out.h {
					for x, got := range out.row(y) {
						if got != v {
							t.Fatalf("(%d,%d) = %d, want %d", x, y, got, v)
						}
					}
				}
			})
		}
	}
}

func TestResizeRamp(t *testing.T) {
	// A horizontal ramp resized by any factor stays the ramp (sampled at the output
	// pixel centres), away from the edges where the kernel is cut.
	const w, h = 2400, 64
	p := newPlane(w, h)
	for y := range h {
		for x := range w {
			p.pix[y*w+x] = byte(x * 256 / w)
		}
	}
	for _, m := range []int{1200, 1000, 600, 300, 97, 3700} {
		t.Run(fmt.Sprint(m), func(t *testing.T) {
			out := resize(p, 0, 0, w, h, m, 16, &shrinkCache{})
			for x, got := range out.row(8) {
				center := (float64(x) + 0.5) * w / float64(m)
				if center < 40 || center > w-40 {
					continue
				}
				want := (center - 0.5) * 256 / w
				require.InDelta(t, want, float64(got), 1.6, "x=%d", x)
			}
		})
	}
}

func TestResizeKeepsDetail(t *testing.T) {
	// Stripes 8 px wide survive a 2× reduction with most of
	// their contrast: a sharp filter, not a blur.
	p := newPlane(400, 40)
	for y := range 40 {
		for x := range 400 {
			if (x/8)%2 == 0 {
				p.pix[y*400+x] = 230
			}
		}
	}
	out := resize(p, 0, 0, 400, 40, 200, 20, nil)
	lo, hi := byte(255), byte(0)
	for _, v := range out.row(10)[10:190] {
		lo, hi = min(lo, v), max(hi, v)
	}
	assert.Greater(t, int(hi)-int(lo), 200)
}

func TestBoxShrink(t *testing.T) {
	// 5×3 plane shrunk by 2×2: partial blocks average what they have.
	p := plane{pix: []byte{
		0, 2, 4, 6, 8,
		10, 12, 14, 16, 18,
		20, 22, 24, 26, 28,
	}, w: 5, h: 3, stride: 5}
	out := boxShrink(p, 2, 2)
	require.Equal(t, 3, out.w)
	require.Equal(t, 2, out.h)
	assert.Equal(t, []byte{6, 10, 13, 21, 25, 28}, out.pix)
}

func TestShrinkCacheSharesLevels(t *testing.T) {
	p := newPlane(64, 64)
	for i := range p.pix {
		p.pix[i] = byte(i)
	}
	c := &shrinkCache{}
	four := c.shrink(p, 4, 4)
	assert.Len(t, c.entries, 2, "4× is built from the cached 2× level")
	again := c.shrink(p, 2, 2)
	assert.Len(t, c.entries, 2)
	assert.Equal(t, 32, again.w)
	direct := boxShrink(p, 4, 4)
	assert.Equal(t, direct.pix, four.pix)
}

func TestPow2Below(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want int
	}{{0, 1}, {1.99, 1}, {2, 2}, {3.9, 2}, {4, 4}, {5, 4}, {math.Inf(1), 1 << 20}} {
		assert.Equal(t, tt.want, pow2Below(tt.v), "%v", tt.v)
	}
}

func TestHalveMatchesBoxShrink(t *testing.T) {
	for _, size := range [][2]int{{6, 4}, {7, 5}, {1, 1}, {1, 6}, {9, 1}, {33, 17}} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			p := newPlane(size[0], size[1])
			for i := range p.pix {
				p.pix[i] = byte(i*37 + i*i)
			}
			got := halve(p)
			// The general path, with kx=ky=2 forced past the shortcut.
			want := boxShrinkGeneral(p, 2, 2)
			assert.Equal(t, want.w, got.w)
			assert.Equal(t, want.h, got.h)
			assert.Equal(t, want.pix, got.pix)
		})
	}
}
