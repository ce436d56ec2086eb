package security

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jianfu"
	"jianfu/monitor"
	"jianfu/netguard"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// TestMonitoringCannotReachInternalPages replays attack 6: technical
// monitoring fetched a loopback address, followed its links to another
// loopback port and showed the internal page's title to the unit admin;
// channel addresses took any scheme. Now the address must be http(s), and
// the monitor's dialer refuses internal addresses, after DNS and on every
// redirect, unless --fetch-allow lists them.
func TestMonitoringCannotReachInternalPages(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("no second loopback address here:", err)
	}
	internal := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><title>内部管理后台</title></head><body>root password</body></html>")
	})}}
	internal.Start()
	defer internal.Close()
	// A page that stands for a public site and redirects inside.
	bouncer := httptest.NewServer(http.RedirectHandler(internal.URL+"/admin", http.StatusFound))
	defer bouncer.Close()

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := start(t, db, web.Config{})
		tok := s.token("south.edu")
		unit := s.fx.Units["southEdu"].ID
		for _, bad := range []string{"javascript:alert(document.cookie)", "file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL"} {
			st, body := s.api(tok, "POST", "/api/v1/channels", map[string]any{"kind": "account", "name": "江南教育", "unit_id": unit, "platform": "weibo", "url": bad})
			msg, _ := json.Marshal(body)
			if st != http.StatusBadRequest || !strings.Contains(string(msg), "http://") {
				t.Errorf("channel address %q: %d %s, want 400 saying http(s)", bad, st, msg)
			}
		}
		list, total, err := db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{})
		if err != nil || total != 0 {
			t.Fatalf("refused channels were stored: %d %v %v", total, list, err)
		}

		var targets []jianfu.MonitorTarget
		var ids []int64
		for _, u := range []string{internal.URL, strings.Replace(internal.URL, "127.0.0.2", "[::ffff:127.0.0.2]", 1), bouncer.URL} {
			st, body := s.api(tok, "POST", "/api/v1/channels", map[string]any{"kind": "account", "name": "江南教育" + fmt.Sprint(len(ids)), "unit_id": unit, "platform": "weibo", "url": u})
			if st != http.StatusCreated {
				t.Fatalf("create a channel at %s: %d %v", u, st, body)
			}
			ids = append(ids, int64(body["id"].(float64)))
			targets = append(targets, jianfu.MonitorTarget{ChannelID: ids[len(ids)-1], URL: u})
		}
		// The monitor as serve wires it; the bouncer's own address stands
		// for a public site, as --fetch-allow would let it through.
		allow, _ := netguard.ParsePrefixes("127.0.0.1")
		checker := monitor.New(monitor.Config{Outbound: netguard.Outbound{Allow: allow}})
		if err := db.Monitor().RecordChecks(storetest.System(), checker.CheckAll(storetest.System(), targets)); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			st, body := s.api(tok, "GET", fmt.Sprintf("/api/v1/scorecards/%d/checks", id), nil)
			raw, _ := json.Marshal(body)
			if st != http.StatusOK || !strings.Contains(string(raw), "拒绝访问内部地址") || strings.Contains(string(raw), "内部管理后台") || strings.Contains(string(raw), `"reachable":true`) {
				t.Errorf("the unit admin sees channel %d's check: %d %s", id, st, raw)
			}
		}
	})
}
