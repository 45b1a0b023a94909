package seo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// completion wraps content as an OpenAI-style chat completion.
func completion(content string) string {
	b, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": content}}}})
	return string(b)
}

func TestLLM(t *testing.T) {
	p := messages.Product{Name: "Keten Gömlek", Brand: "Koton", Category: "Giyim > Kadın > Gömlek",
		Attributes: map[string]string{"renk": "Beyaz", "beden": "M"}}
	good := `{"title":"Koton Kadın Keten Gömlek Beyaz M Rahat Kesim","description":"<p>Yazlık keten gömlek.</p>","bullets":[],"keywords":["yazlık","ofis"]}`
	tests := []struct {
		name       string
		status     int
		body       string
		wantWriter string
		wantTitle  string
		wantNote   string
	}{
		{"good", http.StatusOK, completion(good), WriterLLM, "Koton Kadın Keten Gömlek Beyaz M Rahat Kesim", ""},
		{"good in a code fence", http.StatusOK, completion("```json\n" + good + "\n```"), WriterLLM, "Koton Kadın Keten Gömlek Beyaz M Rahat Kesim", ""},
		{"breaks a rule", http.StatusOK, completion(`{"title":"Koton Keten Gömlek KARGO BEDAVA","description":"<p>x</p>"}`),
			"deterministic (llm rejected: breaks the rules", "Koton Keten Gömlek Beyaz M", "promotional phrase"},
		{"script in description", http.StatusOK, completion(`{"title":"Koton Keten Gömlek","description":"<script>x</script>"}`),
			"deterministic (llm rejected: breaks the rules", "Koton Keten Gömlek Beyaz M", "tag <script> is not allowed"},
		{"malformed completion", http.StatusOK, completion(`Here is your title: Koton Gömlek`),
			"deterministic (llm rejected: decode completion", "Koton Keten Gömlek Beyaz M", "decode completion"},
		{"malformed reply", http.StatusOK, `{"choices": [`, "deterministic (llm rejected: decode reply", "Koton Keten Gömlek Beyaz M", "decode reply"},
		{"no choices", http.StatusOK, `{"choices": []}`, "deterministic (llm rejected: reply has no choices)", "Koton Keten Gömlek Beyaz M", "no choices"},
		{"server error", http.StatusInternalServerError, `{"error":"down"}`, "deterministic (llm rejected: endpoint answered 500", "Koton Keten Gömlek Beyaz M", "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, "/v1/chat/completions", r.URL.Path)
				assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
				var req chatRequest
				if assert.NoError(t, json.NewDecoder(r.Body).Decode(&req)) {
					assert.Equal(t, "test-model", req.Model)
					require.Len(t, req.Messages, 2)
					assert.Contains(t, req.Messages[0].Content, "Turkish")
					assert.Contains(t, req.Messages[0].Content, "at most 100 characters")
					assert.Contains(t, req.Messages[1].Content, "Keten Gömlek")
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()

			l := LLM{BaseURL: srv.URL + "/", APIKey: "sk-test", Model: "test-model", HTTPClient: srv.Client()}
			text, rep := l.Write(context.Background(), p, nil, rulesOf(t, messages.Trendyol))
			assert.Equal(t, int32(1), calls.Load())
			assert.True(t, strings.HasPrefix(rep.Writer, tt.wantWriter), "writer %q", rep.Writer)
			assert.Equal(t, tt.wantTitle, text.Title)
			assert.Equal(t, "tr", text.Language)
			assert.NotEqual(t, StatusFail, rep.Status)
			assert.Empty(t, CheckBrand(text, rulesOf(t, messages.Trendyol), p.Brand), "whatever the model says, the text complies")
			if tt.wantNote != "" {
				assert.Contains(t, strings.Join(rep.Notes, "\n"), tt.wantNote)
			} else {
				assert.Empty(t, rep.Notes)
			}
		})
	}
}

func TestLLMUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	p := messages.Product{Name: "Running Shoe", Brand: "Nike"}
	text, rep := LLM{BaseURL: url, Model: "m"}.Write(context.Background(), p, nil, rulesOf(t, messages.Amazon))
	assert.Equal(t, "Nike Running Shoe", text.Title)
	assert.Contains(t, rep.Writer, "llm rejected: request")
}

// TestLLMAmazonTurkish: on amazon.com.tr the model is asked for Turkish under Amazon's
// limits, and its text is checked as Turkish.
func TestLLMAmazonTurkish(t *testing.T) {
	p := messages.Product{Name: "Air Max 90 Spor Ayakkabı", Brand: "Nike", Category: "Ayakkabı",
		Attributes: map[string]string{"renk": "Beyaz", "numara": "42", "cinsiyet": "Erkek"}}
	answer := `{"title":"Nike Air Max 90 Erkek Spor Ayakkabı Beyaz 42","description":"Günlük kullanım için hafif spor ayakkabı.",` +
		`"bullets":["Renk: Beyaz","Numara: 42"],"keywords":["koşu","sneaker"]}`
	var prompt string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req chatRequest
		if assert.NoError(t, json.NewDecoder(r.Body).Decode(&req)) && assert.Len(t, req.Messages, 2) {
			prompt = req.Messages[0].Content
		}
		_, _ = w.Write([]byte(completion(answer)))
	}))
	defer srv.Close()

	r := rulesOf(t, messages.Amazon).In(Turkish)
	text, rep := LLM{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client()}.Write(context.Background(), p, nil, r)
	assert.Equal(t, WriterLLM, rep.Writer, rep.Notes)
	assert.Equal(t, "tr", text.Language)
	assert.Equal(t, "Nike Air Max 90 Erkek Spor Ayakkabı Beyaz 42", text.Title)
	assert.Equal(t, []string{"Renk: Beyaz", "Numara: 42"}, text.Bullets)
	assert.Contains(t, prompt, "for the amazon marketplace, in Turkish")
	assert.Contains(t, prompt, "title at most 200 characters")
	assert.Contains(t, prompt, "at most 5 bullets")
	assert.Contains(t, prompt, "at most 249 bytes")

	// the same answer is rejected on Trendyol, which takes no bullets
	text, rep = LLM{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client()}.Write(context.Background(), p, nil, rulesOf(t, messages.Trendyol))
	assert.Contains(t, rep.Writer, "takes no bullet points")
	assert.Empty(t, text.Bullets)
}

func TestDeterministicWriter(t *testing.T) {
	p := messages.Product{Name: "Keten Gömlek", Brand: "Koton"}
	for m, r := range listings(t) {
		want, wantRep := Generate(p, nil, r)
		got, rep := Deterministic{}.Write(context.Background(), p, nil, r)
		assert.Equal(t, want, got, m)
		assert.Equal(t, wantRep, rep, m)
		assert.Equal(t, WriterDeterministic, rep.Writer, m)
		assert.Equal(t, r.Language, got.Language, m)
	}
}
