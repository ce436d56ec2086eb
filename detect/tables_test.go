package detect

import (
	"strings"
	"testing"

	"github.com/longbridgeapp/opencc"
	"github.com/mozillazg/go-pinyin"
)

// The committed single-character tables were generated from OpenCC and
// go-pinyin (gen_tables.go); these tests check they still agree with the
// libraries on the words the rules use and on typical traditional disguises.

func TestTraditionalFoldsLikeOpenCC(t *testing.T) {
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, trad := range []string{"請各單位回覆收到", "節龍報數", "點讚轉發評論", "簽到打卡", "報送臺賬", "下載註冊", "截圖上傳", "學習積分", "績效考核", "隨叫隨到"} {
		want, err := cc.Convert(trad)
		if err != nil {
			t.Fatal(err)
		}
		toks, _ := d.norm.tokenize(trad, nil)
		var got strings.Builder
		for _, tk := range toks {
			got.WriteRune(tk.r)
		}
		// OpenCC's phrase tables may pick 复 or 覆 in context; the character
		// table is what the normaliser uses, so compare character by character
		// where OpenCC's choice is unambiguous.
		w, g := []rune(want), []rune(got.String())
		if len(w) != len(g) {
			t.Fatalf("%s: OpenCC %q, normaliser %q", trad, want, got.String())
		}
		for i := range w {
			if w[i] != g[i] && !(w[i] == '复' && g[i] == '覆') {
				t.Errorf("%s: OpenCC %q, normaliser %q", trad, want, got.String())
				break
			}
		}
	}
}

func TestPinyinTableMatchesGoPinyin(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	syms := d.norm.syms
	seen := map[rune]bool{}
	for _, r := range d.Rules() {
		for _, p := range r.Patterns {
			for _, c := range p {
				if c < 0x3400 || c > 0x9fff || seen[c] {
					continue
				}
				seen[c] = true
				want := pinyin.SinglePinyin(c, pinyin.NewArgs())
				if len(want) == 0 {
					continue
				}
				got := syms.sylNames[syms.primary[c]]
				if strings.ReplaceAll(want[0], "ü", "v") != got {
					t.Errorf("%c: table %q, go-pinyin %q", c, got, want[0])
				}
			}
		}
	}
	if len(seen) < 300 {
		t.Fatalf("only %d characters checked", len(seen))
	}
}
