package catalog

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

func TestReadCSV(t *testing.T) {
	rows, err := ReadCSV(strings.NewReader("\ufeffsku,name,price,stock,marketplaces,attr:Color,photo_1,photo_2,keywords\n" +
		"A-1,Mug,19.9,3,\"Trendyol, amazon\",white,a.jpg,https://x/b.jpg,mug;cup\n" +
		",,,,,,,,\n" +
		"A-2,Plate,abc,-,,,c.jpg,,\n"))
	require.NoError(t, err)
	require.Len(t, rows, 2, "the blank row is skipped")
	assert.Equal(t, Row{Line: 2, Product: messages.Product{
		SKU: "A-1", Name: "Mug", Price: 19.9, Stock: 3, Marketplaces: []string{"trendyol", "amazon"},
		Attributes: map[string]string{"Color": "white"}, Keywords: []string{"mug", "cup"},
	}, Photos: []string{"a.jpg", "https://x/b.jpg"}}, rows[0])
	assert.Equal(t, 4, rows[1].Line)
	assert.Equal(t, []string{`price: "abc" is not a number`, `stock: "-" is not a whole number`}, rows[1].Problems)
	assert.Nil(t, rows[1].Product.Marketplaces, "an empty cell means every marketplace")
}

func TestReadCSVTurkish(t *testing.T) {
	rows, err := ReadCSV(strings.NewReader("Stok Kodu;Ürün Adı;Fiyat;Liste Fiyatı;Stok;Özellik:renk;Foto_1\n" +
		"B-1;Kupa;199,90;249,90;5;beyaz;k.jpg\n"))
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, messages.Product{SKU: "B-1", Name: "Kupa", Price: 199.9, ListPrice: 249.9, Stock: 5,
		Attributes: map[string]string{"renk": "beyaz"}}, rows[0].Product)
	assert.Equal(t, []string{"k.jpg"}, rows[0].Photos)
}

func TestReadHeaderProblems(t *testing.T) {
	for name, tt := range map[string]struct{ file, want string }{
		"empty":    {"", "empty file"},
		"unknown":  {"sku,name,price,photo_1,colour\n", `column 5 "colour" is not a catalogue column`},
		"missing":  {"sku,name,photo_1\n", "no price column"},
		"repeated": {"sku,name,price,photo_1,Photo 1\n", `column 5 "Photo 1" repeats photo_1`},
		"photo_9":  {"sku,name,price,photo_1,photo_9\n", `"photo_9" is not a catalogue column`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestTemplates reads both templates back: the example row is a product.
func TestTemplates(t *testing.T) {
	var c, x bytes.Buffer
	require.NoError(t, WriteCSVTemplate(&c))
	require.NoError(t, WriteXLSXTemplate(&x))
	fromCSV, err := Read(&c, "template.csv")
	require.NoError(t, err)
	fromXLSX, err := Read(&x, "template.XLSX")
	require.NoError(t, err)
	require.Len(t, fromCSV, 1)
	assert.Equal(t, fromCSV, fromXLSX)
	assert.Equal(t, "MUG-001", fromCSV[0].Product.SKU)
	assert.Equal(t, 199.9, fromCSV[0].Product.Price)
	assert.Equal(t, []string{"https://example.com/photos/mug-front.jpg", "mug-side.jpg"}, fromCSV[0].Photos)
	assert.Empty(t, fromCSV[0].Problems)

	_, err = Read(strings.NewReader("x"), "catalogue.ods")
	assert.ErrorContains(t, err, "want a .csv or .xlsx file")
}
