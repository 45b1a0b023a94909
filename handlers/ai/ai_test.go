package ai

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/imaging"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// fakeBlobs is an in-memory blob.Store with the real contract's keys (hex SHA-256 of
// the data plus ext), call counters and injectable errors.
type fakeBlobs struct {
	mu         sync.Mutex
	data       map[string][]byte
	gets, puts int
	getErr     error
	putErr     error
}

func newFakeBlobs() *fakeBlobs { return &fakeBlobs{data: map[string][]byte{}} }

func (b *fakeBlobs) Put(_ context.Context, data []byte, ext string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.puts++
	if b.putErr != nil {
		return "", b.putErr
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:]) + ext
	b.data[key] = bytes.Clone(data)
	return key, nil
}

func (b *fakeBlobs) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gets++
	if b.getErr != nil {
		return nil, b.getErr
	}
	d, ok := b.data[key]
	if !ok {
		return nil, blob.ErrNotFound
	}
	return bytes.Clone(d), nil
}

func (b *fakeBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	d, err := b.Get(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	return nopCloser{bytes.NewReader(d)}, int64(len(d)), nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// fakeStore records the calls the handler makes; the rest of store.Store is not used.
type fakeStore struct {
	mu        sync.Mutex
	stages    []store.Stage // every SetStage, in order
	stageKeys []string
	puts      int
	images    []messages.Image
	analysis  []messages.Analysis
	putErr    error
	stageErr  error
}

func (s *fakeStore) SetStage(_ context.Context, id string, revision int, stage string, st store.Stage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stageErr != nil {
		return s.stageErr
	}
	s.stages = append(s.stages, st)
	s.stageKeys = append(s.stageKeys, id+"/"+stage)
	return nil
}

func (s *fakeStore) PutImages(_ context.Context, id string, revision int, images []messages.Image, analysis []messages.Analysis) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts++
	if s.putErr != nil {
		return s.putErr
	}
	s.images, s.analysis = images, analysis
	return nil
}

func (s *fakeStore) PutProduct(context.Context, store.NewProduct) (string, int, error) {
	return "", 0, errors.New("not used by the ai handler")
}

func (s *fakeStore) Product(context.Context, string) (store.Product, error) {
	return store.Product{}, errors.New("not used by the ai handler")
}

func (s *fakeStore) Products(context.Context, int, string) ([]store.Summary, error) {
	return nil, errors.New("not used by the ai handler")
}

func (s *fakeStore) PutTexts(context.Context, string, int, map[string]messages.ListingText) error {
	return errors.New("not used by the ai handler")
}

func (s *fakeStore) SetListing(context.Context, string, int, string, store.Listing) error {
	return errors.New("not used by the ai handler")
}

func (s *fakeStore) Close() error { return nil }

// photo draws a w×h product shot: a coloured box on white.
func photo(w, h int, c color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if x > w/4 && x < 3*w/4 && y > h/4 && y < 3*h/4 {
				m.SetRGBA(x, y, c)
			} else {
				m.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	return m
}

func jpegBytes(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}))
	return b.Bytes()
}

func pngBytes(t *testing.T, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, m))
	return b.Bytes()
}

type fixture struct {
	blobs *fakeBlobs
	store *fakeStore
	e     Enhancer
	in    messages.ImageProcessV1
}

// newFixture stores the given photos and builds a message naming them.
func newFixture(t *testing.T, photos ...[]byte) *fixture {
	t.Helper()
	f := &fixture{blobs: newFakeBlobs(), store: &fakeStore{}}
	f.e = Enhancer{Blobs: f.blobs, Store: f.store, MaxPixels: 4_000_000}
	f.in = messages.ImageProcessV1{
		ProductID: "p-1",
		Revision:  3,
		Product:   messages.Product{SKU: "SKU-1", Name: "Mug", Price: 9.5, Stock: 4, Marketplaces: []string{messages.Amazon}},
		Variants:  []string{"amazon", imaging.Thumbnail},
	}
	for _, p := range photos {
		key, err := f.blobs.Put(context.Background(), p, ".img")
		require.NoError(t, err)
		f.in.Photos = append(f.in.Photos, messages.Photo{Key: key, Bytes: int64(len(p))})
	}
	f.blobs.puts = 0
	return f
}

// scene draws a w×h busy scene: blocks of many colours to the frame's edges.
func scene(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			b := uint8((x/40)*37 + (y/40)*91)
			m.SetRGBA(x, y, color.RGBA{b, 255 - b, uint8(x * 255 / w), 255})
		}
	}
	return m
}

// TestProcessBusyScene checks that a photo the stage cannot separate says so in its
// analysis: no subject colours for the seo stage to put in a title.
func TestProcessBusyScene(t *testing.T) {
	f := newFixture(t, jpegBytes(t, scene(800, 600)))
	out, err := f.e.Process(context.Background(), f.in)
	require.NoError(t, err)
	require.Len(t, out.Analysis, 1)
	a := out.Analysis[0]
	assert.Equal(t, imaging.BackdropBusy, a.Backdrop)
	assert.False(t, a.Separated)
	assert.Empty(t, a.SubjectColors)
	assert.NotEmpty(t, a.Colors, "the frame's colours are still measured")
	assert.Equal(t, messages.ComplianceFail, a.Compliance[messages.Amazon].Status)
}

func TestProcess(t *testing.T) {
	f := newFixture(t,
		jpegBytes(t, photo(900, 600, color.RGBA{200, 30, 30, 255})),
		pngBytes(t, photo(400, 700, color.RGBA{30, 60, 200, 255})))
	out, err := f.e.Process(context.Background(), f.in)
	require.NoError(t, err)

	assert.Equal(t, f.in.ProductID, out.ProductID)
	assert.Equal(t, f.in.Revision, out.Revision)
	assert.Equal(t, f.in.Product, out.Product)

	require.Len(t, out.Images, 4)
	wantSize := map[string][2]int{"amazon": {1500, 1500}, imaging.Thumbnail: {300, 300}}
	for i, img := range out.Images {
		assert.Equal(t, i/2, img.Photo)
		assert.Equal(t, f.in.Variants[i%2], img.Variant)
		assert.Equal(t, "image/jpeg", img.ContentType)
		assert.Equal(t, wantSize[img.Variant], [2]int{img.Width, img.Height})
		assert.Regexp(t, `^[0-9a-f]{64}\.jpg$`, img.Key)
		data, ok := f.blobs.data[img.Key]
		require.True(t, ok, "image %d not in the blob store", i)
		assert.Equal(t, int64(len(data)), img.Bytes)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		require.NoError(t, err)
		assert.Equal(t, [2]int{img.Width, img.Height}, [2]int{cfg.Width, cfg.Height})
	}
	assert.Equal(t, 4, f.blobs.puts)
	assert.Equal(t, 2, f.blobs.gets)

	require.Len(t, out.Analysis, 2)
	for i, a := range out.Analysis {
		assert.Equal(t, i, a.Photo)
		assert.InDelta(t, 1, a.Background, 0.01)
		assert.InDelta(t, 0.25, a.Fill, 0.03)
	}
	require.NotEmpty(t, out.Analysis[0].Colors)
	assert.Equal(t, "red", out.Analysis[0].Colors[0].EN)
	require.NotEmpty(t, out.Analysis[1].Colors)
	assert.Equal(t, "blue", out.Analysis[1].Colors[0].EN)
	for i, a := range out.Analysis {
		// A box on white is separated from its backdrop, so its colours are the
		// product's: what the seo stage may put in a title.
		assert.Equal(t, imaging.BackdropWhite, a.Backdrop, "photo %d", i)
		assert.True(t, a.Separated, "photo %d", i)
		assert.Equal(t, a.Colors, a.SubjectColors, "photo %d", i)
	}

	assert.Equal(t, 1, f.store.puts)
	assert.Equal(t, out.Images, f.store.images)
	assert.Equal(t, out.Analysis, f.store.analysis)
	require.Len(t, f.store.stages, 1)
	assert.Equal(t, "p-1/"+store.StageImages, f.store.stageKeys[0])
	assert.Equal(t, store.StateDone, f.store.stages[0].State)
	assert.Empty(t, f.store.stages[0].Reasons)
	assert.False(t, f.store.stages[0].UpdatedAt.IsZero())
}

func TestProcessIdempotent(t *testing.T) {
	f := newFixture(t, jpegBytes(t, photo(640, 480, color.RGBA{20, 140, 60, 255})))
	f.in.Variants = []string{"amazon", "hepsiburada", "trendyol", imaging.Thumbnail, "amazon"}
	first, err := f.e.Process(context.Background(), f.in)
	require.NoError(t, err)
	blobsAfterFirst := len(f.blobs.data)
	second, err := f.e.Process(context.Background(), f.in)
	require.NoError(t, err)

	assert.Equal(t, first, second)
	assert.Equal(t, blobsAfterFirst, len(f.blobs.data), "the redelivery stored new blobs")
	require.Len(t, f.store.stages, 2)
	assert.Equal(t, f.store.stages[0].State, f.store.stages[1].State)
	// The duplicate name is dropped, the others keep their order.
	var names []string
	for _, img := range first.Images {
		names = append(names, img.Variant)
	}
	assert.Equal(t, []string{"amazon", "hepsiburada", "trendyol", imaging.Thumbnail}, names)
}

func TestProcessPermanent(t *testing.T) {
	good := jpegBytes(t, photo(320, 240, color.RGBA{200, 30, 30, 255}))
	tests := []struct {
		name    string
		photos  [][]byte
		edit    func(*messages.ImageProcessV1)
		reasons []string // substrings, one per expected reason
		is      error
		noState bool
	}{
		{"no product id", [][]byte{good}, func(in *messages.ImageProcessV1) { in.ProductID = "" }, nil, nil, true},
		{"no photos", nil, nil, []string{"no photos"}, nil, false},
		{"too many photos", [][]byte{good, good, good, good, good, good, good, good, good}, nil, []string{"9 photos"}, nil, false},
		{"photo without key", [][]byte{good}, func(in *messages.ImageProcessV1) { in.Photos[0].Key = "" }, []string{"photo 0 has no key"}, nil, false},
		{"no variants", [][]byte{good}, func(in *messages.ImageProcessV1) { in.Variants = nil }, []string{"no variants"}, nil, false},
		{"unknown variant", [][]byte{good}, func(in *messages.ImageProcessV1) { in.Variants = []string{"amazon", "ebay"} }, []string{`"ebay"`}, imaging.ErrUnknownVariant, false},
		{"text instead of a photo", [][]byte{good, []byte("definitely not a jpeg")}, nil, []string{"photo 1"}, imaging.ErrUnsupported, false},
		{"truncated photo", [][]byte{good[:len(good)/2]}, nil, []string{"photo 0"}, imaging.ErrCorrupt, false},
		{"photo over the pixel limit", [][]byte{jpegBytes(t, photo(2100, 2000, color.RGBA{1, 1, 1, 255}))}, nil, []string{"photo 0"}, imaging.ErrTooLarge, false},
		{"photo missing from the blob store", [][]byte{good}, func(in *messages.ImageProcessV1) {
			in.Photos = append(in.Photos, messages.Photo{Key: "0000.jpg"})
		}, []string{"photo 1 (0000.jpg)"}, blob.ErrNotFound, false},
		{"two bad photos, both reported", [][]byte{[]byte("x"), good, []byte("y")}, nil, []string{"photo 0", "photo 2"}, imaging.ErrUnsupported, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.photos...)
			if tt.edit != nil {
				tt.edit(&f.in)
			}
			_, err := f.e.Process(context.Background(), f.in)
			require.Error(t, err)
			assert.True(t, permanent.Is(err), "not permanent: %v", err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Zero(t, f.blobs.puts, "stored images for a failed product")
			assert.Zero(t, f.store.puts)
			if tt.noState {
				assert.Empty(t, f.store.stages)
				return
			}
			require.Len(t, f.store.stages, 1)
			st := f.store.stages[0]
			assert.Equal(t, store.StateFailed, st.State)
			require.Len(t, st.Reasons, len(tt.reasons), "%q", st.Reasons)
			for i, r := range tt.reasons {
				assert.Contains(t, st.Reasons[i], r)
			}
		})
	}
}

func TestProcessTransient(t *testing.T) {
	boom := errors.New("disk on fire")
	good := jpegBytes(t, photo(320, 240, color.RGBA{200, 30, 30, 255}))
	tests := []struct {
		name  string
		setup func(*fixture)
		ctx   func() context.Context
	}{
		{"blob get fails", func(f *fixture) { f.blobs.getErr = boom }, nil},
		{"blob put fails", func(f *fixture) { f.blobs.putErr = boom }, nil},
		{"store put fails", func(f *fixture) { f.store.putErr = boom }, nil},
		{"store set stage fails", func(f *fixture) { f.store.stageErr = boom }, nil},
		{"recording a failure fails", func(f *fixture) {
			f.store.stageErr = boom
			f.in.Variants = []string{"ebay"}
		}, nil},
		{"context cancelled", func(*fixture) {}, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, good)
			tt.setup(f)
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			_, err := f.e.Process(ctx, f.in)
			require.Error(t, err)
			assert.False(t, permanent.Is(err), "a transient error was marked permanent: %v", err)
			for _, st := range f.store.stages {
				assert.NotEqual(t, store.StateFailed, st.State, "a transient error failed the product")
			}
			if tt.ctx == nil && tt.name != "recording a failure fails" {
				assert.ErrorIs(t, err, boom)
			}
		})
	}
}

func TestProcessFlagsDuplicates(t *testing.T) {
	red := photo(900, 600, color.RGBA{200, 30, 30, 255})
	// A different composition: a bar across the top instead of a centred box.
	bar := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := range 600 {
		for x := range 900 {
			c := color.RGBA{255, 255, 255, 255}
			if y < 200 || (x/60)%2 == 0 && y > 400 {
				c = color.RGBA{200, 30, 30, 255}
			}
			bar.SetRGBA(x, y, c)
		}
	}
	f := newFixture(t,
		jpegBytes(t, red),
		pngBytes(t, red), // the same photo again, as PNG
		jpegBytes(t, photo(900, 600, color.RGBA{30, 60, 200, 255})), // same shot, other colour
		jpegBytes(t, bar))
	out, err := f.e.Process(context.Background(), f.in)
	require.NoError(t, err)
	require.Len(t, out.Analysis, 4)

	for i, a := range out.Analysis {
		require.Contains(t, a.Compliance, messages.Amazon, "photo %d", i)
		require.Len(t, a.PHash, 16)
		var dup bool
		for _, n := range a.Compliance[messages.Amazon].Notes {
			if strings.HasPrefix(n, "duplicate of photo 0") {
				dup = true
			}
		}
		assert.Equal(t, i == 1, dup, "photo %d: %v", i, a.Compliance[messages.Amazon].Notes)
	}
}

// TestAnalysisMessage pins the JSON of an analysis on the wire: imaging measures into
// its own type and the handler copies it field for field, so the message is byte for
// byte what it was when imaging returned messages.Analysis itself.
func TestAnalysisMessage(t *testing.T) {
	colors := []imaging.Color{{Hex: "#c81e1e", EN: "red", TR: "kırmızı", Share: 0.912}}
	full := imaging.Analysis{
		Sharpness:     812.5,
		Brightness:    201.25,
		Background:    0.97,
		Fill:          0.41,
		Colors:        colors,
		Backdrop:      imaging.BackdropWhite,
		Separated:     true,
		SubjectColors: colors,
		Exposure:      "ok",
		PHash:         "f0e1d2c3b4a59687",
		Compliance: map[string]imaging.Compliance{
			"amazon":   {Status: imaging.ComplianceFixed, Notes: []string{"background whitened"}},
			"trendyol": {Status: imaging.CompliancePass},
		},
	}
	tests := []struct {
		name string
		in   imaging.Analysis
		want string
	}{
		{"every field", full, `{"photo":2,"sharpness":812.5,"brightness":201.25,"background":0.97,"fill":0.41,` +
			`"colors":[{"hex":"#c81e1e","en":"red","tr":"kırmızı","share":0.912}],"backdrop":"white","separated":true,` +
			`"subject_colors":[{"hex":"#c81e1e","en":"red","tr":"kırmızı","share":0.912}],"exposure":"ok",` +
			`"phash":"f0e1d2c3b4a59687","compliance":{"amazon":{"status":"fixed","notes":["background whitened"]},` +
			`"trendyol":{"status":"pass"}}}`},
		{"nothing measured", imaging.Analysis{},
			`{"photo":2,"sharpness":0,"brightness":0,"background":0,"fill":0,"separated":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(analysisMessage(2, tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}

	// A field added to either type must be carried across: every field of the full
	// analysis is set, and so must every field of its message be.
	for i, f := range reflect.VisibleFields(reflect.TypeOf(full)) {
		assert.False(t, reflect.ValueOf(full).Field(i).IsZero(), "the test sets imaging.Analysis.%s", f.Name)
	}
	msg := reflect.ValueOf(analysisMessage(2, full))
	for i, f := range reflect.VisibleFields(msg.Type()) {
		assert.False(t, msg.Field(i).IsZero(), "messages.Analysis.%s is not set from imaging.Analysis", f.Name)
	}
}
