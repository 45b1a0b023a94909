// Package catalog reads a seller's catalogue: a CSV or XLSX file with one product a
// row, as sellers keep their product lists in spreadsheets. It turns each row into
// the product an upload carries and the names of its photos; it does not validate
// products (the API does, with the upload's own rules) nor fetch photos.
package catalog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stox-dev/stox/messages"
)

// MaxPhotos is how many photo columns a row may have: photo_1 … photo_8.
const MaxPhotos = messages.MaxPhotos

// MaxRows bounds the rows read from one file, so a file cannot hold the importer
// busy without end.
const MaxRows = 10_000

// Row is one product of a catalogue.
type Row struct {
	// Line is the row's line in the file; the header is line 1.
	Line    int
	Product messages.Product
	// Photos are the row's photo cells in column order, empty ones left out: http(s)
	// URLs or names of files in the ZIP of photos sent beside the catalogue.
	Photos []string
	// Problems are cells that could not be read (a price that is not a number); the
	// row is bad when there are any.
	Problems []string
}

// Columns are the template's columns, in order. Attributes are further columns named
// attr:<name>.
var Columns = []string{
	"sku", "name", "brand", "category", "price", "list_price", "currency", "stock",
	"keywords", "marketplaces", "attr:barcode", "attr:color",
	"photo_1", "photo_2", "photo_3", "photo_4", "photo_5", "photo_6", "photo_7", "photo_8",
}

// required are the columns a catalogue must have.
var required = []string{"sku", "name", "price", "photo_1"}

// aliases maps Turkish column names, folded (see fold), to the English ones.
var aliases = map[string]string{
	"stok_kodu": "sku", "urun_kodu": "sku", "urun_adi": "name", "ad": "name", "marka": "brand",
	"kategori": "category", "fiyat": "price", "satis_fiyati": "price", "liste_fiyati": "list_price",
	"para_birimi": "currency", "stok": "stock", "anahtar_kelimeler": "keywords",
	"pazaryerleri": "marketplaces",
}

// Read reads a catalogue named name (its extension says CSV or XLSX). An error means
// the file as a whole cannot be read: not a CSV or XLSX, no header, unknown or missing
// columns, too many rows.
func Read(r io.Reader, name string) ([]Row, error) {
	switch ext := strings.ToLower(name[strings.LastIndex(name, ".")+1:]); ext {
	case "csv", "txt":
		return ReadCSV(r)
	case "xlsx":
		return ReadXLSX(r)
	default:
		return nil, fmt.Errorf("%s: want a .csv or .xlsx file", name)
	}
}

// ReadCSV reads a comma- or semicolon-separated catalogue (spreadsheets in Turkish
// locales save with semicolons), with or without a UTF-8 byte order mark.
func ReadCSV(r io.Reader) ([]Row, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	var records [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
		records = append(records, rec)
	}
	return fromRecords(records)
}

// fromRecords turns a header and rows of cells into rows; blank rows are skipped.
func fromRecords(records [][]string) ([]Row, error) {
	if len(records) == 0 {
		return nil, errors.New("empty file: want a header row (see the template) and one product a row")
	}
	cols, err := header(records[0])
	if err != nil {
		return nil, err
	}
	if len(records)-1 > MaxRows {
		return nil, fmt.Errorf("%d rows; at most %d a file", len(records)-1, MaxRows)
	}
	var rows []Row
	for i, rec := range records[1:] {
		if blank(rec) {
			continue
		}
		rows = append(rows, row(i+2, cols, rec))
	}
	return rows, nil
}

// blank says a record has no non-space cell.
func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// header names each column by its canonical name: a column of Columns, attr:<name>
// or photo_<n>. Unknown columns are an error, so a misspelt one is not silently lost.
func header(cells []string) ([]string, error) {
	cols := make([]string, len(cells))
	seen := map[string]bool{}
	var errs []string
	for i, c := range cells {
		name, ok := canonical(c)
		switch {
		case strings.TrimSpace(c) == "" && i == len(cells)-1:
			continue // a trailing separator
		case !ok:
			errs = append(errs, fmt.Sprintf("column %d %q is not a catalogue column (see the template)", i+1, c))
		case seen[name]:
			errs = append(errs, fmt.Sprintf("column %d %q repeats %s", i+1, c, name))
		}
		seen[name] = true
		cols[i] = name
	}
	for _, r := range required {
		if !seen[r] {
			errs = append(errs, fmt.Sprintf("no %s column", r))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("header: %s", strings.Join(errs, "; "))
	}
	return cols, nil
}

// canonical returns a header cell's column name.
func canonical(cell string) (string, bool) {
	name := fold(cell)
	if n, ok := aliases[name]; ok {
		return n, true
	}
	for _, prefix := range []string{"attr:", "ozellik:"} {
		if attr, ok := strings.CutPrefix(name, prefix); ok && attr != "" {
			return "attr:" + strings.TrimSpace(cell[strings.Index(cell, ":")+1:]), true
		}
	}
	for _, prefix := range []string{"photo_", "foto_", "fotograf_"} {
		if n, ok := strings.CutPrefix(name, prefix); ok {
			if k, err := strconv.Atoi(n); err == nil && k >= 1 && k <= MaxPhotos {
				return fmt.Sprintf("photo_%d", k), true
			}
		}
	}
	for _, c := range Columns[:10] {
		if name == c {
			return c, true
		}
	}
	return "", false
}

// fold lower-cases a header cell, turns Turkish letters into ASCII and spaces into
// underscores: "Ürün Adı" is urun_adi.
func fold(s string) string {
	s = strings.NewReplacer("İ", "i", "I", "i", "ı", "i", "Ş", "s", "ş", "s", "Ğ", "g", "ğ", "g",
		"Ü", "u", "ü", "u", "Ö", "o", "ö", "o", "Ç", "c", "ç", "c", " ", "_", "-", "_").Replace(strings.TrimSpace(s))
	return strings.ToLower(s)
}

// row reads one record of cells named by cols.
func row(line int, cols, rec []string) Row {
	r := Row{Line: line}
	photos := make([]string, MaxPhotos)
	bad := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }
	if len(rec) > len(cols) && !blank(rec[len(cols):]) {
		bad("%d cells; the header has %d columns", len(rec), len(cols))
	}
	p := &r.Product
	for i, col := range cols {
		if i >= len(rec) || col == "" {
			continue
		}
		v := strings.TrimSpace(rec[i])
		if !utf8.ValidString(v) {
			bad("%s: not valid UTF-8 text (save the file as UTF-8)", col)
			continue
		}
		switch col {
		case "sku":
			p.SKU = v
		case "name":
			p.Name = v
		case "brand":
			p.Brand = v
		case "category":
			p.Category = v
		case "currency":
			p.Currency = strings.ToUpper(v)
		case "price", "list_price":
			f, err := number(v)
			if err != nil {
				bad("%s: %q is not a number", col, v)
			}
			if col == "price" {
				p.Price = f
			} else {
				p.ListPrice = f
			}
		case "stock":
			n, err := strconv.Atoi(v)
			if v != "" && err != nil {
				bad("stock: %q is not a whole number", v)
			}
			p.Stock = n
		case "keywords":
			p.Keywords = list(v)
		case "marketplaces":
			p.Marketplaces = list(strings.ToLower(v))
		default:
			if k, ok := strings.CutPrefix(col, "photo_"); ok {
				n, _ := strconv.Atoi(k)
				photos[n-1] = v
			} else if attr, ok := strings.CutPrefix(col, "attr:"); ok && v != "" {
				if p.Attributes == nil {
					p.Attributes = map[string]string{}
				}
				p.Attributes[attr] = v
			}
		}
	}
	for _, ph := range photos {
		if ph != "" {
			r.Photos = append(r.Photos, ph)
		}
	}
	return r
}

// number reads a price, with a decimal point or a decimal comma ("199,90"). An empty
// cell is 0, which validation refuses where a price is required.
func number(v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	if !strings.Contains(v, ".") {
		v = strings.Replace(v, ",", ".", 1)
	}
	return strconv.ParseFloat(v, 64)
}

// list splits a cell of items separated by commas or semicolons; an empty cell is
// nil (for marketplaces: every marketplace).
func list(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
