package tabular

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu"
)

// zipBomb is a real workbook whose first sheet, after the header, repeats
// one row until it inflates to about inflated bytes; the repetition
// compresses more than a hundredfold.
func zipBomb(t testing.TB, inflated int) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"区划代码", "区划名称"})
	var small bytes.Buffer
	if err := f.Write(&small); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(small.Bytes()), int64(small.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name != "xl/worksheets/sheet1.xml" {
			rc, _ := e.Open()
			io.Copy(w, rc)
			rc.Close()
			continue
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
			`<row r="1"><c r="A1" t="inlineStr"><is><t>区划代码</t></is></c><c r="B1" t="inlineStr"><is><t>区划名称</t></is></c></row>`)
		row := `<row><c t="inlineStr"><is><t>390102</t></is></c><c t="inlineStr"><is><t>江南区</t></is></c></row>`
		chunk := strings.Repeat(row, 64<<10/len(row))
		for n := 0; n < inflated; n += len(chunk) {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestXLSXZipBombRefused: a workbook that inflates far beyond its size is
// refused from its directory, with a message that says why and what to do;
// the time it takes is in BenchmarkXLSXZipBomb.
func TestXLSXZipBombRefused(t *testing.T) {
	bomb := zipBomb(t, 64<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it should be under 1 MiB", len(bomb))
	}
	_, err := NewReader(bytes.NewReader(bomb), "台账.xlsx", testCols)
	if jianfu.ErrorCode(err) != jianfu.ETOOLARGE || !strings.Contains(err.Error(), "解压后超过") || !strings.Contains(err.Error(), "另存为 CSV") {
		t.Fatalf("a zip bomb of %d bytes: %v", len(bomb), err)
	}
	// A workbook of ordinary proportions still reads.
	ok := zipBomb(t, 256<<10)
	r, err := NewReader(bytes.NewReader(ok), "台账.xlsx", testCols[:2])
	if err != nil {
		t.Fatalf("a small workbook: %v", err)
	}
	defer r.Close()
	if rows := readAll(t, r); len(rows) < 1000 || rows[0].name != "江南区" {
		t.Errorf("read %d rows, first %+v", len(rows), rows[:min(1, len(rows))])
	}
}

// BenchmarkXLSXZipBomb is the time to refuse a 64 MiB zip bomb.
func BenchmarkXLSXZipBomb(b *testing.B) {
	bomb := zipBomb(b, 64<<20)
	b.SetBytes(int64(len(bomb)))
	for b.Loop() {
		if _, err := NewReader(bytes.NewReader(bomb), "bomb.xlsx", testCols); jianfu.ErrorCode(err) != jianfu.ETOOLARGE {
			b.Fatal(err)
		}
	}
}

// TestHiddenCharactersLeaveCells: a cell's NUL, bidi override and
// zero-width characters do not reach the importer.
func TestHiddenCharactersLeaveCells(t *testing.T) {
	r, err := NewReader(strings.NewReader("区划代码,区划名称\n390102,江\u202e南\u200b区\x00\n"), "x.csv", testCols[:2])
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if rows := readAll(t, r); len(rows) != 1 || rows[0].name != "江南区" {
		t.Errorf("rows %+v", rows)
	}
}
