package imaging

import (
	"image/color"
	"math"
)

// Backdrop removal. A home-studio product photo is a subject on a backdrop that is one
// colour (grey or beige paper, a painted wall) or a smooth gradient (a sweep, light
// falling off), often with the subject's soft shadow on it. The stage:
//
//  1. models the backdrop from the border of the reduced analysis image: a quadratic
//     surface per Y, Cb and Cr plane, fitted robustly so that a subject touching the
//     border does not bend it;
//  2. judges the fit: a border the model does not explain (a room, a landscape, a
//     texture) is a busy scene, which is left exactly as it is, never half-cut;
//  3. grows the backdrop inward from the border over pixels that the model explains,
//     either directly or as a shadow (the backdrop's colour scaled darker), stepping
//     only between neighbours that differ little, so that the growth stops at the
//     subject's edge even where the subject's colour is close to the backdrop's;
//  4. at each variant's output resolution, refines the matte in a band around that
//     edge from the local backdrop and subject colours, and composites the subject on
//     pure white, removing the backdrop's colour from the edge pixels.

// Backdrop kinds, as Analysis.Backdrop (and messages.Analysis.Backdrop) carry them.
const (
	// BackdropWhite is a near-white backdrop (a white sweep, a cut-out on white).
	BackdropWhite = "white"
	// BackdropPlain is a backdrop of one colour, shadows and slight shading allowed.
	BackdropPlain = "plain"
	// BackdropGradient is a backdrop whose colour changes smoothly across the frame.
	BackdropGradient = "gradient"
	// BackdropBusy is a scene or texture the stage cannot model: it is left alone.
	BackdropBusy = "busy"
)

const (
	// shadowMin is the darkest a shadow may make the backdrop (its luma ratio): a
	// softbox shadow stays above it, while most products are darker still or differ
	// in colour.
	shadowMin = 0.5
	// busySigma bounds the typical colour distance of border pixels to the model, in
	// the units of colourDist: above it the border is texture, not a backdrop.
	busySigma = 9.0
	// busyInliers is the least share of the border the model must explain.
	busyInliers = 0.75
	// busyTouch is the most of the image's outermost ring the subject may cover: a
	// "subject" running out of the frame on every side is the scene itself.
	busyTouch = 0.12
	// gradientRange is the change of the model's luma across the frame (or half of it
	// in chroma) above which a backdrop counts as a gradient rather than plain.
	gradientRange = 14.0
)

// backdrop is what the stage learnt about one photo's surroundings, on the reduced
// analysis image (w×h, k source pixels per pixel).
type backdrop struct {
	kind      string
	separated bool // a subject was found and the backdrop can be replaced
	w, h      int
	k         float64
	model     [3][6]float64 // Y, Cb-128, Cr-128 as quadratics in (u, v) ∈ [-1, 1]²
	sigma     float64       // typical colour distance of border pixels to the model
	bg        []bool        // the backdrop region
	rim       []bool        // pixels with a pixel of the other region among their 8 neighbours
	bloc      [3][]float32  // local backdrop colour (Y, Cb, Cr), filled in under the subject
	floc      [3][]float32  // local subject colour, filled out over the backdrop
}

// colourDist is the distance the backdrop model works in: chroma counts double, as a
// shift of a few levels in Cb or Cr is as visible as a larger one in luma.
func colourDist(dy, dcb, dcr float64) float64 {
	return math.Sqrt(dy*dy + 2*(dcb*dcb+dcr*dcr))
}

// basis is the quadratic surface's terms at (u, v).
func basis(u, v float64) [6]float64 { return [6]float64{1, u, v, u * u, u * v, v * v} }

// at evaluates the model at analysis pixel (x, y).
func (b *backdrop) at(x, y int) (yb, cb, cr float64) {
	f := basis(2*(float64(x)+0.5)/float64(b.w)-1, 2*(float64(y)+0.5)/float64(b.h)-1)
	var out [3]float64
	for c := range 3 {
		for i, v := range f {
			out[c] += b.model[c][i] * v
		}
	}
	return out[0], out[1], out[2]
}

// findBackdrop models the backdrop of the reduced image (y, cb, cr at 4:4:4) and, unless
// the scene is busy, separates the subject. white says whether the border is near white.
func findBackdrop(y, cb, cr plane, k float64, white bool) *backdrop {
	w, h := y.w, y.h
	b := &backdrop{w: w, h: h, k: k, kind: BackdropBusy}
	if w < 8 || h < 8 {
		return b
	}
	// Luma is smoothed against sensor noise; chroma, upsampled from a subsampled
	// JPEG, is smooth already.
	sy, scb, scr := smooth3(y), floats(cb), floats(cr)

	// The border ring is what the model is fitted to: two pixels thin, so that a
	// product filling all but a sliver of the frame still leaves it to the backdrop.
	const t = 2
	var ring []int
	for j := range h {
		for i := range w {
			if i < t || i >= w-t || j < t || j >= h-t {
				ring = append(ring, j*w+i)
			}
		}
	}
	inliers := b.fit(sy, scb, scr, ring)
	if inliers < busyInliers || b.sigma > busySigma {
		return b
	}

	// Neighbour steps along the border's rows: what the growth may cross.
	inRing := func(i, j int) bool { return i < t || i >= w-t || j < t || j >= h-t }
	var steps, csteps []float64
	for _, p := range ring {
		i, j := p%w, p/w
		if i+1 >= w || !inRing(i+1, j) {
			continue
		}
		steps = append(steps, math.Abs(float64(sy[p+1])-float64(sy[p])))
		csteps = append(csteps, math.Max(math.Abs(float64(scb[p+1])-float64(scb[p])), math.Abs(float64(scr[p+1])-float64(scr[p]))))
	}
	stepY := math.Max(4*median(steps), 2.5)
	stepC := math.Max(4*median(csteps), 2)
	tol := math.Max(4*b.sigma, 8)

	// Classify every pixel: 1 explained by the model, 2 explained as the backdrop in
	// shadow, 0 not explained. ratio is the pixel's luma over the model's.
	n := w * h
	cls := make([]uint8, n)
	ratio := make([]float32, n) // luma over the model's: 1 on the backdrop, lower in shadow
	mody := make([]float32, n)
	explained := func(py, pcb, pcr, yb, cbb, crb float64) uint8 {
		s := py / math.Max(yb, 1)
		switch {
		case colourDist(py-yb, pcb-cbb, pcr-crb) <= tol:
			return 1
		case s >= shadowMin && s <= 1 && colourDist(0, pcb-s*cbb, pcr-s*crb) <= tol:
			return 2
		}
		return 0
	}
	my, mcb, mcr := make([]float64, w), make([]float64, w), make([]float64, w)
	for j := range h {
		b.modelRow(j, my, mcb, mcr)
		for i := range w {
			p := j*w + i
			yb := math.Max(my[i], 1)
			py := float64(sy[p])
			ratio[p], mody[p] = float32(py/yb), float32(yb)
			cls[p] = explained(py, float64(scb[p])-128, float64(scr[p])-128, my[i], mcb[i], mcr[i])
		}
	}

	// Grow the backdrop from the border.
	bg := make([]bool, n)
	stack := make([]int, 0, 2*(w+h))
	for i := range w {
		for _, p := range []int{i, (h-1)*w + i} {
			if cls[p] == 1 && !bg[p] {
				bg[p] = true
				stack = append(stack, p)
			}
		}
	}
	for j := range h {
		for _, p := range []int{j * w, j*w + w - 1} {
			if cls[p] == 1 && !bg[p] {
				bg[p] = true
				stack = append(stack, p)
			}
		}
	}
	join := func(p, q int) {
		if bg[q] || cls[q] == 0 {
			return
		}
		// Luma steps are measured against the model, so the backdrop's own gradient
		// is no step; a shadow's soft edge is a series of small ones.
		if math.Abs(float64(ratio[q]-ratio[p])*float64(mody[q])) > stepY ||
			math.Abs(float64(scb[q])-float64(scb[p])) > stepC ||
			math.Abs(float64(scr[q])-float64(scr[p])) > stepC {
			return
		}
		bg[q] = true
		stack = append(stack, q)
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, yy := p%w, p/w
		if x > 0 {
			join(p, p-1)
		}
		if x < w-1 {
			join(p, p+1)
		}
		if yy > 0 {
			join(p, p-w)
		}
		if yy < h-1 {
			join(p, p+w)
		}
	}
	// The growth stops a pixel or two short of the subject's edge, where the
	// smoothing mixes the subject into the backdrop: pull the boundary out to the
	// edge, judging the pixels on their own colours.
	for range 3 {
		var add []int
		for p := range n {
			if bg[p] {
				continue
			}
			x, yy := p%w, p/w
			if !(x > 0 && bg[p-1] || x < w-1 && bg[p+1] || yy > 0 && bg[p-w] || yy < h-1 && bg[p+w]) {
				continue
			}
			yb, cbb, crb := b.at(x, yy)
			if explained(float64(y.pix[yy*y.stride+x]), float64(cb.pix[yy*cb.stride+x])-128, float64(cr.pix[yy*cr.stride+x])-128, yb, cbb, crb) != 0 {
				add = append(add, p)
			}
		}
		for _, p := range add {
			bg[p] = true
		}
	}
	subject := dropSpecks(bg, w, h, max(4, n/2000))

	// The outermost ring: a subject covering much of it is the scene itself.
	outer, touched := 0, 0
	for j := range h {
		for i := range w {
			if i == 0 || j == 0 || i == w-1 || j == h-1 {
				outer++
				if !bg[j*w+i] {
					touched++
				}
			}
		}
	}
	if float64(touched) > busyTouch*float64(outer) {
		return b
	}

	b.kind = b.classify(white)
	b.bg = bg
	if subject == 0 {
		return b
	}
	b.separated = true
	b.rim = rim(bg, w, h)
	// The local colours come from pixels clear of the edge, which mixes the two.
	bgKnown, fgKnown := make([]bool, n), make([]bool, n)
	nb, nf := 0, 0
	for p := range n {
		if !b.rim[p] {
			if bg[p] {
				bgKnown[p], nb = true, nb+1
			} else {
				fgKnown[p], nf = true, nf+1
			}
		}
	}
	if nb == 0 || nf == 0 { // thin regions: take every pixel of each
		for p := range n {
			bgKnown[p], fgKnown[p] = bg[p], !bg[p]
		}
	}
	// Only the samples around the rim are ever read (render refines the matte
	// there).
	need := make([]bool, n)
	for p, r := range b.rim {
		if r {
			x, yy := p%w, p/w
			for dy := max(yy-1, 0); dy <= min(yy+1, h-1); dy++ {
				for dx := max(x-1, 0); dx <= min(x+1, w-1); dx++ {
					need[dy*w+dx] = true
				}
			}
		}
	}
	planes := [3][]float32{sy, scb, scr}
	b.bloc = localMeans(planes, bgKnown, need, w, h)
	b.floc = localMeans(planes, fgKnown, need, w, h)
	return b
}

// modelRow evaluates the model along analysis row j.
func (b *backdrop) modelRow(j int, y, cb, cr []float64) {
	v := 2*(float64(j)+0.5)/float64(b.h) - 1
	for c, out := range [3][]float64{y, cb, cr} {
		m := b.model[c]
		a0, a1, a2 := m[0]+m[2]*v+m[5]*v*v, m[1]+m[4]*v, m[3]
		for i := range out {
			u := 2*(float64(i)+0.5)/float64(b.w) - 1
			out[i] = a0 + (a1+a2*u)*u
		}
	}
}

// fit fits the model to the ring pixels of the smoothed planes by least squares,
// refitting on the pixels it explains, and sets sigma. It returns the share of the
// ring the final model explains.
func (b *backdrop) fit(sy, scb, scr []float32, ring []int) float64 {
	w, h := b.w, b.h
	if step := len(ring) / 4000; step > 1 { // plenty to fit six terms
		thin := ring[:0:0]
		for i := 0; i < len(ring); i += step {
			thin = append(thin, ring[i])
		}
		ring = thin
	}
	feats := make([][6]float64, len(ring))
	for n, p := range ring {
		feats[n] = basis(2*(float64(p%w)+0.5)/float64(w)-1, 2*(float64(p/w)+0.5)/float64(h)-1)
	}
	vals := func(c, p int) float64 {
		switch c {
		case 0:
			return float64(sy[p])
		case 1:
			return float64(scb[p]) - 128
		}
		return float64(scr[p]) - 128
	}
	use := make([]bool, len(ring))
	for i := range use {
		use[i] = true
	}
	res := make([]float64, len(ring))
	share := 0.0
	for iter := range 4 {
		var ata [6][6]float64
		var atb [3][6]float64
		for n, f := range feats {
			if !use[n] {
				continue
			}
			for i := range 6 {
				for j := range 6 {
					ata[i][j] += f[i] * f[j]
				}
				for c := range 3 {
					atb[c][i] += f[i] * vals(c, ring[n])
				}
			}
		}
		for c := range 3 {
			b.model[c] = solve6(ata, atb[c])
		}
		var used []float64
		for n, p := range ring {
			var m [3]float64
			for c := range 3 {
				for i, v := range feats[n] {
					m[c] += b.model[c][i] * v
				}
			}
			res[n] = colourDist(vals(0, p)-m[0], vals(1, p)-m[1], vals(2, p)-m[2])
			if iter == 0 || use[n] {
				used = append(used, res[n])
			}
		}
		// The median residual of the pixels the last fit used is the noise; three
		// times it (at least 3 levels) separates backdrop from what is not.
		b.sigma = median(used)
		limit := math.Max(3*b.sigma, 3)
		kept := 0
		for n := range res {
			use[n] = res[n] <= limit
			if use[n] {
				kept++
			}
		}
		share = float64(kept) / float64(len(ring))
		if kept < 6 {
			break
		}
	}
	return share
}

// classify names a backdrop the model explains: white, plain or a gradient.
func (b *backdrop) classify(white bool) string {
	if white {
		return BackdropWhite
	}
	lo, hi := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}, [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for j := 0; j < b.h; j += max(1, b.h/16) {
		for i := 0; i < b.w; i += max(1, b.w/16) {
			y, cb, cr := b.at(i, j)
			for c, v := range [3]float64{y, cb, cr} {
				lo[c], hi[c] = math.Min(lo[c], v), math.Max(hi[c], v)
			}
		}
	}
	if hi[0]-lo[0] > gradientRange || 2*(hi[1]-lo[1]) > gradientRange || 2*(hi[2]-lo[2]) > gradientRange {
		return BackdropGradient
	}
	return BackdropPlain
}

// solve6 solves the 6×6 system a·x = y by Gaussian elimination with partial pivoting;
// a singular system (too few distinct positions) gives the constant fit.
func solve6(a [6][6]float64, y [6]float64) [6]float64 {
	var x [6]float64
	for col := range 6 {
		piv := col
		for r := col + 1; r < 6; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		if math.Abs(a[piv][col]) < 1e-9 {
			if a[0][0] > 0 {
				x[0] = y[0] / a[0][0]
			}
			return [6]float64{x[0]}
		}
		a[col], a[piv] = a[piv], a[col]
		y[col], y[piv] = y[piv], y[col]
		for r := col + 1; r < 6; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < 6; c++ {
				a[r][c] -= f * a[col][c]
			}
			y[r] -= f * y[col]
		}
	}
	for r := 5; r >= 0; r-- {
		s := y[r]
		for c := r + 1; c < 6; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x
}

// median is the middle of non-negative values, to 1/16 of a level: a histogram is
// linear where sorting thousands of residuals on every refit is not.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	const bins, res = 4096, 16
	var hist [bins]int32
	for _, x := range v {
		hist[min(int(x*res), bins-1)]++
	}
	acc, half := 0, (len(v)+1)/2
	for i, c := range hist {
		if acc += int(c); acc >= half {
			return (float64(i) + 0.5) / res
		}
	}
	return bins / res
}

// smooth3 is p box-filtered over 3×3 (edges clamped), as floats.
func smooth3(p plane) []float32 {
	w, h := p.w, p.h
	tmp := make([]float32, w*h)
	for j := range h {
		r := p.row(j)
		for i := range w {
			tmp[j*w+i] = float32(int(r[max(i-1, 0)])+int(r[i])+int(r[min(i+1, w-1)])) / 3
		}
	}
	out := make([]float32, w*h)
	for j := range h {
		a, c := tmp[max(j-1, 0)*w:][:w], tmp[min(j+1, h-1)*w:][:w]
		m := tmp[j*w:][:w]
		o := out[j*w:][:w]
		for i := range o {
			o[i] = (a[i] + m[i] + c[i]) / 3
		}
	}
	return out
}

// dropSpecks turns into backdrop every 4-connected region outside bg smaller than
// minArea (sensor noise, dust, a stray JPEG block), and returns how many pixels are
// left outside bg.
func dropSpecks(bg []bool, w, h, minArea int) int {
	seen := make([]bool, len(bg))
	var comp, stack []int
	visit := func(q int) {
		if !bg[q] && !seen[q] {
			seen[q] = true
			stack = append(stack, q)
		}
	}
	left := 0
	for start := range bg {
		if bg[start] || seen[start] {
			continue
		}
		comp, stack = comp[:0], append(stack[:0], start)
		seen[start] = true
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, p)
			x := p % w
			if x > 0 {
				visit(p - 1)
			}
			if x < w-1 {
				visit(p + 1)
			}
			if p >= w {
				visit(p - w)
			}
			if p < (h-1)*w {
				visit(p + w)
			}
		}
		if len(comp) < minArea {
			for _, p := range comp {
				bg[p] = true
			}
			continue
		}
		left += len(comp)
	}
	return left
}

// rim marks the pixels that have a pixel of the other region (bg or not) among their
// eight neighbours.
func rim(bg []bool, w, h int) []bool {
	r := make([]bool, w*h)
	mark := func(i, j int) {
		if bg[i] != bg[j] {
			r[i], r[j] = true, true
		}
	}
	for y := range h {
		for x := range w {
			i := y*w + x
			if x+1 < w {
				mark(i, i+1)
			}
			if y+1 < h {
				mark(i, i+w)
				if x+1 < w {
					mark(i, i+w+1)
				}
				if x > 0 {
					mark(i, i+w-1)
				}
			}
		}
	}
	return r
}

// floats copies a plane into floats.
func floats(p plane) []float32 {
	out := make([]float32, p.w*p.h)
	for j := range p.h {
		o := out[j*p.w:][:p.w]
		for i, v := range p.row(j) {
			o[i] = float32(v)
		}
	}
	return out
}

// localMeans returns, for each pixel need marks, the mean of planes over the known
// pixels within a few pixels of it (the nearest known colour, in effect), looking
// further out where there are none, and the mean of all known pixels where none is
// found at all.
func localMeans(planes [3][]float32, known, need []bool, w, h int) [3][]float32 {
	var out [3][]float32
	for c := range 3 {
		out[c] = make([]float32, w*h)
	}
	var total [4]float64
	for i, k := range known {
		if k {
			total[0]++
			for c := range 3 {
				total[c+1] += float64(planes[c][i])
			}
		}
	}
	for i, nd := range need {
		if !nd {
			continue
		}
		x, y := i%w, i/w
		var s [4]float32
		for r := 2; s[0] == 0 && r <= 16; r *= 2 {
			for yy := max(y-r, 0); yy <= min(y+r, h-1); yy++ {
				row := yy * w
				for xx := max(x-r, 0); xx <= min(x+r, w-1); xx++ {
					if j := row + xx; known[j] {
						s[0]++
						s[1] += planes[0][j]
						s[2] += planes[1][j]
						s[3] += planes[2][j]
					}
				}
			}
		}
		if s[0] == 0 {
			s = [4]float32{float32(total[0]), float32(total[1]), float32(total[2]), float32(total[3])}
		}
		for c := range 3 {
			out[c][i] = s[c+1] / max(s[0], 1)
		}
	}
	return out
}

// Matte refinement: edge pixels whose subject opacity is clearly partial are kept
// partial; nearly opaque or nearly clear ones snap, so noise does not speckle the
// white backdrop or thin the subject.
const (
	alphaSnap = 0.08
	// minEdgeContrast is the least colour distance between the local subject and
	// backdrop colours for the colours to say where the edge is; below it the coarse
	// matte stands.
	minEdgeContrast = 12.0
)

// matte returns the subject's opacity (0..255) for each sample of y, the window win of
// the source (source pixel coordinates) resized to y.w×y.h; cb and cr are the same
// window at half resolution. Far from the subject's edge it is the coarse matte's 0
// or 255; on the coarse matte's rim it is estimated from the pixel's colour between
// the local backdrop and subject colours.
func (b *backdrop) matte(y, cb, cr plane, win rect) []uint8 {
	out := make([]uint8, y.w*y.h)
	xs := b.taps(y.w, b.w, win.x0, (win.x1-win.x0)/float64(y.w))
	ys := b.taps(y.h, b.h, win.y0, (win.y1-win.y0)/float64(y.h))
	// Output columns come in runs that share their nearest analysis column: runs
	// away from the edge take its value at once.
	type run struct{ c, x0, x1 int }
	var runs []run
	for x, t := range xs {
		if n := len(runs); n > 0 && runs[n-1].c == t.near {
			runs[n-1].x1 = x + 1
		} else {
			runs = append(runs, run{t.near, x, x + 1})
		}
	}
	subj := func(i int) float32 {
		if b.bg[i] {
			return 0
		}
		return 1
	}
	for j, ty := range ys {
		row := y.row(j)
		crow, rrow := cb.row(min(j/2, cb.h-1)), cr.row(min(j/2, cr.h-1))
		o := out[j*y.w:][:y.w]
		for _, r := range runs {
			p := ty.near*b.w + r.c
			if !b.rim[p] {
				if !b.bg[p] {
					for i := r.x0; i < r.x1; i++ {
						o[i] = 255
					}
				}
				continue
			}
			for i := r.x0; i < r.x1; i++ {
				tx := xs[i]
				prior := (subj(ty.i0*b.w+tx.i0)*(1-tx.f)+subj(ty.i0*b.w+tx.i1)*tx.f)*(1-ty.f) +
					(subj(ty.i1*b.w+tx.i0)*(1-tx.f)+subj(ty.i1*b.w+tx.i1)*tx.f)*ty.f
				// The edge may lie anywhere in the rim's pixels, not only where the
				// coarse matte is mixed: judge every rim sample by its colour, and
				// fall back on the coarse matte where the colours cannot tell.
				a := prior
				{
					// The local colours are means over a few analysis pixels, smooth
					// enough to read at the nearest one.
					var u, v [3]float32
					for c, pl := range [3]float32{float32(row[i]), float32(crow[min(i/2, cb.w-1)]), float32(rrow[min(i/2, cr.w-1)])} {
						bc := b.bloc[c][p]
						u[c] = b.floc[c][p] - bc
						v[c] = pl - bc
					}
					uu := u[0]*u[0] + 2*(u[1]*u[1]+u[2]*u[2])
					if uu >= minEdgeContrast*minEdgeContrast {
						a = (v[0]*u[0] + 2*(v[1]*u[1]+v[2]*u[2])) / uu
					}
				}
				switch {
				case a <= alphaSnap:
					o[i] = 0
				case a >= 1-alphaSnap:
					o[i] = 255
				default:
					o[i] = uint8(a*255 + 0.5)
				}
			}
		}
	}
	return out
}

// tap places one output sample between two analysis columns (or rows).
type tap struct {
	i0, i1 int     // the analysis columns around the sample
	f      float32 // weight of i1
	near   int     // the nearest analysis column
}

// taps places n output samples, the first centred at start+scale/2 in source pixels,
// on an analysis axis of size samples.
func (b *backdrop) taps(n, size int, start, scale float64) []tap {
	t := make([]tap, n)
	for x := range t {
		t[x] = b.tapAt(start+(float64(x)+0.5)*scale, size)
	}
	return t
}

// tapAt places the source coordinate s on an analysis axis of size samples.
func (b *backdrop) tapAt(s float64, size int) tap {
	a := s/b.k - 0.5
	i0 := int(math.Floor(a))
	return tap{
		i0: min(max(i0, 0), size-1), i1: min(max(i0+1, 0), size-1),
		f: float32(a - float64(i0)), near: min(max(int(math.Round(a)), 0), size-1),
	}
}

// bilinear samples an analysis-resolution plane between taps.
func (b *backdrop) bilinear(v []float32, tx, ty tap) float32 {
	top := v[ty.i0*b.w+tx.i0]*(1-tx.f) + v[ty.i0*b.w+tx.i1]*tx.f
	bot := v[ty.i1*b.w+tx.i0]*(1-tx.f) + v[ty.i1*b.w+tx.i1]*tx.f
	return top*(1-ty.f) + bot*ty.f
}

// composite puts the subject on pure white: y, cb and cr (the window win, after the
// tone curve lv and sharpening) take alpha's opacity, and the part of an edge pixel's
// colour that came from the backdrop is replaced by white.
func (b *backdrop) composite(y, cb, cr plane, alpha []uint8, win rect, lv *levels) {
	scaleX := (win.x1 - win.x0) / float64(y.w)
	scaleY := (win.y1 - win.y0) / float64(y.h)
	// The local backdrop colour at output sample (x, yy) of a plane whose samples
	// are step output samples wide, through the tone curve.
	local := func(c, x, yy int, step float64, lut *[256]byte) float32 {
		tx := b.tapAt(win.x0+(float64(x)+0.5)*step*scaleX, b.w)
		ty := b.tapAt(win.y0+(float64(yy)+0.5)*step*scaleY, b.h)
		v := b.bilinear(b.bloc[c], tx, ty)
		return float32(lut[byte(min(max(v+0.5, 0), 255))])
	}
	// v + (1-a)·(white - back): the backdrop's share of the pixel becomes white.
	mix := func(v byte, a int, white, back float32) byte {
		r := float32(v) + float32(255-a)/255*(white-back)
		return byte(min(max(r+0.5, 0), 255))
	}
	for j := range y.h {
		row := y.row(j)[:y.w]
		arow := alpha[j*y.w:][:y.w]
		for i, a := range arow {
			switch a {
			case 255:
			case 0:
				row[i] = 255
			default:
				row[i] = mix(row[i], int(a), 255, local(0, i, j, 1, &lv.y))
			}
		}
	}
	// A chroma sample takes the mean opacity of the (up to) 2×2 luma samples it
	// covers.
	for j := range cb.h {
		r0 := alpha[min(2*j, y.h-1)*y.w:][:y.w]
		r1 := alpha[min(2*j+1, y.h-1)*y.w:][:y.w]
		brow, rrow := cb.row(j), cr.row(j)
		for i := range brow {
			x0, x1 := min(2*i, y.w-1), min(2*i+1, y.w-1)
			sum := int(r0[x0]) + int(r0[x1]) + int(r1[x0]) + int(r1[x1])
			switch sum {
			case 4 * 255:
			case 0:
				brow[i], rrow[i] = 128, 128
			default:
				a := (sum + 2) / 4
				brow[i] = mix(brow[i], a, 128, local(1, i, j, 2, &lv.cb))
				rrow[i] = mix(rrow[i], a, 128, local(2, i, j, 2, &lv.cr))
			}
		}
	}
}

// describe names the backdrop for the compliance notes: its kind and, unless white or
// busy, its colour at the centre ("plain beige backdrop", "gradient light grey
// backdrop"): a palette name when it has a hue, a shade of grey when it has none.
func (b *backdrop) describe() string {
	if b.kind == BackdropWhite || b.kind == BackdropBusy || b.w == 0 {
		return b.kind + " backdrop"
	}
	y, cb, cr := b.at(b.w/2, b.h/2)
	name := ""
	switch {
	case math.Hypot(cb, cr) >= 6:
		// The nearest hue among the palette's colours, lightness counting half: a
		// pale blue sweep is blue, not grey.
		r, g, bl := color.YCbCrToRGB(clampRound(y), clampRound(cb+128), clampRound(cr+128))
		l := lab(r, g, bl)
		best := math.Inf(1)
		for _, p := range palette {
			if math.Hypot(p.lab[1], p.lab[2]) < 10 {
				continue
			}
			dl, da, db := (l[0]-p.lab[0])/2, l[1]-p.lab[1], l[2]-p.lab[2]
			if d := dl*dl + da*da + db*db; d < best {
				best, name = d, p.en
			}
		}
	case y >= 170:
		name = "light grey"
	case y >= 90:
		name = "grey"
	case y >= 40:
		name = "dark grey"
	default:
		name = "black"
	}
	return b.kind + " " + name + " backdrop"
}
