package imaging

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// phashSide is the size of the luma thumbnail the perceptual hash transforms.
const phashSide = 32

// dct32 holds cos((2x+1)uπ/64) for u, x < 32: the DCT-II basis.
var dct32 = func() [phashSide][phashSide]float64 {
	var c [phashSide][phashSide]float64
	for u := range phashSide {
		for x := range phashSide {
			c[u][x] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / (2 * phashSide))
		}
	}
	return c
}()

// pHash is the DCT perceptual hash of luma plane y shown in EXIF orientation o: the
// plane is reduced to 32×32, transformed, and each of the 8×8 lowest frequencies
// gives one bit, set when the coefficient is above the mean of the 63 AC ones. The
// classic threshold is their median, but product shots are often nearly symmetric,
// which leaves many coefficients at about zero — right at the median — whose bits
// then flip on any re-encoding; the mean sits away from that cluster. Re-encoding or
// resizing a photo flips a few bits at most.
func pHash(y plane, o int) uint64 {
	small := orient(resize(y, 0, 0, float64(y.w), float64(y.h), phashSide, phashSide, nil), o)
	// Rows first: tmp[r][u] = Σx s[r][x]·c[u][x], then columns for u, v < 8.
	var tmp [phashSide][8]float64
	for r := range phashSide {
		row := small.row(r)
		for u := range 8 {
			var s float64
			for x, v := range row {
				s += float64(v) * dct32[u][x]
			}
			tmp[r][u] = s
		}
	}
	var coef [64]float64
	for v := range 8 {
		for u := range 8 {
			var s float64
			for r := range phashSide {
				s += tmp[r][u] * dct32[v][r]
			}
			coef[v*8+u] = s
		}
	}
	var mean float64
	for _, c := range coef[1:] {
		mean += c
	}
	mean /= 63
	var h uint64
	for i, c := range coef {
		if c > mean {
			h |= 1 << (63 - i)
		}
	}
	return h
}

// FormatPHash writes a perceptual hash as 16 hex digits, as Analysis.PHash (and
// messages.Analysis.PHash) carry it.
func FormatPHash(h uint64) string { return fmt.Sprintf("%016x", h) }

// PHashDistance is the number of differing bits of two hashes in FormatPHash form:
// 0 for the same photo, a few for a re-encoding, about 32 for unrelated photos.
func PHashDistance(a, b string) (int, error) {
	x, err := strconv.ParseUint(a, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("parse phash %q: %w", a, err)
	}
	y, err := strconv.ParseUint(b, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("parse phash %q: %w", b, err)
	}
	return bits.OnesCount64(x ^ y), nil
}
