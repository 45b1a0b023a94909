//go:build unix

package imaging

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"syscall"
	"testing"
	"time"
)

// BenchmarkProcess measures a 3000×3000 q90 studio JPEG: "amazon+thumbnail" is the
// work of shared/reference/image-performance.md's pipeline minus its enhancement
// steps, "all" makes every variant. Run with -cpu 1 for per-core figures. Besides
// wall time it reports process CPU time per image, which is what the reference
// compares because wall time on a shared machine is noisy.
func BenchmarkProcess(b *testing.B) {
	data := photo3000(b)
	for _, bc := range []struct {
		name     string
		variants []string
	}{
		{"amazon+thumbnail", []string{"amazon", Thumbnail}},
		{"all", []string{"amazon", "trendyol", "hepsiburada", Thumbnail}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				if _, err := Process(data, bc.variants, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			cpu := cpuTime(b) - cpu0
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/img")
		})
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkResize measures the resampler alone on a 3000×3000 luma plane.
func BenchmarkResize(b *testing.B) {
	p := newPlane(3000, 3000)
	for i := range p.pix {
		p.pix[i] = byte(i*7 + i/3000)
	}
	for _, size := range []int{1500, 1200, 300} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			for b.Loop() {
				resize(p, 0, 0, 3000, 3000, size, size, &shrinkCache{})
			}
		})
	}
}

// BenchmarkStdDecode is the floor under BenchmarkProcess: image/jpeg alone decoding
// the same photo. On a noisy machine the ratio of the two is steadier than either.
func BenchmarkStdDecode(b *testing.B) {
	data := photo3000(b)
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
