package web_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBrowserConfirmAndBusy: disabling a unit asks first, saying what
// will happen; answered no, nothing is sent; answered yes, the unit is
// disabled. A form being sent has its buttons disabled, the pressed one
// saying 处理中…, refuses a second submit, and is usable again when the
// page comes back from the back-forward cache.
func TestBrowserConfirmAndBusy(t *testing.T) {
	ctx := chrome(t)
	h := newHarness(t, storetest.Open(t, store.SQLite))
	var accept atomic.Bool
	asked := answerDialogs(ctx, &accept)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	unitURL := h.srv.URL + "/units/" + itoa(h.fx.Units["northEdu"].ID)
	save := `input[name=disabled]`
	must(chromedp.Do(ctx, loginAs(h.srv.URL, "prov.admin"), chromedp.Navigate(unitURL), chromedp.WaitVisible(save),
		chromedp.Click(save), chromedp.Click(`form.form button.primary`)))
	if msg := asked.Load().(string); !strings.Contains(msg, "停用后该单位的用户将无法登录") {
		t.Fatalf("disabling a unit asked %q, want what it does", msg)
	}
	// Answered no: the page stays, nothing was stored.
	must(chromedp.Do(ctx, chromedp.Navigate(unitURL), chromedp.WaitVisible(save)))
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("input[name=disabled]").checked`))
	must(err)
	if checked {
		t.Fatal("the unit was disabled although the question was answered no")
	}

	// The busy state, on a synthetic submit (which the browser does not
	// send; it bubbles as a real one does).
	accept.Store(true)
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise(function (done) {
		var f = document.querySelector("form.form"), b = f.querySelector("button.primary");
		var first = new SubmitEvent("submit", {cancelable: true, submitter: b, bubbles: true});
		f.dispatchEvent(first);
		setTimeout(function () {
			var second = new SubmitEvent("submit", {cancelable: true, submitter: b, bubbles: true});
			f.dispatchEvent(second);
			var s = [b.disabled, b.textContent, second.defaultPrevented].join("|");
			window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
			done(s + "|" + [b.disabled, b.textContent].join("|"));
		}, 10);
	})`, chromedp.EvalAwaitPromise))
	must(err)
	if want := "true|处理中…|true|false|保存"; state != want {
		t.Errorf("busy, second submit, after pageshow: %q, want %q", state, want)
	}

	// Answered yes: the unit is disabled.
	asked.Store("")
	must(chromedp.Do(ctx, chromedp.Navigate(unitURL), chromedp.WaitVisible(save),
		chromedp.Click(save), chromedp.Click(`form.form button.primary`), chromedp.WaitVisible(`.flash`)))
	if msg := asked.Load().(string); msg == "" {
		t.Error("the second time, no question was asked")
	}
	must(chromedp.Do(ctx, chromedp.Navigate(unitURL), chromedp.WaitVisible(save)))
	checked, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("input[name=disabled]").checked`))
	must(err)
	if !checked {
		t.Error("answered yes, the unit is not disabled")
	}
}
