package tabular

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// decideWindow is how many bytes from the first non-ASCII byte are examined
// to tell UTF-8 from GB18030. Chinese text in GBK is never valid UTF-8 for
// more than a few characters, so a few KiB settle it.
const decideWindow = 4 << 10

// autoDecoder passes ASCII through until the first non-ASCII byte, then
// decides once for the rest of the stream: UTF-8 when the bytes from there
// are valid UTF-8, GB18030 (a superset of GBK and GB2312, what Chinese Excel
// writes when saving "CSV (逗号分隔)") otherwise. A UTF-8 byte-order mark
// is dropped; a UTF-16 one (Excel's "Unicode 文本") switches to UTF-16.
type autoDecoder struct {
	br      *bufio.Reader
	dec     io.Reader // nil until decided
	decided func(encoding string)
	started bool
}

func newAutoDecoder(r io.Reader, decided func(string)) *autoDecoder {
	return &autoDecoder{br: bufio.NewReaderSize(r, 2*decideWindow), decided: decided}
}

func (d *autoDecoder) Read(p []byte) (int, error) {
	if d.dec != nil {
		return d.dec.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !d.started {
		d.started = true
		head, _ := d.br.Peek(3)
		switch {
		case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
			d.br.Discard(3)
			d.decide("UTF-8", d.br)
			return d.dec.Read(p)
		case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
			d.decide("UTF-16", transform.NewReader(d.br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()))
			return d.dec.Read(p)
		}
	}
	b, err := d.br.Peek(decideWindow)
	if len(b) == 0 {
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	ascii := 0
	for ascii < len(b) && b[ascii] < utf8.RuneSelf {
		ascii++
	}
	if ascii > 0 {
		return d.br.Read(p[:min(len(p), ascii)])
	}
	// b starts with a non-ASCII byte: decide on what follows.
	atEOF := err != nil
	if validUTF8Prefix(b, atEOF) {
		d.decide("UTF-8", d.br)
	} else {
		d.decide("GB18030", transform.NewReader(d.br, simplifiedchinese.GB18030.NewDecoder()))
	}
	return d.dec.Read(p)
}

func (d *autoDecoder) decide(enc string, r io.Reader) {
	d.dec = r
	if d.decided != nil {
		d.decided(enc)
	}
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut off
// at the end of the window unless the stream ends there.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if atEOF {
		return false
	}
	// Drop a truncated rune at the end (at most 3 bytes) and try again.
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
			return true
		}
	}
	return false
}
