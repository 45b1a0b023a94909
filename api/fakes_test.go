package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// memStore is an in-memory store.Store with the contract's revision rules for the
// catalog methods the API uses. The embedded nil Store stands for the methods the API
// never calls (they panic if called), so the fake keeps compiling as the interface grows.
type memStore struct {
	store.Store
	mu       sync.Mutex
	clock    time.Time
	products map[string]*store.Product
	bySKU    map[string]string
	puts     int
}

var _ store.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{
		clock:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		products: map[string]*store.Product{},
		bySKU:    map[string]string{},
	}
}

// tick advances the store's clock, so creation times are distinct and ordered.
func (s *memStore) tick() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

func (s *memStore) PutProduct(_ context.Context, p store.NewProduct) (string, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" || p.Product.SKU == "" {
		return "", 0, fmt.Errorf("put product: empty ID or SKU")
	}
	s.puts++
	now := s.tick()
	id, ok := s.bySKU[p.Product.SKU]
	if !ok {
		id = p.ID
		s.bySKU[p.Product.SKU] = id
		s.products[id] = &store.Product{ID: id, CreatedAt: now}
	}
	sp := s.products[id]
	sp.Revision++
	sp.Product = p.Product
	sp.Photos = slices.Clone(p.Photos)
	sp.Stages = map[string]store.Stage{
		store.StageImages: {State: store.StatePending, UpdatedAt: now},
		store.StageSEO:    {State: store.StatePending, UpdatedAt: now},
	}
	sp.Images = []messages.Image{}
	sp.Analysis = []messages.Analysis{}
	sp.Texts = map[string]messages.ListingText{}
	sp.Listings = map[string]store.Listing{}
	sp.UpdatedAt = now
	return id, sp.Revision, nil
}

func (s *memStore) Product(_ context.Context, id string) (store.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return store.Product{}, fmt.Errorf("product %s: %w", id, store.ErrNotFound)
	}
	return *p, nil
}

func (s *memStore) Products(_ context.Context, limit int, after string) ([]store.Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit < 1 {
		return nil, fmt.Errorf("products: limit %d is not positive", limit)
	}
	all := make([]*store.Product, 0, len(s.products))
	for _, p := range s.products {
		all = append(all, p)
	}
	slices.SortFunc(all, func(a, b *store.Product) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	start := 0
	if after != "" {
		i := slices.IndexFunc(all, func(p *store.Product) bool { return p.ID == after })
		if i < 0 {
			return nil, fmt.Errorf("after %s: %w", after, store.ErrNotFound)
		}
		start = i + 1
	}
	var list []store.Summary
	for _, p := range all[start:] {
		if len(list) == limit {
			break
		}
		list = append(list, store.Summary{
			ID: p.ID, SKU: p.Product.SKU, Name: p.Product.Name, Revision: p.Revision,
			Stages: p.Stages, CreatedAt: p.CreatedAt,
		})
	}
	return list, nil
}

// current returns the product at revision, or nil when it is not the current one.
func (s *memStore) current(id string, revision int) *store.Product {
	p, ok := s.products[id]
	if !ok || p.Revision != revision {
		return nil
	}
	return p
}

func (s *memStore) SetStage(_ context.Context, id string, revision int, stage string, st store.Stage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.current(id, revision); p != nil {
		p.Stages[stage] = st
	}
	return nil
}

func (s *memStore) PutImages(_ context.Context, id string, revision int, images []messages.Image, analysis []messages.Analysis) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.current(id, revision); p != nil { // as the stores do: never null
		p.Images, p.Analysis = append([]messages.Image{}, images...), append([]messages.Analysis{}, analysis...)
	}
	return nil
}

func (s *memStore) PutTexts(_ context.Context, id string, revision int, texts map[string]messages.ListingText) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.current(id, revision); p != nil {
		p.Texts = texts
	}
	return nil
}

func (s *memStore) SetListing(_ context.Context, id string, revision int, marketplace string, l store.Listing) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.current(id, revision); p != nil {
		p.Listings[marketplace] = l
	}
	return nil
}

func (s *memStore) Close() error { return nil }

// putCount is how many times PutProduct was called.
func (s *memStore) putCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.puts
}

// memBlobs is an in-memory blob.Store with content-addressed keys.
type memBlobs struct {
	mu   sync.Mutex
	data map[string][]byte
	puts int
}

var _ blob.Store = (*memBlobs)(nil)

func newMemBlobs() *memBlobs { return &memBlobs{data: map[string][]byte{}} }

func (b *memBlobs) Put(_ context.Context, data []byte, ext string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.puts++
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:]) + "." + strings.ToLower(strings.TrimPrefix(ext, "."))
	if err := blob.ValidateKey(key); err != nil {
		return "", fmt.Errorf("put blob: %w", err)
	}
	b.data[key] = bytes.Clone(data)
	return key, nil
}

func (b *memBlobs) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.data[key]
	if !ok {
		return nil, fmt.Errorf("get blob %s: %w", key, blob.ErrNotFound)
	}
	return bytes.Clone(d), nil
}

func (b *memBlobs) Open(_ context.Context, key string) (io.ReadSeekCloser, int64, error) {
	if err := blob.ValidateKey(key); err != nil {
		return nil, 0, fmt.Errorf("open blob: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.data[key]
	if !ok {
		return nil, 0, fmt.Errorf("open blob %s: %w", key, blob.ErrNotFound)
	}
	return nopCloser{bytes.NewReader(d)}, int64(len(d)), nil
}

// counts returns how many times Put was called and how many blobs are held.
func (b *memBlobs) counts() (puts, held int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.puts, len(b.data)
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// publisher records published messages and fails with err when set.
type publisher struct {
	mu   sync.Mutex
	err  error
	sent []messages.ImageUploadV1
	hits int
}

func (p *publisher) Publish(_ context.Context, m messages.ImageUploadV1) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits++
	if p.err != nil {
		return p.err
	}
	p.sent = append(p.sent, m)
	return nil
}

// calls returns how many times Publish was called and the messages it took.
func (p *publisher) calls() (int, []messages.ImageUploadV1) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits, slices.Clone(p.sent)
}
