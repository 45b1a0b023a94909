// Package ai is the ai service's business logic: it turns a product's uploaded photos
// into marketplace image variants and measures each photo (handler ai.enhance).
package ai

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/imaging"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// ContentType is the media type of every generated image.
const ContentType = "image/jpeg"

// Enhancer makes the image variants of a product's photos, stores them and records
// the images stage.
type Enhancer struct {
	// Blobs holds the uploaded photos and receives the generated images.
	Blobs blob.Store
	// Store records the generated images, the analysis and the stage state.
	Store store.Store
	// MaxPixels refuses larger photos; <= 0 means imaging.DefaultMaxPixels.
	MaxPixels int
}

// Process enhances every photo of in for every variant in in.Variants, stores the
// images (content-addressed, so a redelivered message yields the same keys), records
// them with the analysis, and marks the images stage done. A photo that repeats an
// earlier one of the product is noted in its compliance entries.
//
// Input that can never succeed (no product ID, no photos, an unknown variant, a
// missing or undecodable photo) marks the stage failed with the reasons and returns a
// permanent error. Blob and store errors are returned as they are, to be retried.
func (e Enhancer) Process(ctx context.Context, in messages.ImageProcessV1) (messages.ImageEnhancedV1, error) {
	if in.ProductID == "" {
		return messages.ImageEnhancedV1{}, permanent.Errorf("enhance images: no product id")
	}
	if errs := validate(in); len(errs) > 0 {
		return messages.ImageEnhancedV1{}, e.fail(ctx, in, errs)
	}
	variants := dedupe(in.Variants)

	// Make everything before storing anything, so a bad photo leaves no orphans.
	results := make([]imaging.Result, len(in.Photos))
	var errs []error
	for i, p := range in.Photos {
		if err := ctx.Err(); err != nil {
			return messages.ImageEnhancedV1{}, err
		}
		data, err := e.Blobs.Get(ctx, p.Key)
		if errors.Is(err, blob.ErrNotFound) {
			errs = append(errs, fmt.Errorf("photo %d (%s): %w", i, p.Key, err))
			continue
		}
		if err != nil {
			return messages.ImageEnhancedV1{}, fmt.Errorf("get photo %d (%s): %w", i, p.Key, err)
		}
		res, err := imaging.Process(data, variants, imaging.Options{MaxPixels: e.MaxPixels})
		if isBadInput(err) {
			errs = append(errs, fmt.Errorf("photo %d (%s): %w", i, p.Key, err))
			continue
		}
		if err != nil {
			return messages.ImageEnhancedV1{}, fmt.Errorf("process photo %d (%s): %w", i, p.Key, err)
		}
		results[i] = res
	}
	if len(errs) > 0 {
		return messages.ImageEnhancedV1{}, e.fail(ctx, in, errs)
	}

	var images []messages.Image
	analysis := make([]messages.Analysis, len(results))
	for i, res := range results {
		keys := map[*byte]string{} // identical variants share one slice: put it once
		for _, out := range res.Outputs {
			key, ok := keys[&out.JPEG[0]]
			if !ok {
				var err error
				key, err = e.Blobs.Put(ctx, out.JPEG, ".jpg")
				if err != nil {
					return messages.ImageEnhancedV1{}, fmt.Errorf("put photo %d %s: %w", i, out.Variant, err)
				}
				keys[&out.JPEG[0]] = key
			}
			images = append(images, messages.Image{
				Photo:       i,
				Variant:     out.Variant,
				Key:         key,
				ContentType: ContentType,
				Width:       out.Width,
				Height:      out.Height,
				Bytes:       int64(len(out.JPEG)),
			})
		}
		analysis[i] = analysisMessage(i, res.Analysis)
	}
	flagDuplicates(analysis)

	if err := e.Store.PutImages(ctx, in.ProductID, in.Revision, images, analysis); err != nil {
		return messages.ImageEnhancedV1{}, fmt.Errorf("store images of %s: %w", in.ProductID, err)
	}
	done := store.Stage{State: store.StateDone, UpdatedAt: time.Now().UTC()}
	if err := e.Store.SetStage(ctx, in.ProductID, in.Revision, store.StageImages, done); err != nil {
		return messages.ImageEnhancedV1{}, fmt.Errorf("mark images of %s done: %w", in.ProductID, err)
	}
	return messages.ImageEnhancedV1{
		ProductID: in.ProductID,
		Revision:  in.Revision,
		Product:   in.Product,
		Images:    images,
		Analysis:  analysis,
	}, nil
}

// validate returns what is wrong with the message itself, before any photo is read.
func validate(in messages.ImageProcessV1) []error {
	var errs []error
	switch {
	case len(in.Photos) == 0:
		errs = append(errs, errors.New("no photos"))
	case len(in.Photos) > messages.MaxPhotos:
		errs = append(errs, fmt.Errorf("%d photos, at most %d", len(in.Photos), messages.MaxPhotos))
	}
	for i, p := range in.Photos {
		if p.Key == "" {
			errs = append(errs, fmt.Errorf("photo %d has no key", i))
		}
	}
	if len(in.Variants) == 0 {
		errs = append(errs, errors.New("no variants requested"))
	}
	for _, v := range in.Variants {
		if _, err := imaging.LookupVariant(v); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// fail records the images stage as failed with one reason per error and returns the
// permanent error for the message. If recording fails, that error is returned plain
// so the message is retried and the failure recorded then.
func (e Enhancer) fail(ctx context.Context, in messages.ImageProcessV1, errs []error) error {
	reasons := make([]string, len(errs))
	for i, err := range errs {
		reasons[i] = err.Error()
	}
	failed := store.Stage{State: store.StateFailed, Reasons: reasons, UpdatedAt: time.Now().UTC()}
	if err := e.Store.SetStage(ctx, in.ProductID, in.Revision, store.StageImages, failed); err != nil {
		return fmt.Errorf("mark images of %s failed: %w", in.ProductID, err)
	}
	return permanent.Wrap(fmt.Errorf("enhance images of %s revision %d: %w", in.ProductID, in.Revision, errors.Join(errs...)))
}

// analysisMessage is what imaging measured on photo i, as the wire carries it.
func analysisMessage(i int, a imaging.Analysis) messages.Analysis {
	var compliance map[string]messages.PhotoCompliance
	if a.Compliance != nil {
		compliance = make(map[string]messages.PhotoCompliance, len(a.Compliance))
		for variant, c := range a.Compliance {
			compliance[variant] = messages.PhotoCompliance{Status: c.Status, Notes: c.Notes}
		}
	}
	return messages.Analysis{
		Photo:         i,
		Sharpness:     a.Sharpness,
		Brightness:    a.Brightness,
		Background:    a.Background,
		Fill:          a.Fill,
		Colors:        colorMessages(a.Colors),
		Backdrop:      a.Backdrop,
		Separated:     a.Separated,
		SubjectColors: colorMessages(a.SubjectColors),
		Exposure:      a.Exposure,
		PHash:         a.PHash,
		Compliance:    compliance,
	}
}

// colorMessages is colours as the wire carries them.
func colorMessages(cs []imaging.Color) []messages.Color {
	if cs == nil {
		return nil
	}
	out := make([]messages.Color, len(cs))
	for i, c := range cs {
		out[i] = messages.Color{Hex: c.Hex, EN: c.EN, TR: c.TR, Share: c.Share}
	}
	return out
}

// isBadInput reports whether err means the photo itself can never be processed.
func isBadInput(err error) bool {
	return errors.Is(err, imaging.ErrUnsupported) || errors.Is(err, imaging.ErrCorrupt) ||
		errors.Is(err, imaging.ErrTooLarge) || errors.Is(err, imaging.ErrUnknownVariant)
}

// dedupe drops repeated variant names, keeping the first of each.
func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// duplicateDistance is the largest perceptual-hash distance at which two photos of a
// product count as the same photo uploaded twice (re-encoded or resized copies).
const duplicateDistance = 4

// flagDuplicates notes, in every compliance entry of a photo, the first earlier photo
// of the product it duplicates: equal or near perceptual hash and, because the hash
// sees only luma, the same main colour (so a red and a blue variant shot alike are not
// duplicates). The note does not change the status: the generated images are fine,
// the listing just shows the photo twice.
func flagDuplicates(analysis []messages.Analysis) {
	mainColor := func(a messages.Analysis) string {
		if len(a.Colors) == 0 {
			return ""
		}
		return a.Colors[0].EN
	}
	for j := range analysis {
		for i := range j {
			d, err := imaging.PHashDistance(analysis[i].PHash, analysis[j].PHash)
			if err != nil || d > duplicateDistance || mainColor(analysis[i]) != mainColor(analysis[j]) {
				continue
			}
			note := fmt.Sprintf("duplicate of photo %d (perceptual hash distance %d)", i, d)
			for m, c := range analysis[j].Compliance {
				c.Notes = append(slices.Clip(c.Notes), note)
				analysis[j].Compliance[m] = c
			}
			break
		}
	}
}
