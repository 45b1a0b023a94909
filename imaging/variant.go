package imaging

import (
	"fmt"
	"slices"
)

// Variant is the spec of one generated image: the photo, aspect preserved, on a pure
// white canvas of exactly Width×Height. A subject separated from its backdrop is
// cropped to and centred, spanning 1-2×Margin of the canvas on the side that limits
// it; a busy scene is fitted whole and centred.
type Variant struct {
	// Name is what messages.ImageProcessV1.Variants and messages.Image.Variant carry.
	Name          string
	Width, Height int
	// Margin is the share of the canvas kept white on each side of a separated
	// subject.
	Margin float64
	// MinFill is the least share of the canvas's longest side the subject must span
	// to comply; 0 means no rule.
	MinFill float64
	// MinSide is the least number of pixels the source must have on its longest side
	// to comply; 0 means no rule (the thumbnail).
	MinSide int
	// Rules names where the numbers come from, for the compliance notes.
	Rules string
}

// Thumbnail is the name of the small preview variant.
const Thumbnail = "thumbnail"

// maxEnlarge is the most a photo is ever enlarged: past 2× a photo only gets softer,
// and a marketplace image that looks soft sells worse than a smaller sharp one.
const maxEnlarge = 2.0

// variants is every spec and its sources, in one place (marketplaces.md is
// shared/reference/marketplaces.md):
//
//   - amazon 1500×1500: main-image policy "pure white RGB(255,255,255) background,
//     product ≥85 % of frame, ≥1000 px longest side (zoom; 500 min)" (marketplaces.md
//     §3.2 Images, from seller guides citing Seller Central). MinFill 0.85 and MinSide
//     1000 are those numbers; a 5 % margin a side keeps the product at 90 %, inside
//     the rule; 1500 px is the common square choice above the zoom floor.
//   - trendyol 1200×1800: "recommended 1200×1800 px" (marketplaces.md §1.2 images,
//     Trendyol's createProducts). Trendyol publishes no margin and no minimum: the 5 %
//     margin is Amazon's, so a product is framed alike everywhere, and MinSide 1200 is
//     the recommended canvas's short side, below which every photo is enlarged.
//   - hepsiburada 1500×1500: Hepsiburada's developer documentation gives no image size,
//     margin or minimum (marketplaces.md §2, searched 2026-11). Stox uses Amazon's
//     square, margin and zoom floor, so one image serves both.
//   - thumbnail 300×300: for the API and dashboards, no rules; a 6 % margin keeps one
//     16-pixel JPEG block of pure white between the subject and the edge.
var variants = []Variant{
	{Name: "amazon", Width: 1500, Height: 1500, Margin: 0.05, MinFill: 0.85, MinSide: 1000,
		Rules: "Amazon's main-image policy"},
	{Name: "trendyol", Width: 1200, Height: 1800, Margin: 0.05, MinSide: 1200,
		Rules: "Trendyol's recommended 1200×1800"},
	{Name: "hepsiburada", Width: 1500, Height: 1500, Margin: 0.05, MinSide: 1000,
		Rules: "Stox's floor for Hepsiburada, which publishes none (Amazon's zoom floor)"},
	{Name: Thumbnail, Width: 300, Height: 300, Margin: 0.06},
}

// Variants returns every variant spec.
func Variants() []Variant { return slices.Clone(variants) }

// LookupVariant returns the spec named name, or an error wrapping ErrUnknownVariant.
func LookupVariant(name string) (Variant, error) {
	for _, v := range variants {
		if v.Name == name {
			return v, nil
		}
	}
	return Variant{}, fmt.Errorf("variant %q: %w", name, ErrUnknownVariant)
}
