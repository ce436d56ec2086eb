package secret

import "testing"

func TestAuditKey(t *testing.T) {
	k, err := ParseAuditKey(NewAuditKeyString())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ParseAuditKey(NewAuditKeyString())
	m := k.MAC("jianfu audit entry", "1", "a")
	if m != k.MAC("jianfu audit entry", "1", "a") || len(m) != 64 {
		t.Fatalf("MAC not stable: %s", m)
	}
	for what, got := range map[string]string{
		"another purpose": k.MAC("jianfu audit checkpoint", "1", "a"),
		"other fields":    k.MAC("jianfu audit entry", "1a", ""),
		"another key":     other.MAC("jianfu audit entry", "1", "a"),
		"plain SM3":       SM3Hex("jianfu audit entry", "1", "a"),
	} {
		if Equal(got, m) {
			t.Errorf("%s gives the same MAC", what)
		}
	}
	if k.ID() == other.ID() || len(k.ID()) != 8 {
		t.Errorf("fingerprints %s %s", k.ID(), other.ID())
	}
	if _, err := ParseAuditKey("c2hvcnQ="); err == nil {
		t.Error("a 5-byte key accepted")
	}
	if _, err := ParseAuditKey("not base64!"); err == nil {
		t.Error("garbage accepted")
	}
}
