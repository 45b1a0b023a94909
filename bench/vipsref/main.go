// Command vipsref is the libvips baseline of imaging's BenchmarkProcess: the CPU time
// libvips 8 (through govips) takes, on one thread, for the reference work of the
// image stage on the same photo. It is a module of its own so that cgo and libvips
// stay out of Stox's build; it needs libvips (apt-get install -y libvips-dev).
//
//	go run . -img PHOTO.jpg [-n 10] [-warmup 1] [-save PREFIX]
//
// The work per image, as shared/reference/image-performance.md defines it: decode
// with EXIF auto-rotate; fit the longest side to 1500 (Lanczos3); flatten alpha onto
// white; auto-level (0.5/99.5 % luma percentiles to 0..255, gain ≤ 1.6, measured on a
// 256 px shrink-on-load preview); sharpen (sigma 0.8); centre on a 1500×1500 white
// canvas; baseline JPEG q85 4:2:0; a 300×300 thumbnail of the canvas, JPEG q85. Time
// is process CPU (user + system, getrusage), with libvips' concurrency 1, its caches
// off and GOMAXPROCS 1; the last line gives the median over n runs after the warm-up.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

const (
	side      = 1500
	thumbSide = 300
	preview   = 256
	quality   = 85
	maxGain   = 1.6
)

var (
	white = &vips.Color{R: 255, G: 255, B: 255}
	// govips exports progressive JPEGs by default; Stox writes baseline.
	params = &vips.JpegExportParams{Quality: quality, StripMetadata: true, SubsampleMode: vips.VipsForeignSubsampleOn}
)

func main() {
	path := flag.String("img", "", "the photo (JPEG or PNG)")
	n := flag.Int("n", 10, "measured runs")
	warmup := flag.Int("warmup", 1, "runs before measuring")
	save := flag.String("save", "", "write PREFIX_1500.jpg and PREFIX_300.jpg")
	flag.Parse()
	if *path == "" || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	data, err := os.ReadFile(*path)
	check(err)
	runtime.GOMAXPROCS(1)
	vips.LoggingSettings(nil, vips.LogLevelError)
	vips.Startup(&vips.Config{ConcurrencyLevel: 1})
	defer vips.Shutdown()

	for range *warmup {
		process(data)
	}
	runs := make([]float64, *n)
	var full, thumb []byte
	for i := range runs {
		c0, t0 := cpu(), time.Now()
		full, thumb = process(data)
		runs[i] = float64((cpu() - c0).Microseconds()) / 1000
		fmt.Printf("run %d: cpu_ms=%.1f wall_ms=%.1f\n", i+1, runs[i], float64(time.Since(t0).Microseconds())/1000)
	}
	if *save != "" {
		check(os.WriteFile(*save+"_1500.jpg", full, 0o644))
		check(os.WriteFile(*save+"_300.jpg", thumb, 0o644))
	}
	med := median(runs)
	fmt.Printf("libvips %s reference: median_cpu_ms=%.0f img_per_min_per_core=%.0f runs=%d photo=%s\n",
		vips.Version, med, 60000/med, *n, *path)
}

// process runs the reference work on one encoded photo.
func process(data []byte) (full, thumb []byte) {
	img, err := vips.NewImageFromBuffer(data)
	check(err)
	defer img.Close()
	check(img.AutoRotate())
	check(img.Resize(float64(side)/float64(max(img.Width(), img.Height())), vips.KernelLanczos3))
	if img.HasAlpha() {
		check(img.Flatten(white))
	}
	lo, gain := levels(lumaHistogram(data))
	off := 0.5 - lo*gain // +0.5 rounds on the cast back to 8 bits
	check(img.Linear([]float64{gain, gain, gain}, []float64{off, off, off}))
	check(img.Cast(vips.BandFormatUchar))
	check(img.Sharpen(0.8, 2, 3))
	check(img.EmbedBackground((side-img.Width())/2, (side-img.Height())/2, side, side, white))
	full, _, err = img.ExportJpeg(params) // libvips is lazy: the pipeline runs here
	check(err)

	t, err := vips.NewThumbnailFromBuffer(full, thumbSide, thumbSide, vips.InterestingNone)
	check(err)
	defer t.Close()
	thumb, _, err = t.ExportJpeg(params)
	check(err)
	return full, thumb
}

// lumaHistogram decodes a small shrink-on-load preview and counts its luma,
// (77R + 150G + 29B) >> 8.
func lumaHistogram(data []byte) *[256]int {
	p, err := vips.NewThumbnailFromBuffer(data, preview, preview, vips.InterestingNone)
	check(err)
	defer p.Close()
	if p.HasAlpha() {
		check(p.Flatten(white))
	}
	px, err := p.ToBytes()
	check(err)
	var h [256]int
	bands := p.Bands()
	for i := 0; i+bands <= len(px); i += bands {
		if bands >= 3 {
			h[(77*int(px[i])+150*int(px[i+1])+29*int(px[i+2]))>>8]++
		} else {
			h[px[i]]++
		}
	}
	return &h
}

// levels returns the black point and the gain that stretch the 0.5 and 99.5
// percentiles to 0..255, the gain capped at maxGain; no change for a flat histogram.
func levels(h *[256]int) (lo, gain float64) {
	total := 0
	for _, v := range h {
		total += v
	}
	at := func(q float64) int {
		acc := 0
		for i, v := range h {
			if acc += v; acc > 0 && float64(acc) >= q*float64(total) {
				return i
			}
		}
		return 255
	}
	l, u := at(0.005), at(0.995)
	if u-l < 16 {
		return 0, 1
	}
	return float64(l), min(255/float64(u-l), maxGain)
}

// cpu is the process's CPU time so far, user and system.
func cpu() time.Duration {
	var ru syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
