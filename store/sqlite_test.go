package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.Open(context.Background(), "", t.TempDir())
		require.NoError(t, err)
		return s
	})
}

func TestSQLiteReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s, err := store.Open(ctx, "", dir)
	require.NoError(t, err)
	id, rev, err := s.PutProduct(ctx, store.NewProduct{ID: "p1", Product: product("SKU-1")})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = store.Open(ctx, "", dir)
	require.NoError(t, err, "migrations apply once")
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	p, err := s.Product(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, rev, p.Revision)
	assert.Equal(t, "SKU-1", p.Product.SKU)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7}, sqliteMigrations(t, filepath.Join(dir, store.SQLiteFile)))
}

func TestSQLiteConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const n = 4
	stores := make([]store.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = store.Open(ctx, "", dir) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { assert.NoError(t, stores[i].Close()) })
	}
	// Two handles on one file, as two processes would have: both write.
	_, _, err := stores[0].PutProduct(ctx, store.NewProduct{ID: "p1", Product: product("SKU-1")})
	require.NoError(t, err)
	_, rev, err := stores[1].PutProduct(ctx, store.NewProduct{ID: "p2", Product: product("SKU-1")})
	require.NoError(t, err)
	assert.Equal(t, 2, rev)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7}, sqliteMigrations(t, filepath.Join(dir, store.SQLiteFile)))
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"mysql", "mysql://root@localhost/stox"},
		{"sqlite scheme", "sqlite:///tmp/stox.db"},
		{"bare path", "/tmp/stox.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.Open(context.Background(), tt.url, t.TempDir())
			assert.ErrorContains(t, err, "not supported")
			assert.Nil(t, s)
		})
	}
}

func sqliteMigrations(t *testing.T, path string) []int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	return versions(t, db)
}
