// Package imaging is Stox's pixel pipeline: it recognises and measures uploaded photos,
// decodes them (EXIF orientation applied, transparency flattened onto white), makes the
// marketplace variants and analyses each photo (sharpness, brightness, exposure,
// backdrop, fill, the product's colours, perceptual hash, and compliance with each
// marketplace's image rules).
//
// A variant is a JPEG of a fixed canvas size. When the photo's backdrop is plain or a
// smooth gradient (modelled from its borders, shadows included), the subject is cut
// out with a soft matte, put on pure white and framed with the margins the
// marketplace asks for; a busy scene is fitted whole and left as it is. Tone is
// corrected on luma only, so the product keeps its colour; nothing is enlarged more
// than twice, and a source below a marketplace's minimum is reported.
//
// The hot path follows shared/reference/image-performance.md, with a hand-written
// separable resampler (integer box pre-shrink, then Catmull-Rom in fixed point) that
// works on YCbCr planes directly, so a photo is never converted to RGB at full
// resolution. A greyscale or YCbCr JPEG is decoded to its DCT coefficients
// (internal/jpegscale, a fork of image/jpeg) and each output is made from planes
// reconstructed in the DCT domain at the scale it needs, 1/8 to 1: shrink-on-load, so
// a 3000 px photo's full-resolution pixels are never made (source.go); other inputs
// use the std decoders. Everything is measured once on a reduced copy; the matte is
// refined, and the subject composited, at each variant's own resolution. Orientation
// is applied after resizing. The variants are encoded by jpegscale's copy of the std
// encoder, which gives the same bytes faster.
package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers GIF with image.DecodeConfig and image.Decode
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp" // registers WebP
)

// Errors that mean the input itself is bad: retrying cannot help. Callers test them
// with errors.Is.
var (
	// ErrUnsupported is returned for data that is not a JPEG, PNG, GIF or WebP image.
	ErrUnsupported = errors.New("unsupported image format")
	// ErrTooLarge is returned for an image with more pixels than allowed.
	ErrTooLarge = errors.New("image too large")
	// ErrCorrupt is returned for an image whose data cannot be decoded.
	ErrCorrupt = errors.New("corrupt image")
	// ErrUnknownVariant is returned for a variant name with no spec.
	ErrUnknownVariant = errors.New("unknown variant")
)

// DefaultMaxPixels is the pixel limit used when none is given: 50 MP covers every
// phone camera (a 12 MP photo decodes to about 18 MB of YCbCr, 50 MP to about 75 MB).
const DefaultMaxPixels = 50_000_000

// Format names returned by Sniff.
const (
	JPEG = "jpeg"
	PNG  = "png"
	GIF  = "gif"
	WebP = "webp"
)

// Info describes a photo without decoding its pixels.
type Info struct {
	// Format is one of JPEG, PNG, GIF, WebP.
	Format string
	// Width and Height are the upright size, after the EXIF orientation.
	Width, Height int
	// Orientation is the EXIF orientation 1..8 (1 when absent).
	Orientation int
}

// Sniff names the format of data from its magic bytes, never from a file name.
func Sniff(data []byte) (string, error) {
	switch {
	case len(data) >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff:
		return JPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF, nil
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP, nil
	}
	return "", fmt.Errorf("sniff %d bytes: %w", len(data), ErrUnsupported)
}

// Config sniffs data and reads its dimensions and orientation without decoding the
// pixels, and refuses images of more than maxPixels pixels (DefaultMaxPixels when
// maxPixels <= 0) with ErrTooLarge.
func Config(data []byte, maxPixels int) (Info, error) {
	format, err := Sniff(data)
	if err != nil {
		return Info{}, err
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Info{}, fmt.Errorf("read %s header: %v: %w", format, err, ErrCorrupt)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, fmt.Errorf("%s is %d×%d: %w", format, cfg.Width, cfg.Height, ErrCorrupt)
	}
	// Compare without multiplying: width×height could overflow on a 32-bit int.
	if cfg.Width > maxPixels || cfg.Height > maxPixels/cfg.Width {
		return Info{}, fmt.Errorf("%s is %d×%d, over the limit of %d pixels: %w",
			format, cfg.Width, cfg.Height, maxPixels, ErrTooLarge)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height, Orientation: 1}
	if format == JPEG {
		info.Orientation = Orientation(data)
	}
	if info.Orientation >= 5 {
		info.Width, info.Height = info.Height, info.Width
	}
	return info, nil
}
