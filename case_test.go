package jianfu_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"jianfu"
)

func sampleImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 8; i++ {
		img.Set(i, i, color.RGBA{180, 20, 20, 255})
	}
	return img
}

func pngBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, sampleImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, sampleImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, sampleImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF inserts an APP1 EXIF segment carrying a GPS-like text right
// after the JPEG's SOI marker, as a phone camera writes it.
func withEXIF(j []byte, payload string) []byte {
	seg := append([]byte("Exif\x00\x00"), payload...)
	out := append([]byte{}, j[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// withTextChunk inserts a tEXt chunk after the PNG's IHDR.
func withTextChunk(p []byte, text string) []byte {
	ihdrEnd := 8 + 12 + int(binary.BigEndian.Uint32(p[8:12]))
	body := append([]byte("tEXt"), text...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

func TestCheckImageByContent(t *testing.T) {
	j, p, g := jpegBytes(t), pngBytes(t), gifBytes(t)
	webp := append([]byte("RIFF\x0c\x00\x00\x00WEBPVP8 "), 0, 0, 0, 0)
	tests := []struct {
		name string
		data []byte
		mime string // "" means refused
	}{
		{"jpeg", j, jianfu.MIMEJPEG},
		{"png", p, jianfu.MIMEPNG},
		{"gif", g, jianfu.MIMEGIF},
		{"webp", webp, jianfu.MIMEWebP},
		{"empty", nil, ""},
		{"text named .jpg", []byte("this is not an image, whatever the name says"), ""},
		{"html", []byte("<html><script>alert(1)</script></html>"), ""},
		{"pdf", []byte("%PDF-1.7\n..."), ""},
		{"svg (scriptable, refused)", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"truncated jpeg", j[:len(j)/2], ""},
		{"png with a bad crc", append(append([]byte{}, p[:30]...), 0xFF, 0xFF, 0xFF, 0xFF), ""},
		{"truncated gif", g[:10], ""},
		{"webp with wrong size", append([]byte("RIFF\xff\x00\x00\x00WEBPVP8 "), 0, 0), ""},
		{"too large", append(append([]byte{}, p...), make([]byte, jianfu.MaxAttachmentSize)...), ""},
	}
	for _, tt := range tests {
		mime, clean, err := jianfu.CheckImage(tt.data)
		if tt.mime == "" {
			if err == nil || jianfu.ErrorCode(err) != jianfu.EINVALID {
				t.Errorf("%s: accepted as %s (%v)", tt.name, mime, err)
			}
			continue
		}
		if err != nil || mime != tt.mime || len(clean) == 0 {
			t.Errorf("%s: %s, %v", tt.name, mime, err)
		}
	}
}

func TestCheckImageStripsLocation(t *testing.T) {
	j := withEXIF(jpegBytes(t), "GPSLatitude 30.5928 GPSLongitude 114.3055 Model HUAWEI-P60 Serial 8842")
	mime, clean, err := jianfu.CheckImage(j)
	if err != nil || mime != jianfu.MIMEJPEG {
		t.Fatalf("jpeg with exif: %s %v", mime, err)
	}
	if bytes.Contains(clean, []byte("GPSLatitude")) || bytes.Contains(clean, []byte("Serial")) {
		t.Error("EXIF survives in the stored JPEG")
	}
	if _, err := jpeg.Decode(bytes.NewReader(clean)); err != nil {
		t.Errorf("the cleaned JPEG no longer decodes: %v", err)
	}
	p := withTextChunk(pngBytes(t), "Author\x00王晓明 13912345678")
	_, clean, err = jianfu.CheckImage(p)
	if err != nil {
		t.Fatalf("png with text: %v", err)
	}
	if bytes.Contains(clean, []byte("13912345678")) {
		t.Error("PNG text chunk survives")
	}
	if _, err := png.Decode(bytes.NewReader(clean)); err != nil {
		t.Errorf("the cleaned PNG no longer decodes: %v", err)
	}
}

// FuzzCheckImage: whatever bytes arrive as an "image", the check never
// panics; what it accepts starts like the type it claims, is no larger
// than what came in, and passes the check again unchanged.
func FuzzCheckImage(f *testing.F) {
	f.Add(jpegBytes(f))
	f.Add(pngBytes(f))
	f.Add(gifBytes(f))
	f.Add(withEXIF(jpegBytes(f), "GPS"))
	f.Add(withTextChunk(pngBytes(f), "Comment\x00x"))
	f.Add([]byte("RIFF\x0c\x00\x00\x00WEBPVP8 \x00\x00\x00\x00"))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, data []byte) {
		mime, clean, err := jianfu.CheckImage(data)
		if err != nil {
			if jianfu.ErrorCode(err) != jianfu.EINVALID || jianfu.ErrorMessage(err, "zh") == "" {
				t.Fatalf("refusal is not a clear EINVALID: %v", err)
			}
			return
		}
		if len(clean) > len(data) || len(clean) < 4 {
			t.Fatalf("cleaned %d bytes from %d", len(clean), len(data))
		}
		mime2, clean2, err := jianfu.CheckImage(clean)
		if err != nil || mime2 != mime || !bytes.Equal(clean, clean2) {
			t.Fatalf("cleaned image does not pass again: %s→%s %v", mime, mime2, err)
		}
	})
}

func TestComplaintValidate(t *testing.T) {
	c := &jianfu.Complaint{Source: jianfu.SourceComplaint, Description: "短", Category: "nonsense",
		Identity: &jianfu.ReporterIdentity{Phone: "call me maybe", Email: "nobody"}}
	err := c.Validate()
	je, ok := err.(*jianfu.Error)
	if !ok {
		t.Fatalf("want problems, got %v", err)
	}
	fields := map[string]bool{}
	for _, p := range je.Problems {
		fields[p.Field] = true
		if p.Message == "" || p.English == "" {
			t.Errorf("problem without both languages: %+v", p)
		}
	}
	for _, f := range []string{"description", "category", "region", "phone", "email"} {
		if !fields[f] {
			t.Errorf("no problem reported for %s: %+v", f, je.Problems)
		}
	}
	ok2 := &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102", Description: "  工作群每天要求截图打卡  ", Identity: &jianfu.ReporterIdentity{Phone: "138-0013-8000"}}
	if err := ok2.Validate(); err != nil || ok2.Description != "工作群每天要求截图打卡" {
		t.Errorf("good complaint: %v %q", err, ok2.Description)
	}
}
