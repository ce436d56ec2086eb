package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// The profiler is served only on a loopback address, and only when asked.
func TestPprofOnlyOnLoopback(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:6060", ":6060", "example.org:6060"} {
		err := startPprof(ctx, addr, log)
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), "回环") && !strings.Contains(err.Error(), "HOST:PORT") {
			t.Errorf("--pprof %s: %v, want refused", addr, err)
		}
	}
	if err := startPprof(ctx, "", log); err != nil {
		t.Errorf("off: %v", err)
	}
	// a free loopback port
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if err := startPprof(ctx, addr, log); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
		t.Errorf("profile: %d %.200s", resp.StatusCode, body)
	}
}
