package jianfu

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Attachment is an image attached to a complaint or to rectification evidence.
type Attachment struct {
	AttachmentInfo
	Data []byte `json:"-"`
}

// AttachmentInfo describes an attachment without its bytes.
type AttachmentInfo struct {
	ID      int64     `json:"id"`
	Kind    string    `json:"kind"` // "complaint" or "evidence"
	Name    string    `json:"name"`
	MIME    string    `json:"mime"`
	Size    int       `json:"size"`
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created_at"`
}

// CheckAttachments checks every image by its content (CheckImage) and
// keeps it without its metadata, with its type, size and SHA-256 and a
// name of at most 100 characters ("image" when none). Problems name the
// file.
func CheckAttachments(atts []*Attachment) error {
	var probs []Problem
	for _, at := range atts {
		mime, clean, err := CheckImage(at.Data)
		if err != nil {
			probs = append(probs, Problem{Field: "attachments", Message: at.Name + ":" + ErrorMessage(err, "zh"), English: at.Name + ": " + ErrorMessage(err, "en")})
			continue
		}
		at.MIME, at.Data, at.Size = mime, clean, len(clean)
		sum := sha256.Sum256(clean)
		at.SHA256 = hex.EncodeToString(sum[:])
		if n := []rune(at.Name); len(n) > 100 {
			at.Name = string(n[:100])
		}
		if at.Name == "" {
			at.Name = "image"
		}
	}
	return problemsError(probs)
}
