package s3

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Config is where the store is and how it talks to it.
type Config struct {
	Bucket string
	// Prefix is put before every key ("stox/"); empty or ending in a slash.
	Prefix string
	// Endpoint is host[:port] of the S3 API; Amazon S3 when empty in a URL.
	Endpoint string
	Secure   bool
	Region   string
	Creds    *credentials.Credentials
	// Retries is how many times a request answered 429, 5xx or not at all is retried,
	// with exponential backoff (200 ms doubling, 1 s at most, jittered).
	Retries int
	// CheckTimeout bounds New's check that the bucket is reachable.
	CheckTimeout time.Duration
	// TempDir is where PutStream spools a blob while hashing it; "" is os.TempDir,
	// often a RAM-backed tmpfs in a container, so the caller gives a disk directory.
	TempDir string
	// Transport is the HTTP transport; nil is minio-go's default.
	Transport http.RoundTripper
}

// DefaultRetries is how many times a failed request is retried unless the URL says.
const DefaultRetries = 4

// ParseURL reads s3://bucket/prefix?endpoint=host:port&region=…&insecure=true&retries=4
// with credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
// endpoint may be given as http://host:port (plain HTTP, as insecure=true) or
// https://host:port; without it the store is Amazon S3.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("blob URL: %w", err)
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("blob URL %q: want s3://bucket/prefix?endpoint=host:port", u.Redacted())
	}
	if u.User != nil {
		return Config{}, errors.New("blob URL: credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not the URL")
	}
	if err := s3utils.CheckValidBucketNameStrict(u.Host); err != nil {
		return Config{}, fmt.Errorf("blob URL: bucket %q: %w", u.Host, err)
	}
	cfg := Config{
		Bucket:       u.Host,
		Prefix:       strings.Trim(u.Path, "/"),
		Endpoint:     "s3.amazonaws.com",
		Secure:       true,
		Creds:        credentials.NewEnvAWS(),
		Retries:      DefaultRetries,
		CheckTimeout: 10 * time.Second,
	}
	if cfg.Prefix != "" {
		cfg.Prefix += "/"
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "endpoint", "region", "insecure", "retries":
		default:
			return Config{}, fmt.Errorf("blob URL: unknown parameter %q (endpoint, region, insecure, retries)", k)
		}
	}
	if err := cfg.endpoint(q.Get("endpoint")); err != nil {
		return Config{}, err
	}
	cfg.Region = q.Get("region")
	if v := q.Get("insecure"); v != "" {
		insecure, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("blob URL: insecure=%q: want true or false", v)
		}
		cfg.Secure = cfg.Secure && !insecure
	}
	if v := q.Get("retries"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 20 {
			return Config{}, fmt.Errorf("blob URL: retries=%q: want 0 to 20", v)
		}
		cfg.Retries = n
	}
	return cfg, nil
}

// endpoint sets Endpoint and Secure from host:port or http(s)://host:port.
func (c *Config) endpoint(v string) error {
	if v == "" {
		return nil
	}
	if strings.Contains(v, "://") {
		e, err := url.Parse(v)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || strings.Trim(e.Path, "/") != "" {
			return fmt.Errorf("blob URL: endpoint %q: want host:port or http(s)://host:port", v)
		}
		c.Endpoint, c.Secure = e.Host, e.Scheme == "https"
		return nil
	}
	if strings.ContainsAny(v, "/?#@ ") {
		return fmt.Errorf("blob URL: endpoint %q: want host:port or http(s)://host:port", v)
	}
	c.Endpoint = v
	return nil
}

// BaseURL is where the bucket's objects are on the endpoint, path-style:
// http(s)://endpoint/bucket/. A public-read bucket serves an object (Store.Object) at
// BaseURL + its name.
func (c Config) BaseURL() string {
	scheme := "https"
	if !c.Secure {
		scheme = "http"
	}
	return scheme + "://" + c.Endpoint + "/" + c.Bucket + "/"
}
