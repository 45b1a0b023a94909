package catalog

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/stox-dev/stox/messages"
)

// TestReadXLSXFromASpreadsheetProgram reads a workbook as a spreadsheet program writes
// it (excelize, only in this test: shared strings, numbers as numbers, empty cells
// and rows left out): values as stored, rows numbered as the sheet numbers them.
func TestReadXLSXFromASpreadsheetProgram(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	set := func(cell string, v any) { require.NoError(t, f.SetCellValue(sheet, cell, v)) }
	for i, h := range []string{"sku", "name", "price", "stock", "attr:barcode", "photo_1"} {
		name, err := excelize.CoordinatesToCellName(i+1, 1)
		require.NoError(t, err)
		set(name, h)
	}
	set("A2", "X-1")
	set("B2", "Kupa")
	set("C2", 199.9)
	set("D2", 5)
	set("E2", "0869000000017") // text: the leading zero stays
	set("F2", "k.jpg")
	// row 3 left empty; row 4 without a stock cell
	set("A4", "X-2")
	set("B4", "Tabak")
	set("C4", 49)
	set("F4", "t.jpg")
	style, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // shown "199.90", stored 199.9
	require.NoError(t, err)
	require.NoError(t, f.SetCellStyle(sheet, "C2", "C4", style))
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))

	rows, err := Read(&b, "catalogue.xlsx")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, 2, rows[0].Line)
	assert.Equal(t, messages.Product{SKU: "X-1", Name: "Kupa", Price: 199.9, Stock: 5,
		Attributes: map[string]string{"barcode": "0869000000017"}}, rows[0].Product)
	assert.Equal(t, 4, rows[1].Line, "the empty row 3 keeps row 4's number")
	assert.Equal(t, 49.0, rows[1].Product.Price)
	assert.Equal(t, []string{"t.jpg"}, rows[1].Photos)
}

// TestXLSXTemplateOpens: the template written without a spreadsheet library opens in
// one, with the header and the example row.
func TestXLSXTemplateOpens(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteXLSXTemplate(&b))
	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	got, err := f.GetRows("Products")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, Columns, got[0])
	assert.Equal(t, example[:len(got[1])], got[1])
}

// TestReadXLSXBomb: a workbook that unzips past the limit is refused before it is read.
func TestReadXLSXBomb(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	big := bytes.Repeat([]byte("a"), 32000)
	for r := 1; r <= 2200; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		require.NoError(t, f.SetCellValue("Sheet1", cell, string(big[:32000-r])))
	}
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))
	_, err := Read(&b, "bomb.xlsx")
	assert.ErrorContains(t, err, "unzips to more than 64 MiB")
}
