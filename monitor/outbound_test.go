package monitor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jianfu/netguard"
)

// internalSite is a page on a second loopback address, standing for an
// intranet service the monitor must not reach.
func internalSite(t *testing.T) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("no second loopback address here:", err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<title>内部管理后台</title>")
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func guarded(t *testing.T, allow string) *Checker {
	t.Helper()
	prefixes, err := netguard.ParsePrefixes(allow)
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Outbound: netguard.Outbound{Allow: prefixes}})
}

func TestCheckRefusesInternalAddresses(t *testing.T) {
	inner := internalSite(t)
	ctx := context.Background()
	port := inner.Listener.Addr().(*net.TCPAddr).Port
	for _, target := range []string{inner.URL, fmt.Sprintf("http://localhost:%d/", port), fmt.Sprintf("http://[::ffff:127.0.0.2]:%d/", port)} {
		r := guarded(t, "").Check(ctx, target)
		if r.Reachable || !strings.Contains(r.Error, "内部地址") || r.Title != "" {
			t.Errorf("%s: reachable %v, error %q, title %q; want refused as an internal address", target, r.Reachable, r.Error, r.Title)
		}
	}
	if r := guarded(t, "127.0.0.2").Check(ctx, inner.URL); !r.Reachable || r.Title != "内部管理后台" {
		t.Errorf("allowed by --fetch-allow: reachable %v, error %q", r.Reachable, r.Error)
	}
}

func TestCheckRefusesRedirectToInternal(t *testing.T) {
	inner := internalSite(t)
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/admin", http.StatusFound)
	}))
	t.Cleanup(outer.Close)
	// The first site is allowed (it stands for a public one); where it
	// redirects is checked again when dialled.
	r := guarded(t, "127.0.0.1").Check(context.Background(), outer.URL)
	if r.Reachable || !strings.Contains(r.Error, "127.0.0.2") || r.Title != "" {
		t.Errorf("redirect to an internal address: reachable %v, error %q, title %q", r.Reachable, r.Error, r.Title)
	}
}
