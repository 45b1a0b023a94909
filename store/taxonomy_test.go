package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

func TestSQLiteTaxonomy(t *testing.T) {
	storetest.RunTaxonomy(t, func(t *testing.T) store.Stores {
		s, err := store.Open(context.Background(), "", t.TempDir())
		require.NoError(t, err)
		return s
	})
}

func TestPostgresTaxonomy(t *testing.T) {
	storetest.RunTaxonomy(t, func(t *testing.T) store.Stores {
		s, err := store.Open(context.Background(), storetest.PostgresSchemaURL(t), "")
		require.NoError(t, err)
		return s
	})
}
