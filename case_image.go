package jianfu

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// Attachment limits: complaints and rectification evidence carry images
// only, checked by their content, never by the name or the declared type.
const (
	MaxAttachments    = 3
	MaxAttachmentSize = 5 << 20 // bytes per image
)

// Image types accepted as attachments.
const (
	MIMEJPEG = "image/jpeg"
	MIMEPNG  = "image/png"
	MIMEGIF  = "image/gif"
	MIMEWebP = "image/webp"
)

// CheckImage decides by its bytes whether data is an image jianfu accepts
// (JPEG, PNG, GIF or WebP, at most MaxAttachmentSize) and returns its type
// and a copy without the metadata a phone writes into photos — EXIF (with
// GPS position and device serial), XMP, IPTC and PNG text chunks — which
// could identify the reporter. A file that only claims to be an image,
// or whose structure is broken, is refused with a message saying so.
func CheckImage(data []byte) (mime string, clean []byte, err error) {
	if len(data) == 0 {
		return "", nil, Errorf(EINVALID, "图片为空文件", "the image file is empty")
	}
	if len(data) > MaxAttachmentSize {
		return "", nil, Errorf(EINVALID, "图片超过5MB,请压缩后再上传", "the image is larger than 5 MB; compress it and try again")
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		clean, err = stripJPEG(data)
		return MIMEJPEG, clean, err
	case bytes.HasPrefix(data, pngMagic):
		clean, err = stripPNG(data)
		return MIMEPNG, clean, err
	case bytes.HasPrefix(data, []byte("GIF87a")) || bytes.HasPrefix(data, []byte("GIF89a")):
		if len(data) < 13 || data[len(data)-1] != 0x3B {
			return "", nil, badImage("GIF")
		}
		return MIMEGIF, append([]byte(nil), data...), nil
	case len(data) >= 16 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		if n := binary.LittleEndian.Uint32(data[4:8]); int64(n)+8 != int64(len(data)) {
			return "", nil, badImage("WebP")
		}
		return MIMEWebP, append([]byte(nil), data...), nil
	}
	return "", nil, Errorf(EINVALID, "只能上传图片(JPEG、PNG、GIF、WebP),该文件的内容不是图片", "only images (JPEG, PNG, GIF, WebP) can be attached; this file's content is not an image")
}

func badImage(kind string) error {
	return Errorf(EINVALID, "图片文件已损坏(%s 结构不完整),请重新导出后上传", "the image is damaged (incomplete %s structure); export it again", kind)
}

var pngMagic = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// stripJPEG copies a JPEG segment by segment up to the start of scan,
// leaving out APP1 (EXIF, XMP), APP13 (IPTC) and comments, then copies the
// entropy-coded data and what follows unchanged.
func stripJPEG(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for {
		// Markers may be padded with fill bytes 0xFF.
		for i < len(data) && data[i] == 0xFF && i+1 < len(data) && data[i+1] == 0xFF {
			i++
		}
		if i+4 > len(data) || data[i] != 0xFF {
			return nil, badImage("JPEG")
		}
		marker := data[i+1]
		switch {
		case marker == 0xD9: // end of image before any scan
			return nil, badImage("JPEG")
		case marker >= 0xD0 && marker <= 0xD7 || marker == 0x01:
			out = append(out, data[i], data[i+1])
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2 : i+4]))
		if n < 2 || i+2+n > len(data) {
			return nil, badImage("JPEG")
		}
		seg := data[i : i+2+n]
		if marker == 0xDA { // start of scan: the rest is image data
			out = append(out, data[i:]...)
			if !bytes.Contains(data[i+2+n:], []byte{0xFF, 0xD9}) {
				return nil, badImage("JPEG")
			}
			return out, nil
		}
		if marker != 0xE1 && marker != 0xED && marker != 0xFE {
			out = append(out, seg...)
		}
		i += 2 + n
	}
}

// stripPNG copies the chunks of a PNG, leaving out eXIf and the text
// chunks (tEXt, zTXt, iTXt), and checks each chunk's length and CRC.
func stripPNG(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data))
	out = append(out, pngMagic...)
	i := len(pngMagic)
	first := true
	for {
		if i+12 > len(data) {
			return nil, badImage("PNG")
		}
		n := binary.BigEndian.Uint32(data[i : i+4])
		if n > uint32(len(data)) || i+12+int(n) > len(data) {
			return nil, badImage("PNG")
		}
		typ := string(data[i+4 : i+8])
		body := data[i+4 : i+8+int(n)]
		if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(data[i+8+int(n):i+12+int(n)]) {
			return nil, badImage("PNG")
		}
		if first && typ != "IHDR" {
			return nil, badImage("PNG")
		}
		first = false
		switch typ {
		case "eXIf", "tEXt", "zTXt", "iTXt":
		default:
			out = append(out, data[i:i+12+int(n)]...)
		}
		i += 12 + int(n)
		if typ == "IEND" {
			return out, nil
		}
	}
}
