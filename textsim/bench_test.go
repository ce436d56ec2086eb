package textsim

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// synthNames makes n channel names of a province with 30 counties: each a
// county stem, a place or unit name drawn from a large pool, a function and
// now and then a platform suffix; about 3% are planted near-duplicates of
// an earlier name of the same county and kind (another unit's copy with a
// suffix added or a character changed). Items are blocked by kind and
// county, as the registry compares them.
func synthNames(n int) []Item {
	r := rand.New(rand.NewPCG(20260101, 4))
	pool := []rune("安宁和平兴隆福寿长乐永康新华东西南北中山水石桥河湖溪塘林松竹梅兰花园青白云龙凤阳春秋星月城关镇乡村社屯堡坪岭湾洲岗营坊集庄口坝")
	funcs := []string{"教育", "卫生健康", "公安", "交通运输", "文化旅游", "市场监管", "人力社保", "医疗保障", "应急管理", "水利", "农业农村",
		"自然资源", "生态环境", "住房建设", "税务", "民政", "司法", "退役军人", "统计", "审计", "信访", "共青团", "妇联", "总工会", "科协",
		"残联", "融媒体中心", "政务服务", "12345热线", "大数据", "消防救援", "气象", "供销", "城市管理", "商务", "发展改革", "财政", "档案", "史志", "图书馆"}
	suffixes := []string{"", "", "", "发布", "在线", "服务", "之声", "动态", "资讯", "微讯", "速递", "工作群", "家长群", "便民服务"}
	counties := make([]string, 30)
	for i := range counties {
		counties[i] = string([]rune{pool[r.IntN(len(pool))], pool[r.IntN(len(pool))]})
	}
	kinds := []string{"app", "account", "group"}
	items := make([]Item, 0, n)
	for len(items) < n {
		c := r.IntN(len(counties))
		block := kinds[r.IntN(3)] + "/" + fmt.Sprint(c)
		if len(items) > 100 && r.IntN(100) < 3 {
			// A near-duplicate of an earlier item of the same block, if found nearby.
			for try := 0; try < 20; try++ {
				src := items[len(items)-1-r.IntN(min(len(items)-1, 5000))]
				if src.Block != block {
					continue
				}
				k := []rune(src.Key)
				switch r.IntN(3) {
				case 0:
					k = append(k, []rune("发布")...)
				case 1:
					k[r.IntN(len(k))] = pool[r.IntN(len(pool))]
				default:
					k = append(k[:len(k)-1:len(k)-1], []rune("服务")...)
				}
				items = append(items, Item{Key: string(k), Block: block, Group: int64(len(items))})
				break
			}
			continue
		}
		place := make([]rune, 2+r.IntN(2))
		for i := range place {
			place[i] = pool[r.IntN(len(pool))]
		}
		name := counties[c] + string(place) + funcs[r.IntN(len(funcs))] + suffixes[r.IntN(len(suffixes))]
		items = append(items, Item{Key: name, Block: block, Group: int64(len(items))})
	}
	return items
}

var (
	synthOnce sync.Once
	synth1M   []Item
)

func million(b *testing.B) []Item {
	if testing.Short() {
		b.Skip("1,000,000 names skipped in -short mode")
	}
	synthOnce.Do(func() { synth1M = synthNames(1_000_000) })
	return synth1M
}

// BenchmarkNearDuplicates1M finds every pair of near-duplicate names
// (Dice ≥ 0.8) among 1,000,000 channel names, blocked by kind and county.
// The target is under 60 s.
func BenchmarkNearDuplicates1M(b *testing.B) {
	items := million(b)
	b.ResetTimer()
	var pairs int
	start := time.Now()
	for i := 0; i < b.N; i++ {
		pairs = len(AllPairs(items, 0.8))
	}
	secs := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(float64(len(items))/secs, "names/s")
	b.ReportMetric(secs, "s/1M-names")
	b.ReportMetric(float64(pairs), "pairs")
}

// BenchmarkNearDuplicates5k runs the indexed join on the 5,000 names the
// baseline compares pair by pair.
func BenchmarkNearDuplicates5k(b *testing.B) {
	items := synthNames(5000)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		AllPairs(items, 0.8)
	}
	b.ReportMetric(float64(len(items))*float64(b.N)/time.Since(start).Seconds(), "names/s")
}

// BenchmarkBaselineNaivePairs5k compares every pair of 5,000 names in the
// same block: quadratic, the way to do it without an index.
func BenchmarkBaselineNaivePairs5k(b *testing.B) {
	items := synthNames(5000)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		NaivePairs(items, 0.8)
	}
	b.ReportMetric(float64(len(items))*float64(b.N)/time.Since(start).Seconds(), "names/s")
}
