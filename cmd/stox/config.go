package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Common is the configuration every service shares.
type Common struct {
	AMQPURL     string        `envconfig:"STOX_AMQP_URL" desc:"RabbitMQ URL; empty means the in-memory transport (one process only)"`
	AMQPQuorum  bool          `envconfig:"STOX_AMQP_QUORUM" desc:"declare quorum queues (a cluster) instead of classic ones (one node)"`
	AMQPPool    int           `envconfig:"STOX_AMQP_CHANNEL_POOL" default:"4" desc:"publisher channels per exchange, each with any number of publishes awaiting confirms"`
	Prefetch    int           `envconfig:"STOX_AMQP_PREFETCH" default:"32" desc:"messages prefetched per worker (the image stage's workers prefetch one)"`
	Prefix      string        `envconfig:"STOX_PREFIX" desc:"prefix of every exchange and queue name, joined with a dot (nc: nc.stox.images)"`
	DatabaseURL string        `envconfig:"STOX_DATABASE_URL" desc:"postgres:// URL; empty means SQLite under STOX_DATA_DIR"`
	DataDir     string        `envconfig:"STOX_DATA_DIR" default:"./data" desc:"blobs (photos, images) and the SQLite file"`
	BlobURL     string        `envconfig:"STOX_BLOB_URL" desc:"s3://bucket/prefix?endpoint=host:port of an S3-compatible blob store (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); empty means STOX_DATA_DIR/blobs"`
	AdminAddr   string        `envconfig:"STOX_ADMIN_ADDR" default:"127.0.0.1:9090" desc:"/healthz, /readyz and Prometheus /metrics"`
	AdminKey    string        `envconfig:"STOX_ADMIN_KEY" desc:"bearer key the admin routes but /healthz, /readyz and the marketplaces' webhooks require (401 without it); empty: open"`
	LogFormat   string        `envconfig:"STOX_LOG_FORMAT" default:"text" desc:"text or json"`
	LogLevel    string        `envconfig:"STOX_LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	Timeout     time.Duration `envconfig:"STOX_HANDLER_TIMEOUT" default:"2m" desc:"time one handler attempt may take"`
	MaxRetries  int           `envconfig:"STOX_MAX_RETRIES" default:"5" desc:"retries of a failed message before its poison queue"`
}

// Config is the whole configuration; each service reads the part it needs.
type Config struct {
	Common
	Marketplaces
	StatusConfig
	HTTPAddr      string   `envconfig:"STOX_HTTP_ADDR" default:"127.0.0.1:8080" desc:"image service HTTP API"`
	APIKeys       []string `envconfig:"STOX_API_KEYS" desc:"comma-separated bearer keys of the API; required by serve image"`
	APIKeyRate    float64  `envconfig:"STOX_API_KEY_RATE" default:"0" desc:"requests a second each API key may send under /v1 on average (over it: 429 with Retry-After); 0: no limit"`
	APIKeyBurst   int      `envconfig:"STOX_API_KEY_BURST" default:"20" desc:"requests each API key may send at once when STOX_API_KEY_RATE limits it"`
	PublicBaseURL string   `envconfig:"STOX_PUBLIC_BASE_URL" desc:"base URL marketplaces fetch /images/{key} from; default http://STOX_HTTP_ADDR"`
	Workers       int      `envconfig:"STOX_WORKERS" desc:"ai workers in this process; default GOMAXPROCS"`
	MaxPixels     int      `envconfig:"STOX_MAX_PIXELS" default:"50000000" desc:"largest photo accepted, in pixels"`
	MaxPhotoBytes int64    `envconfig:"STOX_MAX_PHOTO_BYTES" default:"20971520" desc:"largest photo accepted, in bytes"`
	UploadMemory  int64    `envconfig:"STOX_UPLOAD_MEMORY" default:"134217728" desc:"bytes of photos all uploads together may hold in memory; at least STOX_MAX_PHOTO_BYTES"`
	LLMURL        string   `envconfig:"STOX_LLM_URL" desc:"base URL of an OpenAI-compatible endpoint the seo service asks for listing text; empty means off"`
	LLMAPIKey     string   `envconfig:"STOX_LLM_API_KEY" desc:"bearer key of STOX_LLM_URL"`
	LLMModel      string   `envconfig:"STOX_LLM_MODEL" desc:"model name sent to STOX_LLM_URL; required with it"`

	// Where listings' image URLs point (see README, "Shared object storage").
	ImageURLs      string        `envconfig:"STOX_IMAGE_URLS" default:"service" desc:"where listings' image URLs point: service (STOX_PUBLIC_BASE_URL/images/{key}), presigned or public (S3 object URLs; need STOX_BLOB_URL)"`
	ImageURLExpiry time.Duration `envconfig:"STOX_IMAGE_URL_EXPIRY" default:"168h" desc:"validity of presigned image URLs, at most 168h (S3's limit)"`
	ImagePublicURL string        `envconfig:"STOX_IMAGE_PUBLIC_URL" desc:"base URL of the bucket with STOX_IMAGE_URLS=public (a CDN's, say): an image's URL is it + the blob URL's prefix + key; default the endpoint's URL of the bucket"`

	// The API's time limit; its size limits are fixed per route (see README, "Limits").
	APITimeout time.Duration `envconfig:"STOX_API_REQUEST_TIMEOUT" default:"30s" desc:"time an API request other than an upload may take (over it: 503 with Retry-After); uploads are paced instead"`
}

// StatusConfig is where `stox status` and `stox monitor` look.
type StatusConfig struct {
	StatusTargets  []string `envconfig:"STOX_STATUS_TARGETS" default:"127.0.0.1:9090" desc:"comma-separated admin addresses (host:port) stox status and monitor ask; a name resolving to several addresses is that many replicas"`
	RabbitMQAPIURL string   `envconfig:"STOX_RABBITMQ_API_URL" desc:"RabbitMQ management API stox status and monitor ask for queues; default: STOX_AMQP_URL's host on port 15672 with its user"`
}

// loadConfig reads the environment once and checks it.
func loadConfig() (Config, error) {
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if c.PublicBaseURL == "" {
		c.PublicBaseURL = "http://" + c.HTTPAddr
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if c.AMQPURL != "" {
		if u, err := url.Parse(c.AMQPURL); err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") {
			errs = append(errs, errors.New("STOX_AMQP_URL must be an amqp:// or amqps:// URL"))
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("STOX_DATABASE_URL must be a postgres:// URL or empty for SQLite"))
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("STOX_PUBLIC_BASE_URL %q must be an http(s) URL", c.PublicBaseURL))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("STOX_LOG_FORMAT %q must be text or json", c.LogFormat))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.Workers < 0 || c.AMQPPool < 1 || c.Prefetch < 1 || c.MaxRetries < 0 || c.Timeout <= 0 {
		errs = append(errs, errors.New("STOX_WORKERS ≥ 0, STOX_AMQP_CHANNEL_POOL ≥ 1, STOX_AMQP_PREFETCH ≥ 1, STOX_MAX_RETRIES ≥ 0 and STOX_HANDLER_TIMEOUT > 0 are required"))
	}
	if c.LLMURL != "" {
		if u, err := url.Parse(c.LLMURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("STOX_LLM_URL must be an http(s) URL or empty"))
		}
		if c.LLMModel == "" {
			errs = append(errs, errors.New("STOX_LLM_MODEL is required with STOX_LLM_URL"))
		}
	}
	errs = append(errs, c.validateBlobs()...)
	if c.APITimeout <= 0 {
		errs = append(errs, errors.New("STOX_API_REQUEST_TIMEOUT must be positive"))
	}
	for _, k := range [][2]string{{"STOX_ADMIN_KEY", c.AdminKey}, {"STOX_SANDBOX_KEY", c.SandboxKey}} {
		if k[1] != "" && (len(k[1]) < 16 || strings.ContainsAny(k[1], " \t\r\n")) {
			errs = append(errs, fmt.Errorf("%s must be at least 16 characters without white space, or empty", k[0]))
		}
	}
	for _, k := range c.APIKeys {
		if len(k) < 16 {
			errs = append(errs, errors.New("every STOX_API_KEYS key must be at least 16 characters"))
			break
		}
	}
	return errors.Join(errs...)
}

// redacted is the configuration as it may be logged: passwords and keys hidden.
func (c Config) redacted() []any {
	keys := make([]string, len(c.APIKeys))
	for i := range keys {
		keys[i] = "***"
	}
	return []any{
		"amqp_url", redactURL(c.AMQPURL), "database_url", redactURL(c.DatabaseURL),
		"data_dir", c.DataDir, "blob_url", c.BlobURL, "image_urls", c.ImageURLs, "prefix", c.Prefix, "quorum", c.AMQPQuorum,
		"http_addr", c.HTTPAddr, "admin_addr", c.AdminAddr, "public_base_url", c.PublicBaseURL,
		"api_keys", keys, "admin_key", c.AdminKey != "", "sandbox_key", c.SandboxKey != "", "llm_url", redactURL(c.LLMURL), "llm_model", c.LLMModel, "workers", c.Workers, "timeout", c.Timeout, "max_retries", c.MaxRetries,
	}
}

func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("STOX_LOG_LEVEL %q must be debug, info, warn or error", s)
	}
	return l, nil
}

func newLogger(c Config) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// printEnv writes every variable with its default and meaning.
func printEnv() error {
	return writeEnv(os.Stdout, reflect.TypeFor[Config]())
}

// writeEnv writes a line per field of struct t (embedded structs' fields in place):
// its variable, default and description, tab-separated. It reads the struct tags
// itself: envconfig.Usage runs text/template, whose method calls by name make the
// linker keep every exported method of every type, 3 MB of the binary.
func writeEnv(w io.Writer, t reflect.Type) error {
	for f := range t.Fields() {
		if f.Anonymous {
			if err := writeEnv(w, f.Type); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\n", f.Tag.Get("envconfig"), f.Tag.Get("default"), f.Tag.Get("desc")); err != nil {
			return err
		}
	}
	return nil
}
