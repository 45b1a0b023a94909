package imaging

// Analysis is what Process measured on one photo. The ai handler turns it into the
// wire's messages.Analysis, so the measures can change here without changing a
// message.
type Analysis struct {
	// Sharpness is the variance of the Laplacian of luma on the reduced image.
	Sharpness float64
	// Brightness is the mean luma, 0..255.
	Brightness float64
	// Background is the share of border pixels that are near white, 0..1.
	Background float64
	// Fill is the share of the frame the subject's bounding box covers, 0..1.
	Fill float64
	// Colors are the dominant colours of what the shopper sees, most frequent first:
	// the subject's alone when it was separated from its backdrop (then equal to
	// SubjectColors), else the whole frame's, backdrop included.
	Colors []Color
	// Backdrop is what surrounded the subject, modelled from the photo's borders: one
	// of BackdropWhite, BackdropPlain, BackdropGradient and BackdropBusy.
	Backdrop string
	// Separated is set when a matte separated the subject from a white, plain or
	// gradient backdrop: the marketplace variants show the subject alone on pure white
	// and SubjectColors holds its colours.
	Separated bool
	// SubjectColors are the product's dominant colours measured over the subject's
	// matte only (backdrop, shadows and edge pixels left out), most frequent first;
	// present only when Separated.
	SubjectColors []Color
	// Exposure is "under", "ok" or "over", judged on the subject's mean luma.
	Exposure string
	// PHash is the 64-bit DCT perceptual hash of the upright photo, in FormatPHash
	// form.
	PHash string
	// Compliance is the photo's standing against each requested marketplace variant's
	// image rules, keyed by variant name.
	Compliance map[string]Compliance
}

// Color is a named dominant colour.
type Color struct {
	// Hex is the mean colour of the pixels, "#rrggbb".
	Hex string
	// EN and TR are the palette colour's names in English and Turkish.
	EN, TR string
	// Share is the share of the measured pixels it covers, 0..1, to 3 decimals.
	Share float64
}

// Compliance statuses.
const (
	CompliancePass  = "pass"
	ComplianceFixed = "fixed"
	ComplianceFail  = "fail"
)

// Compliance is one photo against one marketplace variant's image rules.
type Compliance struct {
	// Status is CompliancePass, ComplianceFixed (the generated image meets the rules
	// because the stage corrected the photo) or ComplianceFail.
	Status string
	// Notes say what was fixed or what fails, one finding each.
	Notes []string
}
