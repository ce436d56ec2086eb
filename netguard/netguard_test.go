package netguard

import (
	"net/netip"
	"testing"
)

func TestInternal(t *testing.T) {
	for _, c := range []struct {
		addr     string
		internal bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true}, {"::ffff:127.0.0.1", true},
		{"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true}, {"fd12::1", true}, {"::ffff:10.0.0.1", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"224.0.0.1", true}, {"ff02::1", true},
		{"0.0.0.0", true}, {"::", true}, {"100.64.1.1", true}, {"255.255.255.255", true}, {"64:ff9b::7f00:1", true}, {"2002:7f00:1::", true},
		{"8.8.8.8", false}, {"220.181.38.148", false}, {"2400:3200::1", false}, {"::ffff:8.8.8.8", false}, {"172.32.0.1", false},
	} {
		if got := Internal(netip.MustParseAddr(c.addr)); got != c.internal {
			t.Errorf("Internal(%s) = %v, want %v", c.addr, got, c.internal)
		}
	}
}

func TestPermitAllow(t *testing.T) {
	allow, err := ParsePrefixes("10.0.0.0/8, 192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	o := Outbound{Allow: allow}
	for addr, ok := range map[string]bool{"10.2.3.4": true, "192.168.1.5": true, "192.168.1.6": false, "127.0.0.1": false, "::ffff:10.9.9.9": true, "8.8.8.8": true} {
		if err := o.Permit(netip.MustParseAddr(addr)); (err == nil) != ok {
			t.Errorf("Permit(%s) = %v, want allowed %v", addr, err, ok)
		}
	}
	if err := (Outbound{}).control("tcp", "[::ffff:127.0.0.1]:80", nil); err == nil {
		t.Error("an IPv4-mapped loopback address was dialled")
	}
}

func TestParsePrefixesRefuses(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "localhost", "10.0.0.0/8,,nope"} {
		if _, err := ParsePrefixes(bad); err == nil {
			t.Errorf("ParsePrefixes(%q) accepted", bad)
		}
	}
}

func TestClientAddr(t *testing.T) {
	trusted, _ := ParsePrefixes("10.0.0.0/8,127.0.0.1")
	for _, c := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct peer ignores the header", "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"one proxy", "10.0.0.2:5000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"spoofed left-most entry is ignored", "10.0.0.2:5000", []string{"1.1.1.1, 198.51.100.9"}, "198.51.100.9"},
		{"chain of trusted proxies", "127.0.0.1:5000", []string{"6.6.6.6, 198.51.100.9, 10.1.1.1"}, "198.51.100.9"},
		{"several header lines", "10.0.0.2:5000", []string{"6.6.6.6", "198.51.100.9, 10.0.0.3"}, "198.51.100.9"},
		{"garbage stops at the last good hop", "10.0.0.2:5000", []string{"evil, 10.0.0.3"}, "10.0.0.3"},
		{"no header", "10.0.0.2:5000", nil, "10.0.0.2"},
	} {
		if got := ClientAddr(c.remote, c.xff, trusted); got != c.want {
			t.Errorf("%s: ClientAddr = %q, want %q", c.name, got, c.want)
		}
	}
}
