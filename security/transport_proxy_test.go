package security

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// TestProxyHeadersCannotBeSpoofed replays attack 8: behind --trust-proxy
// the left-most X-Forwarded-For, which the client writes, was the client
// address, so rotating it escaped the complaint limit and put any address
// in the audit log. Now the right-most entry not among the trusted proxies
// counts, as the proxy appends the address it really received from.
func TestProxyHeadersCannotBeSpoofed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// The test client connects from 127.0.0.1: the trusted proxy.
		s := start(t, db, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
		b := s.browser()
		limited := 0
		for i := range 21 {
			b.header.Set("X-Forwarded-For", fmt.Sprintf("10.9.%d.%d, 203.0.113.50", i/200, i%200+1))
			resp, page := b.submit("/complaint", "/complaint", url.Values{"region": {"390102"}, "description": {fmt.Sprintf("第%d次:要求每天接龙报数", i)}})
			if resp.StatusCode == http.StatusTooManyRequests {
				limited = i + 1
				if !strings.Contains(page, "访问过于频繁") {
					t.Errorf("the limit's answer says no reason: %s", snippet(page))
				}
				break
			}
		}
		if limited == 0 {
			t.Fatalf("21 complaints from one address with rotating X-Forwarded-For were all accepted")
		}

		b = s.browser()
		b.header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.60")
		b.signIn("south.sup")
		entries, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "login.ok"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 || entries[0].IP != "203.0.113.60" {
			t.Errorf("the login's audited address: %+v, want 203.0.113.60 (the address the proxy saw)", entries)
		}

		// Without trusted proxies the header is ignored altogether.
		direct := start(t, storetest.Open(t, db.Engine()), web.Config{})
		b = direct.browser()
		b.header.Set("X-Forwarded-For", "203.0.113.70")
		b.signIn("south.sup")
		entries, _, _ = direct.db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "login.ok"})
		if len(entries) == 0 || entries[0].IP != "127.0.0.1" {
			t.Errorf("a direct peer's X-Forwarded-For was believed: %+v", entries)
		}
	})
}
