// Package texts is the seo service's stage: for a product whose images are ready it
// writes the listing text of every marketplace the product goes to (with package seo),
// records texts and rejections in the catalog, and hands the product on to the
// marketplaces with its text and image URLs.
package texts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/seo"
	"github.com/stox-dev/stox/store"
)

// Writer writes listing text.
type Writer struct {
	Store store.Store
	// PublicBaseURL is where marketplaces fetch images: an image's URL is
	// PublicBaseURL + "/images/" + its blob key.
	PublicBaseURL string
	// ImageURL, when set, is an image's URL instead: a presigned or public object URL
	// of the S3 blob store, so marketplaces fetch images from the bucket (see
	// STOX_IMAGE_URLS). An error fails the message, to be retried.
	ImageURL func(ctx context.Context, key string) (string, error)
	// Text writes each marketplace's text; nil means seo.Deterministic.
	Text seo.Writer
	// Languages sets the language each marketplace's text is written in, by marketplace
	// name: "tr" or "en" (a tag such as "tr_TR" works too), as seo.Rules.In takes it.
	// Amazon's comes from the configured marketplace (amazon.com.tr: "tr"); a
	// marketplace with no entry keeps the language seo.RulesFor gives it.
	Languages map[string]string
}

// Process writes the text of each marketplace in in.Product.Marketplaces, in the
// language Languages sets for it, and returns the listing to publish; every text
// carries its compliance report. A marketplace whose text cannot meet its rules is
// left out of the listing and recorded as rejected with the reasons; the seo stage is
// then failed with one reason per such marketplace, and done otherwise. When no
// marketplace is left, the error is permanent: retrying writes the same text.
func (w Writer) Process(ctx context.Context, in messages.ImageEnhancedV1) (messages.ListingV1, error) {
	if in.ProductID == "" {
		return messages.ListingV1{}, permanent.Errorf("write listing text: no product ID")
	}
	out := messages.ListingV1{
		ProductID: in.ProductID,
		Revision:  in.Revision,
		Product:   in.Product,
		Texts:     make(map[string]messages.ListingText),
		Images:    make(map[string][]messages.ListingImage),
	}
	colours := dominant(in.Analysis)
	var writer seo.Writer = seo.Deterministic{}
	if w.Text != nil {
		writer = w.Text
	}
	rejected := make(map[string][]string)
	var failed []string // marketplaces in the product's order
	seen := make(map[string]bool)
	// stored are the texts the catalog keeps: every known marketplace's, failing ones
	// too, each with its compliance report.
	stored := make(map[string]messages.ListingText)
	for _, m := range in.Product.Marketplaces {
		if seen[m] {
			continue
		}
		seen[m] = true
		r, ok := seo.RulesFor(m)
		if !ok {
			rejected[m] = []string{fmt.Sprintf("write text for %q: %v", m, seo.ErrUnknownMarketplace)}
			failed = append(failed, m)
			continue
		}
		text, rep := writer.Write(ctx, in.Product, colours, r.In(w.Languages[m]))
		text.Compliance = &messages.Compliance{Status: rep.Status, Notes: rep.Notes, Writer: rep.Writer}
		if rep.Status == seo.StatusFail {
			rejected[m] = rep.Notes
			failed = append(failed, m)
			// stored, not published: the API shows the text and why it fails
			stored[m] = text
			continue
		}
		out.Texts[m] = text
		stored[m] = text
		imgs, err := w.images(ctx, in.Images, m)
		if err != nil {
			return messages.ListingV1{}, err
		}
		out.Images[m] = imgs
	}

	var reasons []string
	for _, m := range failed {
		reasons = append(reasons, m+": "+strings.Join(rejected[m], "; "))
	}
	if len(in.Product.Marketplaces) == 0 {
		reasons = append(reasons, "the product names no marketplace")
	}
	if err := w.record(ctx, in, stored, failed, rejected, reasons); err != nil {
		return messages.ListingV1{}, err
	}
	if len(out.Texts) == 0 {
		return messages.ListingV1{}, permanent.Errorf("write listing text for %s revision %d: %s",
			in.ProductID, in.Revision, strings.Join(reasons, "; "))
	}
	return out, nil
}

// record saves the texts (failing ones included, marked so), the rejections and the stage, in that order, so the stage
// reads done only once everything it promises is stored.
func (w Writer) record(ctx context.Context, in messages.ImageEnhancedV1, texts map[string]messages.ListingText,
	failed []string, rejected map[string][]string, reasons []string) error {
	if err := w.Store.PutTexts(ctx, in.ProductID, in.Revision, texts); err != nil {
		return storeErr("save texts", in, err)
	}
	for _, m := range failed {
		l := store.Listing{State: store.ListingRejected, Reasons: rejected[m]}
		if err := w.Store.SetListing(ctx, in.ProductID, in.Revision, m, l); err != nil {
			return storeErr("record rejection on "+m, in, err)
		}
	}
	stage := store.Stage{State: store.StateDone}
	if len(reasons) > 0 {
		stage = store.Stage{State: store.StateFailed, Reasons: reasons}
	}
	if err := w.Store.SetStage(ctx, in.ProductID, in.Revision, store.StageSEO, stage); err != nil {
		return storeErr("record seo stage", in, err)
	}
	return nil
}

// storeErr wraps a catalog error; an unknown product is permanent, anything else is
// worth a retry.
func storeErr(what string, in messages.ImageEnhancedV1, err error) error {
	err = fmt.Errorf("%s of %s revision %d: %w", what, in.ProductID, in.Revision, err)
	if errors.Is(err, store.ErrNotFound) {
		return permanent.Wrap(err)
	}
	return err
}

// images returns the images made for marketplace m, in photo order, with the URLs the
// marketplace fetches them from.
func (w Writer) images(ctx context.Context, all []messages.Image, m string) ([]messages.ListingImage, error) {
	var mine []messages.Image
	for _, img := range all {
		if img.Variant == m {
			mine = append(mine, img)
		}
	}
	slices.SortStableFunc(mine, func(a, b messages.Image) int {
		return cmp.Or(cmp.Compare(a.Photo, b.Photo), strings.Compare(a.Key, b.Key))
	})
	base := strings.TrimRight(w.PublicBaseURL, "/")
	out := make([]messages.ListingImage, 0, len(mine))
	for _, img := range mine {
		u := base + "/images/" + img.Key
		if w.ImageURL != nil {
			var err error
			if u, err = w.ImageURL(ctx, img.Key); err != nil {
				return nil, fmt.Errorf("image URL of %s: %w", img.Key, err)
			}
		}
		out = append(out, messages.ListingImage{Key: img.Key, URL: u, Width: img.Width, Height: img.Height})
	}
	return out, nil
}

// dominant returns the product's colours: those of the first photo, in photo order,
// whose subject the image stage separated from its backdrop (SubjectColors), or none.
// A frame's colours (Colors) are never taken: where the subject was not separated they
// are the room's as much as the product's (a beige backdrop read "bej 88%"), and a
// title must not name a colour the product does not have.
func dominant(analysis []messages.Analysis) []messages.Color {
	sorted := slices.Clone(analysis)
	slices.SortStableFunc(sorted, func(a, b messages.Analysis) int { return cmp.Compare(a.Photo, b.Photo) })
	for _, a := range sorted {
		if a.Separated && len(a.SubjectColors) > 0 {
			return a.SubjectColors
		}
	}
	return nil
}
