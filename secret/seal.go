package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm4"
)

// Sealer encrypts small secrets — a complainant's identity — with an
// authenticated cipher under a key that lives only in the configuration
// (never in the database): SM4-GCM (国密) for a 16-byte key, AES-256-GCM
// for a 32-byte key. A sealed value records the algorithm and a short
// fingerprint of the key, so opening it with another key fails with a
// clear error rather than garbage.
//
//	sealed = 'S' | version 1 | alg | key id (4 bytes) | nonce (12) | ciphertext+tag
type Sealer struct {
	aead  cipher.AEAD
	alg   byte
	keyID [4]byte
}

const (
	algSM4GCM = 1
	algAESGCM = 2
)

// Errors of Open.
var (
	ErrSealedFormat = errors.New("secret: not a sealed value")
	ErrWrongKey     = errors.New("secret: sealed with a different key")
	ErrTampered     = errors.New("secret: sealed value fails authentication")
)

// NewSealer returns a sealer for a 16-byte (SM4-GCM) or 32-byte
// (AES-256-GCM) key.
func NewSealer(key []byte) (*Sealer, error) {
	var block cipher.Block
	var err error
	var alg byte
	switch len(key) {
	case 16:
		block, err = sm4.NewCipher(key)
		alg = algSM4GCM
	case 32:
		block, err = aes.NewCipher(key)
		alg = algAESGCM
	default:
		return nil, fmt.Errorf("secret: a sealing key has 16 bytes (SM4) or 32 bytes (AES-256), not %d", len(key))
	}
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &Sealer{aead: aead, alg: alg}
	sum := SM3Hex("jianfu sealing key id", string(key))
	copy(s.keyID[:], sum[:4])
	return s, nil
}

// ParseSealerKey reads a base64 key (standard or URL alphabet, padding
// optional) as given in --reporter-key or JIANFU_REPORTER_KEY.
func ParseSealerKey(b64 string) (*Sealer, error) {
	key, err := decodeKey(b64)
	if err != nil {
		return nil, fmt.Errorf("secret: the key is not base64: %w", err)
	}
	return NewSealer(key)
}

// NewSealerKey returns a fresh random SM4 key in base64, for
// `jianfu demo` and for operators generating one.
func NewSealerKey() string { return randomKey(16) }

// decodeKey reads a key given in base64, standard or URL alphabet, with or
// without padding, as operators paste them into flags and environments.
func decodeKey(b64 string) ([]byte, error) {
	b64 = strings.TrimSpace(b64)
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(b64); err == nil {
			return key, nil
		}
	}
	return nil, err
}

// randomKey is n random bytes in base64.
func randomKey(n int) string {
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(k)
}

// Algorithm names the cipher: "SM4-GCM" or "AES-256-GCM".
func (s *Sealer) Algorithm() string {
	if s.alg == algSM4GCM {
		return "SM4-GCM"
	}
	return "AES-256-GCM"
}

// KeyID is the key's fingerprint as stored beside sealed values.
func (s *Sealer) KeyID() string { return string(s.keyID[:]) }

// Seal encrypts plaintext bound to aad (the record it belongs to, so a
// sealed value cannot be moved to another record).
func (s *Sealer) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 7+len(nonce)+len(plaintext)+s.aead.Overhead())
	out = append(out, 'S', 1, s.alg)
	out = append(out, s.keyID[:]...)
	out = append(out, nonce...)
	return s.aead.Seal(out, nonce, plaintext, aad)
}

// Open decrypts a value made by Seal with the same key and aad.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 7+ns+s.aead.Overhead() || sealed[0] != 'S' || sealed[1] != 1 {
		return nil, ErrSealedFormat
	}
	if sealed[2] != s.alg || string(sealed[3:7]) != string(s.keyID[:]) {
		return nil, ErrWrongKey
	}
	nonce := sealed[7 : 7+ns]
	out, err := s.aead.Open(nil, nonce, sealed[7+ns:], aad)
	if err != nil {
		return nil, ErrTampered
	}
	return out, nil
}
