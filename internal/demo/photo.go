package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
)

// shape is the outline of what a photo shows: inside reports whether a point of the
// object's box, in coordinates from -1 to 1 on each axis, belongs to the object.
type shape func(u, v float64) bool

func ellipse(u, v, cu, cv, ru, rv float64) bool {
	du, dv := (u-cu)/ru, (v-cv)/rv
	return du*du+dv*dv <= 1
}

func rect(u, v, u0, v0, u1, v1 float64) bool { return u >= u0 && u <= u1 && v >= v0 && v <= v1 }

var (
	tshirt = func(u, v float64) bool {
		body := rect(u, v, -0.55, -0.75, 0.55, 1)
		sleeves := v >= -0.75 && v <= -0.2 && math.Abs(u) <= 1 && v+0.75 >= (math.Abs(u)-0.55)*1.1
		neck := ellipse(u, v, 0, -0.8, 0.22, 0.18)
		return (body || sleeves) && !neck
	}
	dress = func(u, v float64) bool {
		half := 0.3 + 0.6*(v+1)/2 // widens towards the hem
		straps := v < -0.7 && math.Abs(math.Abs(u)-0.2) < 0.06
		return (v >= -0.7 && math.Abs(u) <= half) || straps
	}
	trousers = func(u, v float64) bool {
		waist := rect(u, v, -0.6, -1, 0.6, -0.4)
		legs := v >= -0.4 && math.Abs(u) <= 0.6 && math.Abs(u) >= 0.05+0.05*(v+0.4)
		return waist || legs
	}
	mug = func(u, v float64) bool {
		body := rect(u, v, -0.7, -0.8, 0.45, 1)
		handle := ellipse(u, v, 0.55, 0.05, 0.4, 0.45) && !ellipse(u, v, 0.55, 0.05, 0.22, 0.27)
		return body || handle
	}
	pot = func(u, v float64) bool {
		body := rect(u, v, -0.75, -0.4, 0.75, 1)
		lid := ellipse(u, v, 0, -0.4, 0.8, 0.25)
		knob := ellipse(u, v, 0, -0.7, 0.12, 0.1)
		handles := rect(u, v, -1, -0.2, 1, 0) && !rect(u, v, -0.75, -1, 0.75, 1)
		return body || lid || knob || handles
	}
	box = func(u, v float64) bool {
		return rect(u, v, -0.8, -0.55, 0.8, 0.55) && !(math.Abs(u) > 0.7 && math.Abs(v) > 0.45)
	}
	watch = func(u, v float64) bool {
		return ellipse(u, v, 0, 0, 0.55, 0.55) || rect(u, v, -0.3, -1, 0.3, 1)
	}
	bag = func(u, v float64) bool {
		body := rect(u, v, -0.85, -0.2, 0.85, 1)
		strap := ellipse(u, v, 0, -0.2, 0.55, 0.75) && !ellipse(u, v, 0, -0.2, 0.45, 0.65) && v < -0.2
		return body || strap
	}
	shoe = func(u, v float64) bool {
		sole := rect(u, v, -1, 0.6, 1, 0.85)
		upper := ellipse(u, v, 0.1, 0.6, 0.95, 0.55) && v <= 0.6
		heel := rect(u, v, -1, -0.3, -0.55, 0.6)
		return sole || upper || heel
	}
	headphones = func(u, v float64) bool {
		band := ellipse(u, v, 0, 0.1, 0.85, 1) && !ellipse(u, v, 0, 0.1, 0.72, 0.88) && v < 0.3
		cups := ellipse(u, v, -0.75, 0.55, 0.22, 0.4) || ellipse(u, v, 0.75, 0.55, 0.22, 0.4)
		return band || cups
	}
)

// palette are the products' colours, one per sample in turn.
var palette = []color.RGBA{
	{32, 48, 96, 255}, {236, 236, 230, 255}, {28, 28, 30, 255}, {60, 130, 80, 255},
	{50, 50, 52, 255}, {20, 20, 24, 255}, {245, 245, 245, 255}, {230, 220, 200, 255},
	{180, 182, 186, 255}, {170, 110, 60, 255}, {190, 190, 196, 255}, {128, 128, 132, 255},
	{250, 250, 250, 255}, {70, 100, 160, 255}, {24, 24, 24, 255}, {120, 70, 150, 255},
}

// photo draws photo k of sample i as a seller's snapshot: the product on a plain,
// slightly grey background with a soft shadow. The first photo of every third sample
// is off-centre and every fourth's is small in a wide margin, so the photo stage has
// cropping and centring to do; later photos are closer and shifted.
func photo(i, k int, s shape) *image.RGBA {
	const w, h = 1000, 800
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c := palette[i%len(palette)]
	bg := color.RGBA{uint8(232 - i%3*6), uint8(232 - i%3*5), uint8(228 - i%3*4), 255}
	if lum(c) > 200 { // a white product on a darker table, or it vanishes
		bg = color.RGBA{200, 204, 210, 255}
	}
	cx, cy, half := 0.5, 0.5, 0.36
	switch {
	case k > 0:
		cx, cy, half = 0.5+0.06*float64(k), 0.52, 0.42
	case i%3 == 2:
		cx, cy = 0.33, 0.6
	case i%4 == 3:
		half = 0.2
	}
	ox, oy, r := cx*w, cy*h, half*h
	for y := range h {
		for x := range w {
			u, v := (float64(x)-ox)/r, (float64(y)-oy)/r
			px := bg
			// a vignette, as a phone camera makes
			d := math.Hypot(float64(x)/w-0.5, float64(y)/h-0.5)
			px = shade(px, 1-0.12*d)
			switch {
			case math.Abs(u) <= 1 && math.Abs(v) <= 1 && s(u, v):
				px = shade(c, 1.08-0.16*(v+1)/2) // lit from above
			default:
				// a soft shadow on the table below it, darkest at its centre
				if d := u*u/1.1 + (v-1)*(v-1)/0.012; d < 1 {
					px = shade(px, 0.9+0.1*d)
				}
			}
			img.SetRGBA(x, y, px)
		}
	}
	return img
}

func lum(c color.RGBA) int { return (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000 }

func shade(c color.RGBA, f float64) color.RGBA {
	ch := func(v uint8) uint8 { return uint8(min(255, max(0, float64(v)*f))) }
	return color.RGBA{ch(c.R), ch(c.G), ch(c.B), 255}
}

// photoJPEG is photo k of sample i as a JPEG, as a phone would save it.
func photoJPEG(i, k int) ([]byte, error) {
	var b bytes.Buffer
	err := jpeg.Encode(&b, photo(i, k, Samples[i].Shape), &jpeg.Options{Quality: 88})
	return b.Bytes(), err
}
