package sandbox

import (
	"context"
	"fmt"
	"image"
	_ "image/gif" // formats the marketplaces take
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "golang.org/x/image/webp"
)

// maxImageBytes is the most the sandbox reads of one image (Amazon's limit is 10 MB).
const maxImageBytes = 10 << 20

// images fetches the image URLs of listings the way the marketplaces do, and
// remembers what it found for each URL (Stox's image keys are content addresses, so
// a URL that was an image once stays that image).
type images struct {
	client *http.Client

	mu   sync.Mutex
	seen map[string]image.Config
}

func newImages(c *http.Client) *images {
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return &images{client: c, seen: map[string]image.Config{}}
}

// check fetches rawURL and returns why the marketplace would refuse it ("" when it
// would not): an address that is neither HTTPS nor on this machine (a loopback
// address stands for the seller's own public host in a demo, and is the only place
// plain HTTP is taken), an image that cannot be fetched, bytes that are not an image,
// or one whose shorter side is below minSide pixels.
func (im *images) check(ctx context.Context, rawURL string, minSide int) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname()))) {
		return fmt.Sprintf("%q must be an HTTPS address", rawURL)
	}
	im.mu.Lock()
	cfg, ok := im.seen[rawURL]
	im.mu.Unlock()
	if !ok {
		if cfg, err = im.fetch(ctx, rawURL); err != nil {
			return fmt.Sprintf("image %s could not be used: %v", rawURL, err)
		}
		im.mu.Lock()
		im.seen[rawURL] = cfg
		im.mu.Unlock()
	}
	if min(cfg.Width, cfg.Height) < minSide {
		return fmt.Sprintf("image %s is %d×%d pixels; at least %d×%d are required", rawURL, cfg.Width, cfg.Height, minSide, minSide)
	}
	return ""
}

func (im *images) fetch(ctx context.Context, rawURL string) (image.Config, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return image.Config{}, err
	}
	resp, err := im.client.Do(req)
	if err != nil {
		return image.Config{}, fmt.Errorf("unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return image.Config{}, fmt.Errorf("answered HTTP %d", resp.StatusCode)
	}
	cfg, _, err := image.DecodeConfig(io.LimitReader(resp.Body, maxImageBytes))
	if err != nil {
		return image.Config{}, fmt.Errorf("not an image (%s)", strings.TrimPrefix(err.Error(), "image: "))
	}
	return cfg, nil
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
