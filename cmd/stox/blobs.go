package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/blob/s3"
)

// Where listings' image URLs point (STOX_IMAGE_URLS).
const (
	imageURLsService   = "service"   // STOX_PUBLIC_BASE_URL/images/{key}, served by the image service
	imageURLsPresigned = "presigned" // S3 presigned GET URLs, valid STOX_IMAGE_URL_EXPIRY
	imageURLsPublic    = "public"    // STOX_IMAGE_PUBLIC_URL + key, from a public-read bucket
)

// maxPresignExpiry is the longest validity S3's signature version 4 accepts.
const maxPresignExpiry = 7 * 24 * time.Hour

// validateBlobs checks STOX_BLOB_URL and the image URL settings without connecting.
func (c Config) validateBlobs() []error {
	var errs []error
	if c.BlobURL != "" {
		if _, err := s3.ParseURL(c.BlobURL); err != nil {
			errs = append(errs, fmt.Errorf("STOX_BLOB_URL: %w", err))
		}
	}
	switch c.ImageURLs {
	case "", imageURLsService: // "" in a Config made in code: the default
	case imageURLsPresigned, imageURLsPublic:
		if c.BlobURL == "" {
			errs = append(errs, fmt.Errorf("STOX_IMAGE_URLS=%s needs STOX_BLOB_URL (an S3 blob store)", c.ImageURLs))
		}
	default:
		errs = append(errs, fmt.Errorf("STOX_IMAGE_URLS %q must be service, presigned or public", c.ImageURLs))
	}
	if c.ImageURLs == imageURLsPresigned && (c.ImageURLExpiry <= 0 || c.ImageURLExpiry > maxPresignExpiry) {
		errs = append(errs, errors.New("STOX_IMAGE_URL_EXPIRY must be positive and at most 168h"))
	}
	if c.ImagePublicURL != "" {
		if u, err := url.Parse(c.ImagePublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("STOX_IMAGE_PUBLIC_URL %q must be an http(s) URL", c.ImagePublicURL))
		}
	}
	return errs
}

// imageURL says where an image's URL in a listing points; nil: the image service.
type imageURL = func(ctx context.Context, key string) (string, error)

// openBlobs opens the blob store STOX_BLOB_URL names (the filesystem under
// STOX_DATA_DIR when empty) and returns the image URLs STOX_IMAGE_URLS asks for.
func openBlobs(ctx context.Context, cfg Config) (blob.Store, imageURL, error) {
	if cfg.BlobURL == "" {
		s, err := blob.NewFS(filepath.Join(cfg.DataDir, "blobs"))
		return s, nil, err
	}
	sc, err := s3.ParseURL(cfg.BlobURL)
	if err != nil {
		return nil, nil, err
	}
	// Spooled photos go to disk, not to a container's RAM-backed /tmp.
	sc.TempDir = filepath.Join(cfg.DataDir, "spool")
	s, err := s3.New(ctx, sc)
	if err != nil {
		return nil, nil, err
	}
	switch cfg.ImageURLs {
	case imageURLsPresigned:
		return s, func(ctx context.Context, key string) (string, error) {
			return s.PresignedURL(ctx, key, cfg.ImageURLExpiry)
		}, nil
	case imageURLsPublic:
		base := cfg.ImagePublicURL
		if base == "" {
			base = sc.BaseURL()
		}
		base = strings.TrimRight(base, "/") + "/"
		return s, func(_ context.Context, key string) (string, error) {
			if err := blob.ValidateKey(key); err != nil {
				return "", err
			}
			return base + s.Object(key), nil
		}, nil
	}
	return s, nil, nil
}
