package tabular

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu"
)

// checkReader reads everything and checks what must hold for any input:
// errors are EINVALID with a message, row numbers grow and lie below the
// header.
func checkReader(t *testing.T, data []byte, name string) {
	r, err := NewReader(bytes.NewReader(data), name, testCols)
	if err != nil {
		if jianfu.ErrorCode(err) != jianfu.EINVALID || jianfu.ErrorMessage(err, "zh") == "" {
			t.Fatalf("error %T %v is not a user-facing EINVALID", err, err)
		}
		return
	}
	defer r.Close()
	last := r.HeaderRow()
	if last < 1 {
		t.Fatalf("header row %d", last)
	}
	for r.Next() {
		row := r.Row()
		if row.Number <= last {
			t.Fatalf("row %d after row %d", row.Number, last)
		}
		last = row.Number
		if row.Get("code") == "" && row.Get("name") == "" && row.Get("parent") == "" && blank(row.Cells()) {
			t.Fatalf("blank row %d returned", row.Number)
		}
	}
	if err := r.Err(); err != nil && jianfu.ErrorCode(err) != jianfu.EINVALID {
		t.Fatalf("read error %T %v is not EINVALID", err, err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("code,name,parentCode\n110101,\"东城区\",1101\n"))
	f.Add([]byte("\ufeff区划代码;名称\r\n\r\n43;\"湖\"南\"\r\n"))
	f.Add([]byte("标题\n\n代码\t名称\n1\t\"a\nb\"\n\n2\tc\n"))
	f.Add(gbk("代码,名称\n110101,东城区\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, data, "fuzz.csv")
	})
}

func FuzzReadXLSX(f *testing.F) {
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"代码", "名称"})
	x.SetSheetRow("Sheet1", "A2", &[]any{110101, "东城区"})
	x.SetSheetRow("Sheet1", "A4", &[]any{"4301", "长沙市"})
	var buf bytes.Buffer
	x.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, data, "fuzz.xlsx")
	})
}
