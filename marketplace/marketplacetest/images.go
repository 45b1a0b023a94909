package marketplacetest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"sync"
)

var (
	imagesOnce sync.Once
	imagesURL  string
)

// imageServer serves real JPEGs on a loopback address for the life of the test
// binary: the sandbox fetches every image URL of a listing, as the marketplaces do.
//
//	GET /img/{w}x{h}.jpg   a w×h JPEG (white, with a coloured product in the middle)
//	GET /text/{name}       a text file where an image should be
//	anything else          404
func imageServer() string {
	imagesOnce.Do(func() {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /img/{size}", func(w http.ResponseWriter, r *http.Request) {
			var width, height int
			if _, err := fmt.Sscanf(r.PathValue("size"), "%dx%d.jpg", &width, &height); err != nil ||
				width <= 0 || height <= 0 || width*height > 25e6 {
				http.NotFound(w, r)
				return
			}
			b, err := jpegOf(width, height)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(b)
		})
		mux.HandleFunc("GET /text/{name}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("this is not an image\n"))
		})
		imagesURL = httptest.NewServer(mux).URL
	})
	return imagesURL
}

var (
	jpegMu    sync.Mutex
	jpegCache = map[[2]int][]byte{}
)

func jpegOf(w, h int) ([]byte, error) {
	jpegMu.Lock()
	defer jpegMu.Unlock()
	if b, ok := jpegCache[[2]int{w, h}]; ok {
		return b, nil
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = 255
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	product := color.RGBA{R: 30, G: 60, B: 140, A: 255}
	y, cb, cr := color.RGBToYCbCr(product.R, product.G, product.B)
	for py := h / 4; py < h*3/4; py++ {
		for px := w / 4; px < w*3/4; px++ {
			img.Y[img.YOffset(px, py)] = y
			img.Cb[img.COffset(px, py)], img.Cr[img.COffset(px, py)] = cb, cr
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	jpegCache[[2]int{w, h}] = buf.Bytes()
	return buf.Bytes(), nil
}

// ImageURL is the loopback URL of a real w×h JPEG, served for the life of the test
// binary.
func ImageURL(w, h int) string { return fmt.Sprintf("%s/img/%dx%d.jpg", imageServer(), w, h) }

// NotAnImageURL is the loopback URL of a text file.
func NotAnImageURL() string { return imageServer() + "/text/readme.txt" }

// MissingImageURL is a loopback URL that answers 404.
func MissingImageURL() string { return imageServer() + "/missing/1.jpg" }
