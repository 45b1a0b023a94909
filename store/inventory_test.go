package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

func TestSQLiteInventory(t *testing.T) {
	storetest.RunInventory(t, func(t *testing.T) store.Stores {
		s, err := store.Open(context.Background(), "", t.TempDir())
		require.NoError(t, err)
		return s
	})
}

func TestPostgresInventory(t *testing.T) {
	storetest.RunInventory(t, func(t *testing.T) store.Stores {
		s, err := store.Open(context.Background(), storetest.PostgresSchemaURL(t), "")
		require.NoError(t, err)
		return s
	})
}

func TestSQLiteOutbox(t *testing.T) {
	storetest.RunOutbox(t, func(t *testing.T) store.Stores {
		s, err := store.Open(context.Background(), "", t.TempDir())
		require.NoError(t, err)
		return s
	})
}

func TestPostgresOutbox(t *testing.T) {
	storetest.RunOutbox(t, func(t *testing.T) store.Stores {
		s, err := store.Open(context.Background(), storetest.PostgresSchemaURL(t), "")
		require.NoError(t, err)
		return s
	})
}
