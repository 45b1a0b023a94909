package texts

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/seo"
	"github.com/stox-dev/stox/store"
)

// fakeStore is an in-memory store.Store that records what the writer stores and counts
// every call; the methods the writer must not use fail the test when called.
type fakeStore struct {
	t  *testing.T
	mu sync.Mutex

	calls    map[string]int
	texts    map[string]messages.ListingText
	listings map[string]store.Listing
	stage    store.Stage
	failOn   string // method that returns err
	err      error
}

func newFakeStore(t *testing.T) *fakeStore {
	return &fakeStore{t: t, calls: map[string]int{}, listings: map[string]store.Listing{}}
}

func (f *fakeStore) call(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	if f.failOn == method {
		return f.err
	}
	return nil
}

func (f *fakeStore) unexpected(method string) error {
	f.t.Errorf("the writer called %s", method)
	return f.call(method)
}

func (f *fakeStore) PutProduct(context.Context, store.NewProduct) (string, int, error) {
	return "", 0, f.unexpected("PutProduct")
}

func (f *fakeStore) Product(context.Context, string) (store.Product, error) {
	return store.Product{}, f.unexpected("Product")
}

func (f *fakeStore) Products(context.Context, int, string) ([]store.Summary, error) {
	return nil, f.unexpected("Products")
}

func (f *fakeStore) PutImages(context.Context, string, int, []messages.Image, []messages.Analysis) error {
	return f.unexpected("PutImages")
}

func (f *fakeStore) Close() error { return f.unexpected("Close") }

func (f *fakeStore) SetStage(_ context.Context, id string, rev int, stage string, s store.Stage) error {
	assert.Equal(f.t, "p1", id)
	assert.Equal(f.t, 3, rev)
	assert.Equal(f.t, store.StageSEO, stage)
	if err := f.call("SetStage"); err != nil {
		return err
	}
	f.stage = s
	return nil
}

func (f *fakeStore) PutTexts(_ context.Context, id string, rev int, texts map[string]messages.ListingText) error {
	assert.Equal(f.t, "p1", id)
	assert.Equal(f.t, 3, rev)
	if err := f.call("PutTexts"); err != nil {
		return err
	}
	f.texts = texts
	return nil
}

func (f *fakeStore) SetListing(_ context.Context, id string, rev int, m string, l store.Listing) error {
	assert.Equal(f.t, "p1", id)
	assert.Equal(f.t, 3, rev)
	if err := f.call("SetListing"); err != nil {
		return err
	}
	f.listings[m] = l
	return nil
}

var _ store.Store = (*fakeStore)(nil)

func enhanced() messages.ImageEnhancedV1 {
	p := messages.Product{
		SKU: "GML-1", Name: "Keten Gömlek", Brand: "Koton", Category: "Giyim > Kadın > Gömlek",
		Price: 499.9, Currency: "TRY", Stock: 5,
		Attributes:   map[string]string{"beden": "M", "cinsiyet": "Kadın"},
		Marketplaces: []string{messages.Trendyol, messages.Amazon, messages.Hepsiburada},
	}
	var images []messages.Image
	// out of photo order, with a thumbnail the listing must not carry
	for _, photo := range []int{2, 0, 1} {
		for _, v := range []string{messages.Amazon, messages.Trendyol, messages.Hepsiburada, "thumbnail"} {
			images = append(images, messages.Image{Photo: photo, Variant: v, Key: v + "/" + string(rune('a'+photo)) + ".jpg",
				ContentType: "image/jpeg", Width: 1200, Height: 1800})
		}
	}
	return messages.ImageEnhancedV1{
		ProductID: "p1", Revision: 3, Product: p, Images: images,
		Analysis: []messages.Analysis{
			{Photo: 1, Backdrop: "plain", Separated: true,
				Colors:        []messages.Color{{Hex: "#fff", EN: "White", TR: "Beyaz", Share: 0.7}},
				SubjectColors: []messages.Color{{Hex: "#fff", EN: "White", TR: "Beyaz", Share: 0.7}}},
			{Photo: 0, Backdrop: "white", Separated: true,
				Colors:        []messages.Color{{Hex: "#000", EN: "Black", TR: "Siyah", Share: 0.8}},
				SubjectColors: []messages.Color{{Hex: "#000", EN: "Black", TR: "Siyah", Share: 0.8}}},
		},
	}
}

// TestProcessColours: a colour goes into a title from the seller's colour attribute,
// or from a photo whose subject the image stage separated from its backdrop, and
// never for a category where colour means nothing (issue 10, item 5).
func TestProcessColours(t *testing.T) {
	beige := []messages.Color{{Hex: "#d8c8a8", EN: "Beige", TR: "Bej", Share: 0.88}}
	red := []messages.Color{{Hex: "#b22222", EN: "Red", TR: "Kırmızı", Share: 0.6}}
	tests := []struct {
		name     string
		category string
		product  string // the product's name, when not the fixture's
		attrs    map[string]string
		analysis []messages.Analysis
		want     string // Trendyol's title
	}{
		{
			name: "separated subject", category: "Giyim > Kadın > Gömlek",
			analysis: []messages.Analysis{{Photo: 0, Backdrop: "plain", Separated: true, Colors: red, SubjectColors: red}},
			want:     "Koton Kadın Keten Gömlek Kırmızı M",
		},
		{
			name: "busy scene: the frame's colour is the room's", category: "Giyim > Kadın > Gömlek",
			analysis: []messages.Analysis{{Photo: 0, Backdrop: "busy", Colors: beige}},
			want:     "Koton Kadın Keten Gömlek M",
		},
		{
			name: "a message from before separation", category: "Giyim > Kadın > Gömlek",
			analysis: []messages.Analysis{{Photo: 0, Colors: beige}},
			want:     "Koton Kadın Keten Gömlek M",
		},
		{
			name: "the first separated photo", category: "Giyim > Kadın > Gömlek",
			analysis: []messages.Analysis{
				{Photo: 1, Backdrop: "gradient", Separated: true, Colors: red, SubjectColors: red},
				{Photo: 0, Backdrop: "busy", Colors: beige},
			},
			want: "Koton Kadın Keten Gömlek Kırmızı M",
		},
		{
			name: "the seller's colour wins", category: "Giyim > Kadın > Gömlek", attrs: map[string]string{"renk": "Lacivert"},
			analysis: []messages.Analysis{{Photo: 0, Backdrop: "plain", Separated: true, Colors: red, SubjectColors: red}},
			want:     "Koton Kadın Keten Gömlek Lacivert M",
		},
		{
			name: "colour means nothing for a face cream", category: "Kozmetik > Cilt Bakımı > Yüz Kremi",
			product:  "Nemlendirici Yüz Kremi 50 ml",
			analysis: []messages.Analysis{{Photo: 0, Backdrop: "white", Separated: true, Colors: red, SubjectColors: red}},
			want:     "Koton Kadın Nemlendirici Yüz Kremi 50 ml M",
		},
		{
			name: "nor the seller's for a face cream", category: "Kozmetik > Cilt Bakımı > Yüz Kremi",
			product: "Nemlendirici Yüz Kremi 50 ml", attrs: map[string]string{"renk": "Beyaz"},
			want: "Koton Kadın Nemlendirici Yüz Kremi 50 ml M",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeStore(t)
			in := enhanced()
			in.Product.Category = tt.category
			if tt.product != "" {
				in.Product.Name = tt.product
			}
			for k, v := range tt.attrs {
				in.Product.Attributes[k] = v
			}
			in.Analysis = tt.analysis
			out, err := Writer{Store: fs, PublicBaseURL: "http://x"}.Process(context.Background(), in)
			require.NoError(t, err)
			require.Contains(t, out.Texts, messages.Trendyol)
			assert.Equal(t, tt.want, out.Texts[messages.Trendyol].Title)
			for m, text := range out.Texts {
				assert.Empty(t, seo.CheckBrand(text, rulesOf(t, m, ""), in.Product.Brand), m)
			}
		})
	}
}

func TestProcess(t *testing.T) {
	fs := newFakeStore(t)
	w := Writer{Store: fs, PublicBaseURL: "https://cdn.example.com/"}
	in := enhanced()

	out, err := w.Process(context.Background(), in)
	require.NoError(t, err)

	assert.Equal(t, "p1", out.ProductID)
	assert.Equal(t, 3, out.Revision)
	assert.Equal(t, in.Product, out.Product)
	require.Len(t, out.Texts, 3)
	// the first photo's colour names the product, in each marketplace's language;
	// Amazon, configured with none, writes amazon.com's English
	assert.Equal(t, "Koton Kadın Keten Gömlek Siyah M", out.Texts[messages.Trendyol].Title)
	assert.Equal(t, "Koton Women Keten Gömlek Black M", out.Texts[messages.Amazon].Title)
	assert.Equal(t, "en", out.Texts[messages.Amazon].Language)
	assert.Equal(t, "tr", out.Texts[messages.Hepsiburada].Language)
	for m, text := range out.Texts {
		assert.Empty(t, seo.CheckBrand(text, rulesOf(t, m, ""), in.Product.Brand), m)
		require.NotNil(t, text.Compliance, m)
		assert.Contains(t, []string{seo.StatusPass, seo.StatusFixed}, text.Compliance.Status, m)
		assert.Equal(t, seo.WriterDeterministic, text.Compliance.Writer, m)
	}

	require.Len(t, out.Images, 3)
	assert.Equal(t, []messages.ListingImage{
		{Key: "amazon/a.jpg", URL: "https://cdn.example.com/images/amazon/a.jpg", Width: 1200, Height: 1800},
		{Key: "amazon/b.jpg", URL: "https://cdn.example.com/images/amazon/b.jpg", Width: 1200, Height: 1800},
		{Key: "amazon/c.jpg", URL: "https://cdn.example.com/images/amazon/c.jpg", Width: 1200, Height: 1800},
	}, out.Images[messages.Amazon])
	for m, imgs := range out.Images {
		for _, img := range imgs {
			assert.True(t, strings.HasPrefix(img.Key, m+"/"), "%s carries %s", m, img.Key)
		}
	}

	assert.Equal(t, map[string]int{"PutTexts": 1, "SetStage": 1}, fs.calls)
	assert.Equal(t, out.Texts, fs.texts)
	assert.Equal(t, store.Stage{State: store.StateDone}, fs.stage)

	// the same message again gives the same listing: redelivery is harmless
	again, err := w.Process(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, out, again)
	assert.Equal(t, map[string]int{"PutTexts": 2, "SetStage": 2}, fs.calls)
}

func TestProcessSomeMarketplacesFail(t *testing.T) {
	fs := newFakeStore(t)
	w := Writer{Store: fs, PublicBaseURL: "http://127.0.0.1:8080"}
	in := enhanced()
	// 100 characters of brand: no room left for the name in a Trendyol title
	in.Product.Brand = "Anadolu Geleneksel El Sanatları Tekstil Konfeksiyon Dış Ticaret Limited Şirketi Kooperatifi Ürünleri"
	in.Product.Marketplaces = []string{messages.Trendyol, messages.Amazon, "n11", messages.Trendyol}

	out, err := w.Process(context.Background(), in)
	require.NoError(t, err)

	assert.Equal(t, []string{messages.Amazon}, keys(out.Texts))
	assert.Equal(t, []string{messages.Amazon}, keys(out.Images))
	assert.Equal(t, map[string]int{"PutTexts": 1, "SetListing": 2, "SetStage": 1}, fs.calls, "the repeated trendyol is handled once")
	assert.Equal(t, out.Texts[messages.Amazon], fs.texts[messages.Amazon])
	// the failing text is stored with its reasons, not published; n11 has no text at all
	assert.Equal(t, []string{messages.Amazon, messages.Trendyol}, keys(fs.texts))
	require.NotNil(t, fs.texts[messages.Trendyol].Compliance)
	assert.Equal(t, seo.StatusFail, fs.texts[messages.Trendyol].Compliance.Status)
	assert.Equal(t, fs.listings[messages.Trendyol].Reasons, fs.texts[messages.Trendyol].Compliance.Notes)

	require.Contains(t, fs.listings, messages.Trendyol)
	assert.Equal(t, store.ListingRejected, fs.listings[messages.Trendyol].State)
	assert.Contains(t, strings.Join(fs.listings[messages.Trendyol].Reasons, "\n"), "do not fit in 100 characters")
	require.Contains(t, fs.listings, "n11")
	assert.Contains(t, strings.Join(fs.listings["n11"].Reasons, "\n"), "unknown marketplace")

	assert.Equal(t, store.StateFailed, fs.stage.State)
	require.Len(t, fs.stage.Reasons, 2)
	assert.True(t, strings.HasPrefix(fs.stage.Reasons[0], "trendyol: "), fs.stage.Reasons[0])
	assert.True(t, strings.HasPrefix(fs.stage.Reasons[1], "n11: "), fs.stage.Reasons[1])
}

func TestProcessEveryMarketplaceFails(t *testing.T) {
	fs := newFakeStore(t)
	w := Writer{Store: fs, PublicBaseURL: "http://x"}
	in := enhanced()
	in.Product.Name = "KARGO BEDAVA!!! EN UCUZ"

	_, err := w.Process(context.Background(), in)
	require.Error(t, err)
	assert.True(t, permanent.Is(err), "retrying writes the same text: %v", err)
	assert.Contains(t, err.Error(), "promotional")

	assert.Equal(t, map[string]int{"PutTexts": 1, "SetListing": 3, "SetStage": 1}, fs.calls, "recorded before giving up")
	assert.Len(t, fs.listings, 3)
	assert.Len(t, fs.texts, 3)
	for m, l := range fs.listings {
		assert.Equal(t, store.ListingRejected, l.State, m)
		assert.NotEmpty(t, l.Reasons, m)
		require.NotNil(t, fs.texts[m].Compliance, m)
		assert.Equal(t, seo.StatusFail, fs.texts[m].Compliance.Status, m)
		assert.Equal(t, l.Reasons, fs.texts[m].Compliance.Notes, m)
	}
	assert.Equal(t, store.StateFailed, fs.stage.State)
	assert.Len(t, fs.stage.Reasons, 3)
}

func TestProcessNoMarketplace(t *testing.T) {
	fs := newFakeStore(t)
	in := enhanced()
	in.Product.Marketplaces = nil

	_, err := Writer{Store: fs}.Process(context.Background(), in)
	require.Error(t, err)
	assert.True(t, permanent.Is(err))
	assert.Equal(t, map[string]int{"PutTexts": 1, "SetStage": 1}, fs.calls)
	assert.Equal(t, store.Stage{State: store.StateFailed, Reasons: []string{"the product names no marketplace"}}, fs.stage)
}

func TestProcessMalformed(t *testing.T) {
	fs := newFakeStore(t)
	in := enhanced()
	in.ProductID = ""
	_, err := Writer{Store: fs}.Process(context.Background(), in)
	require.Error(t, err)
	assert.True(t, permanent.Is(err))
	assert.Empty(t, fs.calls, "nothing to record against")
}

func TestProcessStoreErrors(t *testing.T) {
	flaky := errors.New("connection reset")
	tests := []struct {
		name      string
		failOn    string
		err       error
		permanent bool
		calls     map[string]int
	}{
		{"texts not saved", "PutTexts", flaky, false, map[string]int{"PutTexts": 1}},
		{"stage not saved", "SetStage", flaky, false, map[string]int{"PutTexts": 1, "SetStage": 1}},
		{"product gone", "PutTexts", store.ErrNotFound, true, map[string]int{"PutTexts": 1}},
		{"rejection not saved", "SetListing", flaky, false, map[string]int{"PutTexts": 1, "SetListing": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeStore(t)
			fs.failOn, fs.err = tt.failOn, tt.err
			in := enhanced()
			if tt.failOn == "SetListing" {
				in.Product.Marketplaces = append(in.Product.Marketplaces, "n11")
			}
			_, err := Writer{Store: fs}.Process(context.Background(), in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.permanent, permanent.Is(err))
			assert.Equal(t, tt.calls, fs.calls, "stops at the first failure")
		})
	}
}

// rulesOf returns marketplace m's rules in language, "" for its default.
func rulesOf(t *testing.T, m, language string) seo.Rules {
	t.Helper()
	r, ok := seo.RulesFor(m)
	require.True(t, ok, m)
	return r.In(language)
}

// TestProcessLanguages: each marketplace's text is in the language configured for it,
// Amazon's in Turkish for amazon.com.tr and in English for amazon.com, with Amazon's
// bullets either way; marketplaces left out keep their own.
func TestProcessLanguages(t *testing.T) {
	tests := []struct {
		name      string
		languages map[string]string
		amazon    string // language of Amazon's text
		others    string // language of Trendyol's and Hepsiburada's
		title     string
		bullets   []string
		words     []string // in Amazon's description
	}{
		{
			name:      "amazon.com.tr",
			languages: map[string]string{messages.Amazon: "tr"},
			amazon:    "tr",
			others:    "tr",
			title:     "Koton Kadın Keten Gömlek Siyah M",
			bullets: []string{"Cinsiyet: Kadın", "Renk: Siyah", "Beden: M", "Kategori: Gömlek",
				"Bakım ve kullanım: Ürün etiketindeki yıkama talimatlarına uyunuz."},
			words: []string{"Ürünün özellikleri aşağıda yer alıyor.", "Renk: Siyah"},
		},
		{
			name:      "amazon tag",
			languages: map[string]string{messages.Amazon: "tr_TR"},
			amazon:    "tr",
			others:    "tr",
			title:     "Koton Kadın Keten Gömlek Siyah M",
		},
		{
			name:      "amazon.com",
			languages: map[string]string{messages.Amazon: "en"},
			amazon:    "en",
			others:    "tr",
			title:     "Koton Women Keten Gömlek Black M",
			bullets: []string{"Gender: Women", "Color: Black", "Size: M", "Category: Gömlek",
				"Care and use: Follow the washing instructions on the label."},
			words: []string{"The product's details are listed below.", "Color: Black"},
		},
		{
			name:      "amazon.de falls back to English",
			languages: map[string]string{messages.Amazon: "de"},
			amazon:    "en",
			others:    "tr",
			title:     "Koton Women Keten Gömlek Black M",
		},
		{
			name:      "every marketplace in English",
			languages: map[string]string{messages.Amazon: "en", messages.Trendyol: "en", messages.Hepsiburada: "en"},
			amazon:    "en",
			others:    "en",
			title:     "Koton Women Keten Gömlek Black M",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeStore(t)
			w := Writer{Store: fs, PublicBaseURL: "http://x", Languages: tt.languages}
			in := enhanced()
			out, err := w.Process(context.Background(), in)
			require.NoError(t, err)
			require.Len(t, out.Texts, 3)
			assert.Equal(t, store.Stage{State: store.StateDone}, fs.stage)

			am := out.Texts[messages.Amazon]
			assert.Equal(t, tt.amazon, am.Language)
			assert.Equal(t, tt.title, am.Title)
			if tt.bullets != nil {
				assert.Equal(t, tt.bullets, am.Bullets)
			}
			assert.NotEmpty(t, am.Bullets, "Amazon takes bullets in any language")
			for _, s := range tt.words {
				assert.Contains(t, am.Description, s)
			}
			for _, m := range in.Product.Marketplaces {
				want := tt.others
				if m == messages.Amazon {
					want = tt.amazon
				}
				r := rulesOf(t, m, tt.languages[m])
				assert.Equal(t, want, out.Texts[m].Language, m)
				assert.Equal(t, want, r.Language, m)
				assert.Empty(t, seo.CheckBrand(out.Texts[m], r, in.Product.Brand), "%s: complies in its language", m)
				require.NotNil(t, out.Texts[m].Compliance, m)
				assert.Equal(t, seo.StatusPass, out.Texts[m].Compliance.Status, m)
			}
			assert.Equal(t, out.Texts, fs.texts)
		})
	}
}

// TestProcessLanguagesLLM: the model is asked for the configured language.
func TestProcessLanguagesLLM(t *testing.T) {
	var mu sync.Mutex
	prompts := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		if assert.NoError(t, json.NewDecoder(r.Body).Decode(&req)) && assert.NotEmpty(t, req.Messages) {
			for _, m := range messages.Marketplaces {
				if strings.Contains(req.Messages[0].Content, "for the "+m+" marketplace") {
					mu.Lock()
					prompts[m] = req.Messages[0].Content
					mu.Unlock()
				}
			}
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	fs := newFakeStore(t)
	w := Writer{Store: fs, PublicBaseURL: "http://x", Languages: map[string]string{messages.Amazon: "tr"},
		Text: seo.LLM{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client()}}

	out, err := w.Process(context.Background(), enhanced())
	require.NoError(t, err)
	require.Len(t, prompts, 3)
	assert.Contains(t, prompts[messages.Amazon], "in Turkish")
	assert.Contains(t, prompts[messages.Amazon], "at most 5 bullets")
	assert.Equal(t, "tr", out.Texts[messages.Amazon].Language)
	assert.Equal(t, "Koton Kadın Keten Gömlek Siyah M", out.Texts[messages.Amazon].Title, "the Turkish fallback")
	assert.Contains(t, out.Texts[messages.Amazon].Compliance.Writer, "llm rejected: endpoint answered 503")
}

// keys returns the keys of m in sorted order.
func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestProcessLLMRejected(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"choices":[{"message":{"role":"assistant","content":"{\"title\":\"KOTON GÖMLEK KARGO BEDAVA\",\"description\":\"<p>x</p>\"}"}}]}`))
	}))
	defer srv.Close()
	fs := newFakeStore(t)
	w := Writer{Store: fs, PublicBaseURL: "http://x", Text: seo.LLM{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client()}}

	out, err := w.Process(context.Background(), enhanced())
	require.NoError(t, err)
	require.Len(t, out.Texts, 3)
	for m, text := range out.Texts {
		assert.Empty(t, seo.CheckBrand(text, rulesOf(t, m, ""), "Koton"), m)
		require.NotNil(t, text.Compliance, m)
		assert.True(t, strings.HasPrefix(text.Compliance.Writer, "deterministic (llm rejected: breaks the rules"), "%s: %q", m, text.Compliance.Writer)
		assert.Contains(t, strings.Join(text.Compliance.Notes, "\n"), "llm rejected", m)
	}
	assert.Equal(t, out.Texts, fs.texts)
}
