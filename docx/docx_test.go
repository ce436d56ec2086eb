package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// TestWritesAValidPackage opens the file as Word would: a zip whose every
// XML part is well-formed, with the parts the content types declare, and
// the text of the paragraphs and tables (escaped) in the document.
func TestWritesAValidPackage(t *testing.T) {
	d := &Document{Title: "整改意见书", Author: "江南区网信办"}
	d.Add(Title, "关于“某群夜间接龙”问题的整改意见书")
	d.Add(Subtitle, "江南网信整〔2026〕1号")
	d.Blocks = append(d.Blocks, Table{Rows: [][2]string{{"案件编号", "JF2026-000001"}, {"责任单位", "江州市江南区望江中学"}}})
	d.Add(Heading, "一、问题事实")
	d.Add(Body, "群主要求<全体>教师 & 家长\n每晚十点接龙。")
	d.Add(Right, "江州市江南区委网信办", "2026年3月2日")
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(data)
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels", "docProps/core.xml"} {
		if _, ok := parts[name]; !ok {
			t.Errorf("missing part %s", name)
		}
	}
	doc := parts["word/document.xml"]
	text := Text(doc)
	for _, want := range []string{"关于“某群夜间接龙”问题的整改意见书", "JF2026-000001", "江州市江南区望江中学", "群主要求<全体>教师 & 家长", "每晚十点接龙。", "2026年3月2日"} {
		if !strings.Contains(text, want) {
			t.Errorf("document text lacks %q: %s", want, text)
		}
	}
	if !strings.Contains(doc, `w:eastAsia="仿宋"`) || !strings.Contains(doc, `<w:pgSz w:w="11906" w:h="16838"/>`) {
		t.Error("no Chinese body font or A4 page")
	}
	if !strings.Contains(parts["docProps/core.xml"], "<dc:title>整改意见书</dc:title>") {
		t.Error("title property missing")
	}
}

// TestGrid writes a table with a header row: every cell's text is in the
// document, the header repeats on each page, and there is a column per header.
func TestGrid(t *testing.T) {
	d := &Document{Title: "通报"}
	d.Blocks = append(d.Blocks, Grid{Header: []string{"序号", "渠道名称", "整改期限"}, Rows: [][]string{{"1", "江南教育<发布>", "2026-04-01"}, {"2", "望江中学家长群", ""}}})
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		t.Fatal(err)
	}
	text, err := ReadText(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if want := "序号\n渠道名称\n整改期限\n1\n江南教育<发布>\n2026-04-01\n2\n望江中学家长群\n\n"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	zr, _ := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, _ := f.Open()
		doc, _ := io.ReadAll(rc)
		rc.Close()
		if n := strings.Count(string(doc), "<w:gridCol "); n != 3 || !strings.Contains(string(doc), "<w:tblHeader/>") {
			t.Errorf("%d grid columns, header row marked: %v", n, strings.Contains(string(doc), "<w:tblHeader/>"))
		}
	}
}
