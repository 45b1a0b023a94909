package seo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stox-dev/stox/messages"
)

// WriterLLM names text a language model wrote, in a Report's Writer.
const WriterLLM = "llm"

// Writer writes one marketplace's listing text for a product under the marketplace's
// rules r, in r's language; the report says how the text fares against r and which
// writer wrote it.
type Writer interface {
	Write(ctx context.Context, p messages.Product, colors []messages.Color, r Rules) (messages.ListingText, Report)
}

// Deterministic is the Writer that calls Generate: the default.
type Deterministic struct{}

// Write implements Writer.
func (Deterministic) Write(_ context.Context, p messages.Product, colors []messages.Color, r Rules) (messages.ListingText, Report) {
	return Generate(p, colors, r)
}

// LLM is a Writer that asks a language model behind an OpenAI-compatible chat
// completions endpoint for the text. Its text is checked against the same rules as
// Generate's; when the model errs, answers in a form LLM cannot read, or writes text
// that breaks a rule, the deterministic text is used and the reason recorded in the
// report's notes and Writer. Its output is not deterministic.
type LLM struct {
	// BaseURL is the endpoint's base ("https://api.openai.com"); LLM posts to
	// BaseURL + "/v1/chat/completions".
	BaseURL string
	// APIKey is sent as a bearer token when set.
	APIKey string
	// Model names the model.
	Model string
	// HTTPClient makes the request; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds one request; 0 means 30 seconds.
	Timeout time.Duration
}

// llmReplyMax is the most bytes of a completion LLM reads.
const llmReplyMax = 1 << 20

// Write implements Writer.
func (l LLM) Write(ctx context.Context, p messages.Product, colors []messages.Color, r Rules) (messages.ListingText, Report) {
	base, rep := Generate(p, colors, r)
	r.Language = base.Language // Generate's fallback for a language it cannot write
	text, err := l.complete(ctx, p, base, r)
	if err == nil {
		if v := CheckBrand(text, r, p.Brand); len(v) > 0 {
			err = fmt.Errorf("breaks the rules: %s", strings.Join(v, "; "))
		}
	}
	if err != nil {
		reason := "llm rejected: " + err.Error()
		rep.Notes = append(rep.Notes, reason)
		rep.Writer = WriterDeterministic + " (" + reason + ")"
		return base, rep
	}
	return text, Report{Marketplace: r.Marketplace, Status: StatusPass, Writer: WriterLLM}
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model          string            `json:"model"`
	Messages       []chatMessage     `json:"messages"`
	Temperature    float64           `json:"temperature"`
	ResponseFormat map[string]string `json:"response_format"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
}

// llmText is the JSON object the model is asked to answer with.
type llmText struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Bullets     []string `json:"bullets"`
	Keywords    []string `json:"keywords"`
}

// complete asks the model for text that meets r, given the product and the
// deterministic draft.
func (l LLM) complete(ctx context.Context, p messages.Product, draft messages.ListingText, r Rules) (messages.ListingText, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	product, err := json.Marshal(p)
	if err != nil {
		return messages.ListingText{}, fmt.Errorf("encode product: %w", err)
	}
	draftJSON, err := json.Marshal(llmText{draft.Title, draft.Description, draft.Bullets, draft.Keywords})
	if err != nil {
		return messages.ListingText{}, fmt.Errorf("encode draft: %w", err)
	}
	req := chatRequest{
		Model:          l.Model,
		Temperature:    0,
		ResponseFormat: map[string]string{"type": "json_object"},
		Messages: []chatMessage{
			{Role: "system", Content: llmPrompt(r)},
			{Role: "user", Content: "Product: " + string(product) + "\nDraft: " + string(draftJSON)},
		},
	}
	body, err := json.Marshal(req)
	if err != nil {
		return messages.ListingText{}, fmt.Errorf("encode request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(l.BaseURL, "/")+"/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return messages.ListingText{}, fmt.Errorf("build request: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if l.APIKey != "" {
		hr.Header.Set("Authorization", "Bearer "+l.APIKey)
	}
	client := l.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		return messages.ListingText{}, fmt.Errorf("request: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, llmReplyMax))
	if err != nil {
		return messages.ListingText{}, fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return messages.ListingText{}, fmt.Errorf("endpoint answered %s", resp.Status)
	}
	var cr chatResponse
	if err := json.Unmarshal(raw, &cr); err != nil {
		return messages.ListingText{}, fmt.Errorf("decode reply: %w", err)
	}
	if len(cr.Choices) == 0 {
		return messages.ListingText{}, errors.New("reply has no choices")
	}
	content := strings.TrimSpace(cr.Choices[0].Message.Content)
	content = strings.TrimPrefix(strings.TrimPrefix(content, "```json"), "```")
	content = strings.TrimSpace(strings.TrimSuffix(content, "```"))
	var t llmText
	if err := json.Unmarshal([]byte(content), &t); err != nil {
		return messages.ListingText{}, fmt.Errorf("decode completion: %w", err)
	}
	return messages.ListingText{Language: r.Language, Title: t.Title, Description: t.Description,
		Bullets: t.Bullets, Keywords: t.Keywords}, nil
}

// llmPrompt tells the model the marketplace's rules.
func llmPrompt(r Rules) string {
	lang := map[string]string{Turkish: "Turkish", English: "English"}[r.Language]
	var b strings.Builder
	fmt.Fprintf(&b, "You write product listing text for the %s marketplace, in %s. ", r.Marketplace, lang)
	b.WriteString("Improve the draft for buyers searching the marketplace, using only facts in the product. ")
	b.WriteString("Answer with one JSON object with keys title, description, bullets, keywords and nothing else. Rules: ")
	fmt.Fprintf(&b, "title at most %d characters, starting with the brand as written, no word more than %d times, ", r.TitleMax, r.WordRepeatMax)
	fmt.Fprintf(&b, "no words in capitals, none of the characters %q, no emoji; ", r.TitleForbidden)
	b.WriteString("names spelled as the product spells them (iPhone, USB-C, 400 ml), each word once, a colour only if the product gives one; ")
	b.WriteString("no HTML entities in the title, bullets or keywords; ")
	b.WriteString("no promotional claims (price, discount, shipping, best seller) anywhere; ")
	if r.plainDescription() {
		fmt.Fprintf(&b, "description at most %d characters of plain text, no HTML entities, lines broken with <br>; ", r.DescriptionMax)
	} else {
		fmt.Fprintf(&b, "description at most %d characters using only the HTML tags %s without attributes; ", r.DescriptionMax, strings.Join(r.DescriptionTags, ", "))
	}
	if r.Bullets == 0 {
		b.WriteString("bullets: an empty list; ")
	} else {
		fmt.Fprintf(&b, "at most %d bullets of at most %d characters, plain text; ", r.Bullets, r.BulletMax)
	}
	b.WriteString("keywords: lower case search terms not repeating title words")
	if r.KeywordsMax > 0 {
		fmt.Fprintf(&b, ", at most %d", r.KeywordsMax)
	}
	if r.KeywordBytesMax > 0 {
		fmt.Fprintf(&b, ", at most %d bytes joined by spaces", r.KeywordBytesMax)
	}
	b.WriteString(".")
	return b.String()
}
