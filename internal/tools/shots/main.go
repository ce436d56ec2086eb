// Command shots logs in to a running jianfu server with headless Chromium
// and saves full-page PNG screenshots of the given paths at desktop and
// phone width, for people to look at the pages.
//
//	go run ./internal/tools/shots -url http://127.0.0.1:8080 -user jiangnan.jianguan -out /tmp/shots / /burden /registry
//
// With -crawl it follows the links from the home page instead, the way the
// browser crawl test does (at most two pages of each path pattern), for
// each of the comma-separated -users, into OUT/USER/. scripts/shots.sh
// (make shots) runs it against a fresh small demo for every demo account.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jianfu/internal/crawl"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server address")
	user := flag.String("user", "", "username (empty: do not log in)")
	pass := flag.String("password", "Demo-2026-jianfu", "password")
	out := flag.String("out", "shots", "output directory")
	crawlMode := flag.Bool("crawl", false, "follow the links from the home page instead of taking the given paths")
	users := flag.String("users", "", "with -crawl: comma-separated usernames, each crawled into OUT/USERNAME (empty: -user)")
	limit := flag.Int("limit", 60, "with -crawl: at most this many pages per user")
	flag.Parse()
	var err error
	if *crawlMode {
		list := strings.Split(cmp.Or(*users, *user), ",")
		err = crawlAll(*base, list, *pass, *out, *limit)
	} else {
		err = run(*base, *user, *pass, *out, flag.Args())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// browser starts headless Chromium; stop ends it.
func browser() (ctx context.Context, stop func(), err error) {
	dir, err := os.MkdirTemp("", "shots-chrome-")
	if err != nil {
		return nil, nil, err
	}
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
	ctx, cancel2 := chromedp.NewContext(actx)
	return ctx, func() { cancel2(); cancel(); os.RemoveAll(dir) }, nil
}

func login(ctx context.Context, base, user, pass string) error {
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return err
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/login"), chromedp.SendKeys(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, pass), chromedp.Click(`button[type=submit]`), chromedp.WaitVisible(`header .who`)); err != nil {
		return fmt.Errorf("login as %s: %w", user, err)
	}
	return nil
}

// sizes are the two widths of every screenshot.
var sizes = []struct {
	tag  string
	w, h int64
}{{"desktop", 1366, 768}, {"phone", 390, 844}}

// shoot saves the page at p at both sizes into out and returns the links
// it shows (read at the desktop size).
func shoot(ctx context.Context, base, out, p string) ([]string, error) {
	name := strings.Trim(strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_").Replace(p), "_")
	if name == "" {
		name = "home"
	}
	var links []string
	for _, size := range sizes {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(base+p), chromedp.Sleep(300*time.Millisecond)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if links == nil {
			l, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](crawl.LinksJS))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			links = l
		}
		height, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
		if err != nil {
			return nil, err
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			return nil, err
		}
		file := filepath.Join(out, name+"-"+size.tag+".png")
		if err := os.WriteFile(file, buf, 0o644); err != nil {
			return nil, err
		}
		fmt.Printf("%s\t%d px\n", file, height)
	}
	return links, nil
}

func run(base, user, pass, out string, paths []string) error {
	ctx, stop, err := browser()
	if err != nil {
		return err
	}
	defer stop()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if user != "" {
		if err := login(ctx, base, user, pass); err != nil {
			return err
		}
	}
	for _, p := range paths {
		if _, err := shoot(ctx, base, out, p); err != nil {
			return err
		}
	}
	return nil
}

// crawlAll logs in as each user and saves every page reachable from the
// home page, at most limit pages each, into out/USER.
func crawlAll(base string, users []string, pass, out string, limit int) error {
	ctx, stop, err := browser()
	if err != nil {
		return err
	}
	defer stop()
	total := 0
	for _, user := range users {
		user = strings.TrimSpace(user)
		if user == "" {
			continue
		}
		if err := login(ctx, base, user, pass); err != nil {
			return err
		}
		dir := filepath.Join(out, user)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		q := crawl.NewQueue(base)
		q.Add("/")
		for n := 0; n < limit; n++ {
			p, ok := q.Next()
			if !ok {
				break
			}
			links, err := shoot(ctx, base, dir, p)
			if err != nil {
				return err
			}
			for _, l := range links {
				q.Add(l)
			}
			total++
		}
	}
	fmt.Fprintf(os.Stderr, "%d pages × %d sizes for %d accounts in %s\n", total, len(sizes), len(users), out)
	return nil
}
