package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// tyWebhook is one webhook subscription with its delivery queue (guarded by wmu).
type tyWebhook struct {
	ID                 string   `json:"id"`
	URL                string   `json:"url"`
	AuthenticationType string   `json:"authenticationType"`
	Username           string   `json:"username,omitempty"`
	SubscribedStatuses []string `json:"subscribedStatuses"`
	Status             string   `json:"status"`
	password, apiKey   string
	pending            [][]byte
	running            bool
}

// TrendyolWebhookStats counts webhook deliveries over all subscriptions.
type TrendyolWebhookStats struct {
	// Delivered is deliveries a webhook answered with 2xx.
	Delivered int `json:"delivered"`
	// Failed is deliveries given up after every attempt failed.
	Failed int `json:"failed"`
	// Attempts is HTTP requests made, retries included.
	Attempts int `json:"attempts"`
	// Pending is deliveries queued or under way.
	Pending int `json:"pending"`
}

// trendyolWebhookStatuses maps package statuses to the statuses webhooks subscribe to.
var trendyolWebhookStatuses = map[string]string{
	"Awaiting": "AWAITING", "Created": "CREATED", "Picking": "PICKING", "Invoiced": "INVOICED", "Shipped": "SHIPPED",
	"Cancelled": "CANCELLED", "Delivered": "DELIVERED", "UnDelivered": "UNDELIVERED", "Returned": "RETURNED",
	"UnSupplied": "UNSUPPLIED", "UnPacked": "UNPACKED", "AtCollectionPoint": "AT_COLLECTION_POINT", "Verified": "VERIFIED",
}

// createWebhook is createWebhook: at most 15 per seller; the url must be HTTPS, except
// that plain HTTP is taken for localhost, 127.0.0.1 and ::1 so the sandbox can call
// receivers running next to it (Trendyol itself would not reach those). Empty
// subscribedStatuses subscribes to every status, as Trendyol does.
func (t *trendyol) createWebhook(w http.ResponseWriter, r *http.Request, _ time.Time) {
	var in struct {
		URL                string   `json:"url"`
		AuthenticationType string   `json:"authenticationType"`
		Username           string   `json:"username"`
		Password           string   `json:"password"`
		APIKey             string   `json:"apiKey"`
		SubscribedStatuses []string `json:"subscribedStatuses"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return
	}
	invalid := func(key, msg string) { tyErrors(w, http.StatusBadRequest, key, msg) }
	u, err := url.Parse(in.URL)
	local := err == nil && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1")
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && local)):
		invalid("webhook.url.invalid", "url must be an HTTPS address (the sandbox also takes http://localhost and http://127.0.0.1)")
		return
	case in.AuthenticationType == "BASIC_AUTHENTICATION" && (in.Username == "" || in.Password == ""):
		invalid("webhook.authentication.invalid", "username and password are required for BASIC_AUTHENTICATION")
		return
	case in.AuthenticationType == "API_KEY" && in.APIKey == "":
		invalid("webhook.authentication.invalid", "apiKey is required for API_KEY")
		return
	case in.AuthenticationType != "BASIC_AUTHENTICATION" && in.AuthenticationType != "API_KEY":
		invalid("webhook.authentication.invalid", "authenticationType must be BASIC_AUTHENTICATION or API_KEY")
		return
	}
	valid := map[string]bool{}
	all := make([]string, 0, len(trendyolWebhookStatuses))
	for _, s := range trendyolWebhookStatuses {
		valid[s] = true
		all = append(all, s)
	}
	sort.Strings(all)
	for _, s := range in.SubscribedStatuses {
		if !valid[s] {
			invalid("webhook.status.invalid", fmt.Sprintf("subscribedStatuses: unknown status %q (one of %s)", s, strings.Join(all, ", ")))
			return
		}
	}
	if len(in.SubscribedStatuses) == 0 {
		in.SubscribedStatuses = all
	}
	sid := r.PathValue("sid")
	if len(t.webhooks[sid]) >= trendyolMaxWebhooks {
		invalid("webhook.limit.exceeded", fmt.Sprintf("a seller may have at most %d webhooks", trendyolMaxWebhooks))
		return
	}
	t.nextHook++
	h := &tyWebhook{ID: fmt.Sprintf("%08x-7e1b-4d2a-8c3f-%012d", t.nextHook, t.nextHook), URL: in.URL,
		AuthenticationType: in.AuthenticationType, SubscribedStatuses: in.SubscribedStatuses, Status: "ACTIVE",
		password: in.Password, apiKey: in.APIKey}
	if in.AuthenticationType == "BASIC_AUTHENTICATION" {
		h.Username = in.Username
	}
	t.webhooks[sid] = append(t.webhooks[sid], h)
	writeJSON(w, http.StatusOK, map[string]any{"id": h.ID})
}

// listWebhooks is getWebhooks: the seller's webhooks, without their secrets.
func (t *trendyol) listWebhooks(w http.ResponseWriter, r *http.Request, _ time.Time) {
	out := []*tyWebhook{}
	out = append(out, t.webhooks[r.PathValue("sid")]...)
	writeJSON(w, http.StatusOK, out)
}

// notify queues a package (as it is now) for every webhook subscribed to its status.
// Callers hold mu; the deliveries run on their own goroutines without it.
func (t *trendyol) notify(pkg *TrendyolPackage) {
	status := trendyolWebhookStatuses[pkg.Status]
	var body []byte
	for _, h := range t.webhooks[t.opts.SellerID] {
		if !slices.Contains(h.SubscribedStatuses, status) {
			continue
		}
		if body == nil {
			var err error
			if body, err = json.Marshal(pkg); err != nil {
				return
			}
		}
		t.wmu.Lock()
		h.pending = append(h.pending, body)
		t.stats.Pending++
		if !h.running {
			h.running = true
			go t.drain(h)
		}
		t.wmu.Unlock()
	}
}

// drain delivers a webhook's queue in order, one delivery at a time, and ends when the
// queue is empty.
func (t *trendyol) drain(h *tyWebhook) {
	for {
		t.wmu.Lock()
		if len(h.pending) == 0 {
			h.running = false
			t.wmu.Unlock()
			return
		}
		body := h.pending[0]
		h.pending = h.pending[1:]
		t.wmu.Unlock()
		ok := t.deliver(h, body)
		t.wmu.Lock()
		t.stats.Pending--
		if ok {
			t.stats.Delivered++
		} else {
			t.stats.Failed++
		}
		t.wmu.Unlock()
	}
}

// deliver posts one package to a webhook with its configured authentication, retrying
// with a doubling backoff until a 2xx answer or the attempts run out.
func (t *trendyol) deliver(h *tyWebhook, body []byte) bool {
	wait := t.opts.WebhookBackoff
	for attempt := 0; attempt < t.opts.WebhookAttempts; attempt++ {
		if attempt > 0 {
			time.Sleep(wait)
			wait *= 2
		}
		t.wmu.Lock()
		t.stats.Attempts++
		t.wmu.Unlock()
		req, err := http.NewRequest(http.MethodPost, h.URL, bytes.NewReader(body))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Trendyol-Webhook-Sandbox")
		if h.AuthenticationType == "API_KEY" {
			req.Header.Set("x-api-key", h.apiKey)
		} else {
			req.SetBasicAuth(h.Username, h.password)
		}
		resp, err := t.opts.WebhookClient.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return true
		}
	}
	return false
}

func (t *trendyol) webhookStats() TrendyolWebhookStats {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	return t.stats
}

// TrendyolWebhookStats counts the Trendyol imitation's webhook deliveries.
func (s *Server) TrendyolWebhookStats() TrendyolWebhookStats {
	return s.ty().webhookStats()
}
