package marketplacetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/taxonomy"
)

// RunTaxonomy checks that a client reads a well-formed taxonomy from sb (a tree whose
// parents come first, leaves with definitions) and that sb refuses listings that break
// it, each with a reason naming the problem: a category that is not a leaf, a missing
// required attribute, a value outside an attribute's allowed values, and (where the
// marketplace keys brands by ID) an unknown brand. valid is as for Run, and its
// listings must carry at least one required attribute with catalogued values.
func RunTaxonomy(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()
	c := newClient(t)
	src, ok := c.(taxonomy.Source)
	require.True(t, ok, "%s client does not read its taxonomy", c.Name())

	cats, err := src.Categories(ctx)
	require.NoError(t, err)
	byID := checkTree(t, cats)
	base := valid("taxonomy")
	attrs := checkDefinition(t, src, byID, base)

	t.Run("a category that is not a leaf is refused", func(t *testing.T) {
		i := slices.IndexFunc(cats, func(c taxonomy.Category) bool { return !c.Leaf })
		if i < 0 {
			t.Skip("every category of this marketplace is a leaf")
		}
		l := valid("nonleaf")
		l.CategoryID = cats[i].ID
		rejected(t, c, sb, l, cats[i].ID, cats[i].Name)
	})

	// required is a required attribute of the valid listing with catalogued values.
	i := slices.IndexFunc(base.Mapped, func(m marketplace.MappedAttribute) bool {
		a := attrs[m.ID]
		return a.Required && len(a.Values) > 0 && !a.AllowCustom
	})
	require.GreaterOrEqual(t, i, 0, "the valid listing of category %s maps no required attribute with catalogued values", base.CategoryID)
	required := attrs[base.Mapped[i].ID]

	t.Run("a missing required attribute is refused", func(t *testing.T) {
		l := valid("missing")
		l.Mapped = slices.DeleteFunc(slices.Clone(l.Mapped), func(m marketplace.MappedAttribute) bool { return m.ID == required.ID })
		rejected(t, c, sb, l, required.Name, required.ID)
	})

	t.Run("a value outside the allowed values is refused", func(t *testing.T) {
		l := valid("enum")
		l.Mapped = slices.Clone(l.Mapped)
		for j := range l.Mapped {
			if l.Mapped[j].ID == required.ID {
				l.Mapped[j] = marketplace.MappedAttribute{ID: required.ID, Name: required.Name, ValueIDs: []string{"987654321"}, Value: "Böyle Bir Değer Yok"}
			}
		}
		rejected(t, c, sb, l, required.Name, required.ID)
	})

	t.Run("an unknown brand is refused", func(t *testing.T) {
		var first []taxonomy.Brand
		errStop := errors.New("first page is enough")
		err := src.Brands(ctx, func(bs []taxonomy.Brand) error { first = bs; return errStop })
		if !errors.Is(err, errStop) {
			require.NoError(t, err)
		}
		if len(first) == 0 {
			t.Skip("this marketplace takes the brand as text")
		}
		require.NotEmpty(t, base.BrandID, "the valid listing has no brand ID")
		l := valid("brand")
		l.BrandID = "987654321"
		rejected(t, c, sb, l, "987654321", "brand", "marka", "Marka")
	})
}

// checkTree checks that cats is a tree listed parents first (each category once, its
// path its parent's plus its own name, no leaf a parent) with at least one leaf, and
// returns the categories by ID.
func checkTree(t *testing.T, cats []taxonomy.Category) map[string]taxonomy.Category {
	t.Helper()
	require.NotEmpty(t, cats)
	seen := map[string]taxonomy.Category{}
	leaves := 0
	for _, cat := range cats {
		require.NotEmpty(t, cat.ID)
		require.NotContains(t, seen, cat.ID, "category %s twice", cat.ID)
		require.NotEmpty(t, cat.Path, "category %s has no path", cat.ID)
		assert.Equal(t, cat.Name, cat.Path[len(cat.Path)-1], "category %s: its path ends with its own name", cat.ID)
		if cat.ParentID != "" {
			parent, ok := seen[cat.ParentID]
			require.True(t, ok, "category %s comes before its parent %s", cat.ID, cat.ParentID)
			assert.False(t, parent.Leaf, "category %s has a leaf for a parent", cat.ID)
			assert.Equal(t, parent.Path, cat.Path[:len(cat.Path)-1], "category %s: its path continues its parent's", cat.ID)
		}
		if cat.Leaf {
			leaves++
		}
		seen[cat.ID] = cat
	}
	require.Positive(t, leaves)
	return seen
}

// checkDefinition checks that the valid listing base is in a leaf of byID whose
// definition has every attribute base maps, and returns that definition's attributes
// by ID.
func checkDefinition(t *testing.T, src taxonomy.Source, byID map[string]taxonomy.Category, base marketplace.Listing) map[string]taxonomy.Attribute {
	t.Helper()
	require.NotEmpty(t, base.CategoryID, "the valid listing is not mapped")
	require.True(t, byID[base.CategoryID].Leaf, "the valid listing's category %s is not a leaf", base.CategoryID)
	def, err := src.Definition(context.Background(), base.CategoryID)
	require.NoError(t, err)
	assert.Equal(t, base.CategoryID, def.CategoryID)
	attrs := map[string]taxonomy.Attribute{}
	for _, a := range def.Attributes {
		attrs[a.ID] = a
	}
	for _, m := range base.Mapped {
		assert.Contains(t, attrs, m.ID, "the valid listing maps %s, which category %s does not have", m.ID, base.CategoryID)
	}
	return attrs
}

// rejected submits l through c and checks that sb rejects it with a reason naming
// one of names.
func rejected(t *testing.T, c marketplace.Client, sb *sandbox.Server, l marketplace.Listing, names ...string) {
	t.Helper()
	state, reasons := Outcome(t, c, sb, l)
	require.Equal(t, marketplace.SubmissionRejected, state)
	text := strings.Join(reasons, "; ")
	assert.True(t, slices.ContainsFunc(names, func(n string) bool { return n != "" && strings.Contains(text, n) }),
		"reasons %q name none of %q", reasons, names)
}
