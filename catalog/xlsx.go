package catalog

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/thedatashed/xlsxreader"
)

// xlsxUnzipLimit bounds what an XLSX file may unzip to, so a small file cannot
// expand into gigabytes.
const xlsxUnzipLimit = 64 << 20

// ReadXLSX reads the first sheet of an XLSX catalogue with xlsxreader, a small
// read-only library (excelize, which also writes workbooks, made the stox binary
// 4.8 MB larger). Cells are read as stored, not as displayed: a price formatted
// "₺199,90" is read as 199.9. Rows keep their sheet numbers, empty ones included, so
// a bad row is named by the number the seller sees.
func ReadXLSX(r io.Reader) ([]Row, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read xlsx: %w", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("read xlsx: not an XLSX workbook (%w)", err)
	}
	var total uint64
	for _, f := range zr.File {
		if total += f.UncompressedSize64; total > xlsxUnzipLimit {
			return nil, fmt.Errorf("read xlsx: unzips to more than %d MiB", xlsxUnzipLimit>>20)
		}
	}
	x, err := xlsxreader.NewReaderZip(zr)
	if err != nil {
		return nil, fmt.Errorf("read xlsx: %w", err)
	}
	if len(x.Sheets) == 0 {
		return nil, fmt.Errorf("read xlsx: no sheet")
	}
	var records [][]string
	var rowErr error
	for row := range x.ReadRows(x.Sheets[0]) { // drained to the end: its goroutine stops then
		if row.Error != nil {
			rowErr = row.Error
			continue
		}
		if rowErr != nil || len(records) > MaxRows+1 {
			continue
		}
		for len(records) > 0 && len(records) < row.Index-1 {
			records = append(records, nil) // an empty row the sheet leaves out
		}
		records = append(records, cells(row.Cells))
	}
	if rowErr != nil {
		return nil, fmt.Errorf("read xlsx sheet %q: %w", x.Sheets[0], rowErr)
	}
	return fromRecords(records)
}

// cells places a row's cells by their columns: a sheet leaves empty cells out.
func cells(cs []xlsxreader.Cell) []string {
	var rec []string
	for _, c := range cs {
		i := c.ColumnIndex()
		for len(rec) <= i {
			rec = append(rec, "")
		}
		rec[i] = c.Value
	}
	return rec
}

// example is the template's example row, in the order of Columns.
var example = []string{
	"MUG-001", "Ceramic mug 350 ml", "Stox", "kitchen", "199.90", "249.90", "TRY", "25",
	"mug;ceramic", "trendyol,hepsiburada,amazon", "8690000000017", "white",
	"https://example.com/photos/mug-front.jpg", "mug-side.jpg", "", "", "", "", "", "",
}

// Template is the template a file name's extension asks for (".xlsx", else CSV), its
// content type and the file name it is offered under.
func Template(ext string) (contentType, filename string, body []byte, err error) {
	var b bytes.Buffer
	if strings.EqualFold(strings.TrimPrefix(ext, "."), "xlsx") {
		err = WriteXLSXTemplate(&b)
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "stox-catalogue.xlsx", b.Bytes(), err
	}
	err = WriteCSVTemplate(&b)
	return "text/csv; charset=utf-8", "stox-catalogue.csv", b.Bytes(), err
}

// WriteCSVTemplate writes the template: the header and one example row.
func WriteCSVTemplate(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(Columns)
	_ = cw.Write(example)
	cw.Flush()
	return cw.Error()
}

// The parts of a minimal workbook: one sheet of inline strings (every template cell
// is text, so a barcode keeps its leading digits) and the one cell style every
// workbook carries.
const (
	xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	xlsxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Products" sheetId="1" r:id="rId1"/></sheets></workbook>`
	xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs></styleSheet>`
)

// WriteXLSXTemplate writes the template as an XLSX workbook: the header and the
// example row on sheet "Products".
func WriteXLSXTemplate(w io.Writer) error {
	var sheet bytes.Buffer
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, row := range [][]string{Columns, example} {
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for j, v := range row {
			if v == "" {
				continue
			}
			fmt.Fprintf(&sheet, `<c r="%s%d" t="inlineStr"><is><t>`, column(j), i+1)
			if err := xml.EscapeText(&sheet, []byte(v)); err != nil {
				return err
			}
			sheet.WriteString(`</t></is></c>`)
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	zw := zip.NewWriter(w)
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes}, {"_rels/.rels", xlsxRels},
		{"xl/workbook.xml", xlsxWorkbook}, {"xl/_rels/workbook.xml.rels", xlsxWorkbookRels}, {"xl/styles.xml", xlsxStyles},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	} {
		f, err := zw.Create(part.name)
		if err != nil {
			return fmt.Errorf("write xlsx template: %w", err)
		}
		if _, err := io.WriteString(f, part.body); err != nil {
			return fmt.Errorf("write xlsx template: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write xlsx template: %w", err)
	}
	return nil
}

// column is the spreadsheet name of the 0-based column i: A … Z, AA, AB, …
func column(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
