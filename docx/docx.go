// Package docx writes simple Chinese official documents (公文) as Office
// Open XML (.docx): titles, headings, paragraphs, two-column fact tables and
// tables with a header row, A4, with the fonts of Chinese official documents
// named in the file (方正小标宋简体/宋体 for the title, 黑体 for headings, 仿宋
// for the body) so Word and WPS use them where installed and their own fallbacks
// elsewhere. Nothing is embedded: the file is a small zip of XML parts,
// written with archive/zip and encoding/xml only.
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"time"
)

// Style is how a paragraph looks.
type Style int

const (
	Body     Style = iota // 仿宋 三号, first line indented two characters
	Title                 // 小标宋 二号, centred
	Subtitle              // 仿宋 三号, centred (文号)
	Heading               // 黑体 三号
	Right                 // 仿宋 三号, right-aligned (落款, 日期)
	Plain                 // 仿宋 三号, no indent
	Small                 // 仿宋 小四, for notes
)

// Block is a paragraph or a table.
type Block interface{ write(b *bytes.Buffer) }

// Paragraph is one paragraph of text; line breaks inside it are kept.
type Paragraph struct {
	Text  string
	Style Style
	Bold  bool
}

// Table is a table of label/value rows (a fact sheet).
type Table struct {
	Rows [][2]string
}

// Document is a document to write.
type Document struct {
	Title   string // the document property, for the file list
	Author  string
	Created time.Time
	Blocks  []Block
}

// Add appends paragraphs of a style.
func (d *Document) Add(style Style, texts ...string) {
	for _, t := range texts {
		d.Blocks = append(d.Blocks, Paragraph{Text: t, Style: style})
	}
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

type styleDef struct {
	font   string
	size   int // half-points
	align  string
	indent bool
}

var styles = map[Style]styleDef{
	Body:     {"仿宋", 32, "both", true},
	Title:    {"方正小标宋简体", 44, "center", false},
	Subtitle: {"仿宋", 32, "center", false},
	Heading:  {"黑体", 32, "left", false},
	Right:    {"仿宋", 32, "right", false},
	Plain:    {"仿宋", 32, "left", false},
	Small:    {"仿宋", 24, "left", false},
}

func runProps(b *bytes.Buffer, font string, size int, bold bool) {
	b.WriteString(`<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="` + font + `"/>`)
	if bold {
		b.WriteString(`<w:b/>`)
	}
	b.WriteString(`<w:sz w:val="` + itoa(size) + `"/><w:szCs w:val="` + itoa(size) + `"/></w:rPr>`)
}

func (p Paragraph) write(b *bytes.Buffer) {
	st := styles[p.Style]
	b.WriteString(`<w:p><w:pPr><w:spacing w:line="560" w:lineRule="exact"/><w:jc w:val="` + st.align + `"/>`)
	if st.indent {
		b.WriteString(`<w:ind w:firstLineChars="200" w:firstLine="640"/>`)
	}
	b.WriteString(`</w:pPr>`)
	for i, line := range strings.Split(p.Text, "\n") {
		b.WriteString(`<w:r>`)
		runProps(b, st.font, st.size, p.Bold)
		if i > 0 {
			b.WriteString(`<w:br/>`)
		}
		b.WriteString(`<w:t xml:space="preserve">` + esc(line) + `</w:t></w:r>`)
	}
	b.WriteString(`</w:p>`)
}

// Grid is a table with a header row over any number of columns, such as
// the list of failed channels in a notice (通报). The header row repeats on
// every page the table spans.
type Grid struct {
	Header []string
	Rows   [][]string
}

// tableStart opens a full-width table with single borders.
func tableStart(b *bytes.Buffer) {
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders></w:tblPr>`)
}

// cell writes one table cell in 小四 of the font; width is in twentieths of
// a point, or 0 to let the reader size it.
func cell(b *bytes.Buffer, text, font string, width int) {
	if width > 0 {
		b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + itoa(width) + `" w:type="dxa"/></w:tcPr>`)
	} else {
		b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>`)
	}
	for _, line := range strings.Split(text, "\n") {
		b.WriteString(`<w:p><w:pPr><w:spacing w:line="400" w:lineRule="exact"/></w:pPr><w:r>`)
		runProps(b, font, 24, false)
		b.WriteString(`<w:t xml:space="preserve">` + esc(line) + `</w:t></w:r></w:p>`)
	}
	b.WriteString(`</w:tc>`)
}

func (t Table) write(b *bytes.Buffer) {
	tableStart(b)
	b.WriteString(`<w:tblGrid><w:gridCol w:w="2200"/><w:gridCol w:w="6600"/></w:tblGrid>`)
	for _, row := range t.Rows {
		b.WriteString(`<w:tr>`)
		cell(b, row[0], "黑体", 2200)
		cell(b, row[1], "仿宋", 6600)
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

// textWidth is the width of the text on an A4 page with the margins of
// Write, in twentieths of a point.
const textWidth = 11906 - 1588 - 1474

func (g Grid) write(b *bytes.Buffer) {
	tableStart(b)
	b.WriteString(`<w:tblGrid>`)
	for range g.Header {
		b.WriteString(`<w:gridCol w:w="` + itoa(textWidth/max(len(g.Header), 1)) + `"/>`)
	}
	b.WriteString(`</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>`)
	for _, h := range g.Header {
		cell(b, h, "黑体", 0)
	}
	b.WriteString(`</w:tr>`)
	for _, row := range g.Rows {
		b.WriteString(`<w:tr>`)
		for _, c := range row {
			cell(b, c, "仿宋", 0)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	return string(d)
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`

const documentRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>`

const appXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>jianfu</Application></Properties>`

// Picture is a PNG image set in its own centred paragraph, Width × Height
// pixels at 96 dpi (a chart).
type Picture struct {
	PNG           []byte
	Width, Height int
	id            int // its number in the package, set by Write
}

func (p *Picture) write(b *bytes.Buffer) {
	const emu = 9525 // per pixel at 96 dpi
	cx, cy, n := p.Width*emu, p.Height*emu, itoa(p.id)
	b.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="` + itoa(cx) + `" cy="` + itoa(cy) + `"/>` +
		`<wp:docPr id="` + n + `" name="图` + n + `"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">` +
		`<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="` + n + `" name="image` + n + `.png"/><pic:cNvPicPr/></pic:nvPicPr>` +
		`<pic:blipFill><a:blip r:embed="rIdImg` + n + `"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="` + itoa(cx) + `" cy="` + itoa(cy) + `"/></a:xfrm>` +
		`<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`)
}

// Write writes the document as a .docx file.
func (d *Document) Write(w io.Writer) error {
	var body bytes.Buffer
	body.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	body.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
		`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>`)
	var pictures []*Picture
	for _, blk := range d.Blocks {
		if p, ok := blk.(*Picture); ok {
			pictures = append(pictures, p)
			p.id = len(pictures)
		}
		blk.write(&body)
	}
	rels := documentRels
	for _, p := range pictures {
		rels = strings.Replace(rels, "</Relationships>", `<Relationship Id="rIdImg`+itoa(p.id)+`" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image`+itoa(p.id)+`.png"/></Relationships>`, 1)
	}
	// A4, margins of the national standard for official documents (GB/T 9704).
	body.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`)

	created := d.Created
	if created.IsZero() {
		created = time.Now()
	}
	core := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + esc(d.Title) + `</dc:title><dc:creator>` + esc(d.Author) + `</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + created.UTC().Format(time.RFC3339) + `</dcterms:created></cp:coreProperties>`

	zw := zip.NewWriter(w)
	for _, part := range []struct{ name, data string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/document.xml", body.String()},
		{"word/_rels/document.xml.rels", rels},
		{"word/styles.xml", stylesXML},
		{"docProps/core.xml", core},
		{"docProps/app.xml", appXML},
	} {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: part.name, Method: zip.Deflate, Modified: created})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, part.data); err != nil {
			return err
		}
	}
	for _, p := range pictures {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: "word/media/image" + itoa(p.id) + ".png", Method: zip.Store, Modified: created})
		if err != nil {
			return err
		}
		if _, err := f.Write(p.PNG); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Text returns the text of a document.xml part: the contents of its w:t
// elements, a line per paragraph. Tests and previews use it.
func Text(documentXML string) string {
	dec := xml.NewDecoder(strings.NewReader(documentXML))
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return b.String()
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "t"
			if e.Name.Local == "br" {
				b.WriteByte('\n')
			}
		case xml.EndElement:
			if e.Name.Local == "p" {
				b.WriteByte('\n')
			}
			inText = false
		case xml.CharData:
			if inText {
				b.Write(e)
			}
		}
	}
}

// ReadText opens a .docx file and returns the text of its document.
func ReadText(file []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return "", err
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				return "", err
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err != nil {
				return "", err
			}
			return Text(string(data)), nil
		}
	}
	return "", io.ErrUnexpectedEOF
}
