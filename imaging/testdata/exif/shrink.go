//go:build ignore

// Shrink writes the reduced copies of the EXIF orientation photos kept here: each
// source JPEG is decoded (stored orientation; image/jpeg ignores EXIF), box-reduced by
// -div, encoded at quality 90 and given back its own APP0 and APP1 (Exif) segments, so
// the orientation tag and its byte layout are the original file's.
//
//	go run shrink.go -src DIR_WITH_Landscape_N.jpg -div 6
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log"
	"os"
	"path/filepath"
)

func main() {
	src := flag.String("src", "", "folder holding Landscape_N.jpg and Portrait_N.jpg")
	div := flag.Int("div", 6, "reduction factor")
	flag.Parse()
	if *src == "" {
		log.Fatal("-src is required")
	}
	for _, kind := range []string{"Landscape", "Portrait"} {
		for n := range 9 {
			name := fmt.Sprintf("%s_%d.jpg", kind, n)
			data, err := os.ReadFile(filepath.Join(*src, name))
			if err != nil {
				log.Fatal(err)
			}
			out, err := shrink(data, *div)
			if err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			if err := os.WriteFile(name, out, 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
}

func shrink(data []byte, div int) ([]byte, error) {
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := m.Bounds()
	w, h := b.Dx()/div, b.Dy()/div
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var s [3]uint32
			for dy := range div {
				for dx := range div {
					r, g, bl, _ := m.At(b.Min.X+x*div+dx, b.Min.Y+y*div+dy).RGBA()
					s[0], s[1], s[2] = s[0]+r>>8, s[1]+g>>8, s[2]+bl>>8
				}
			}
			n := uint32(div * div)
			small.SetRGBA(x, y, color.RGBA{uint8((s[0] + n/2) / n), uint8((s[1] + n/2) / n), uint8((s[2] + n/2) / n), 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, small, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	// The source's APP0 and APP1 segments, right after its SOI.
	out := []byte{0xff, 0xd8}
	for i := 2; i+4 <= len(data) && data[i] == 0xff; {
		marker := data[i+1]
		if marker < 0xe0 || marker > 0xef {
			break
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if marker <= 0xe1 {
			out = append(out, data[i:i+2+n]...)
		}
		i += 2 + n
	}
	return append(out, enc.Bytes()[2:]...), nil
}
