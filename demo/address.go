package demo

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"

	"jianfu"
)

// publicAddress gives a planned account or app the platform identifier
// and public link a real one would have on its platform — the shapes the
// default link rules recognise — so that public verification by link,
// technical monitoring and the registry's link column show real data. It
// draws from a hash of what the channel already is, not from the
// generator's random stream, so adding it changed no other demo record.
// Work groups, WeChat mini programs and quick apps have no public page.
func publicAddress(c *jianfu.Channel) {
	if c.Kind == jianfu.KindGroup || c.URL != "" {
		return
	}
	h := fnv.New64a()
	fmt.Fprint(h, c.Kind, c.Platform, c.Name, c.PlatformID)
	n := h.Sum64()
	digits := func(k int) string { // k decimal digits, no leading zero
		lo := uint64(1)
		for range k - 1 {
			lo *= 10
		}
		return fmt.Sprint(lo + n%(9*lo))
	}
	hex := func(k int) string { return fmt.Sprintf("%016x%016x", n, n*0x9e3779b97f4a7c15)[:k] }
	id, url := "", ""
	switch c.Platform {
	case "wechat_oa":
		id = base64.StdEncoding.EncodeToString([]byte(digits(10)))
		url = "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=" + id
	case "weibo":
		id = digits(10)
		url = "https://weibo.com/u/" + id
	case "douyin":
		id = "MS4wLjABAAAA" + base64.RawURLEncoding.EncodeToString([]byte(hex(24)))[:32]
		url = "https://www.douyin.com/user/" + id
	case "kuaishou":
		id = "3x" + hex(13)
		url = "https://www.kuaishou.com/profile/" + id
	case "toutiao":
		id = digits(16)
		url = "https://www.toutiao.com/c/user/token/" + id + "/"
	case "bilibili":
		id = digits(10)
		url = "https://space.bilibili.com/" + id
	case "xiaohongshu":
		id = hex(24)
		url = "https://www.xiaohongshu.com/user/profile/" + id
	case "wechat_channels":
		id = "sph" + hex(10)
		url = "https://channels.weixin.qq.com/finder/" + id
	case "ios":
		id = digits(10)
		url = "https://apps.apple.com/cn/app/id" + id
	case "android":
		id = fmt.Sprintf("cn.gov.linjiang.app%s", hex(6))
		url = "https://app.mi.com/details?id=" + id
	case "harmony":
		id = "C" + digits(14)
		url = "https://appgallery.huawei.com/app/" + id
	case "alipay_mini":
		id = "2021" + digits(12)
		url = "https://render.alipay.com/p/s/i/?appId=" + id
	default:
		return
	}
	c.PlatformID, c.URL = id, url
}
