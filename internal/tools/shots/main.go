// Command shots logs in to a running jianfu server with headless Chromium
// and saves full-page PNG screenshots of the given paths at desktop and
// phone width, for people to look at the pages.
//
//	go run ./internal/tools/shots -url http://127.0.0.1:8080 -user jiangnan.jianguan -out /tmp/shots / /burden /registry
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server address")
	user := flag.String("user", "", "username (empty: do not log in)")
	pass := flag.String("password", "Demo-2026-jianfu", "password")
	out := flag.String("out", "shots", "output directory")
	flag.Parse()
	if err := run(*base, *user, *pass, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(base, user, pass, out string, paths []string) error {
	dir, err := os.MkdirTemp("", "shots-chrome-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := []chromedp.ExecAllocatorOption{}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			opts = append(opts, chromedp.ExecPath(p))
			break
		}
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(opts,
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir))...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if user != "" {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, pass), chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`header .who`)); err != nil {
			return fmt.Errorf("login: %w", err)
		}
	}
	for _, p := range paths {
		name := strings.Trim(strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_").Replace(p), "_")
		if name == "" {
			name = "home"
		}
		for _, size := range []struct {
			tag  string
			w, h int64
		}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(base+p), chromedp.Sleep(300*time.Millisecond)); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			height, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
			if err != nil {
				return err
			}
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				return err
			}
			file := filepath.Join(out, name+"-"+size.tag+".png")
			if err := os.WriteFile(file, buf, 0o644); err != nil {
				return err
			}
			fmt.Printf("%s\t%d px\n", file, height)
		}
	}
	return nil
}
