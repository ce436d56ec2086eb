package secret

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestSealerRoundTripBothAlgorithms(t *testing.T) {
	for _, n := range []int{16, 32} {
		key := bytes.Repeat([]byte{7}, n)
		s, err := NewSealer(key)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]string{16: "SM4-GCM", 32: "AES-256-GCM"}[n]
		if s.Algorithm() != want {
			t.Errorf("%d-byte key: %s, want %s", n, s.Algorithm(), want)
		}
		plain := []byte(`{"name":"王晓明","phone":"13912345678"}`)
		sealed := s.Seal(plain, []byte("case 1"))
		if bytes.Contains(sealed, []byte("13912345678")) || bytes.Contains(sealed, []byte("王晓明")) {
			t.Fatal("sealed value holds the plaintext")
		}
		if again := s.Seal(plain, []byte("case 1")); bytes.Equal(again, sealed) {
			t.Error("two seals of the same value are equal: the nonce does not change")
		}
		got, err := s.Open(sealed, []byte("case 1"))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("open: %q %v", got, err)
		}
		if _, err := s.Open(sealed, []byte("case 2")); err != ErrTampered {
			t.Errorf("moved to another record: %v", err)
		}
		bad := append([]byte{}, sealed...)
		bad[len(bad)-1] ^= 1
		if _, err := s.Open(bad, []byte("case 1")); err != ErrTampered {
			t.Errorf("tampered: %v", err)
		}
		other, _ := NewSealer(bytes.Repeat([]byte{8}, n))
		if _, err := other.Open(sealed, []byte("case 1")); err != ErrWrongKey {
			t.Errorf("other key: %v", err)
		}
		if _, err := s.Open([]byte("plain text"), nil); err != ErrSealedFormat {
			t.Errorf("garbage: %v", err)
		}
	}
}

func TestParseSealerKey(t *testing.T) {
	k := NewSealerKey()
	s, err := ParseSealerKey(k)
	if err != nil || s.Algorithm() != "SM4-GCM" {
		t.Fatalf("generated key: %v", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(k)
	for _, form := range []string{base64.RawStdEncoding.EncodeToString(raw), base64.URLEncoding.EncodeToString(raw), " " + k + "\n"} {
		s2, err := ParseSealerKey(form)
		if err != nil || s2.KeyID() != s.KeyID() {
			t.Errorf("key written as %q: %v", form, err)
		}
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := ParseSealerKey(bad); err == nil {
			t.Errorf("bad key %q accepted", bad)
		}
	}
}
