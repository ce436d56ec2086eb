package demo

import (
	"math/rand/v2"
	"strings"
)

// syl is a Chinese syllable or word with its pinyin, so that usernames can
// be spelled from generated place names without a pinyin dictionary (and
// without its polyphone mistakes: 长 is chang in a place name).
type syl struct{ zh, py string }

func (s syl) plus(t syl) syl { return syl{s.zh + t.zh, s.py + t.py} }

// pool parses "青qing 白bai …" into syllables.
func pool(s string) []syl {
	var out []syl
	for _, f := range strings.Fields(s) {
		i := strings.IndexFunc(f, func(r rune) bool { return r < 0x80 })
		out = append(out, syl{f[:i], f[i:]})
	}
	return out
}

// Place names are composed the way most Chinese ones are: a descriptive
// first syllable (colour, plant, animal, direction, auspicious word) and a
// landform second syllable (山, 溪, 桥, 坪 …).
var (
	placeFirst = pool(`青qing 白bai 黄huang 石shi 龙long 凤feng 桃tao 柳liu 松song 梅mei 兰lan 竹zhu 杨yang 高gao 长chang
		永yong 新xin 安an 宁ning 平ping 太tai 大da 双shuang 金jin 银yin 玉yu 云yun 丰feng 富fu 兴xing 和he 福fu 嘉jia
		华hua 明ming 清qing 东dong 西xi 南nan 北bei 马ma 鹤he 望wang 古gu 仙xian 赤chi 碧bi 翠cui 紫zi 丹dan 桂gui
		枫feng 荷he 莲lian 茶cha 花hua 泉quan 洪hong 瑞rui 昌chang 隆long 泰tai 康kang 乐le 庆qing 延yan 岳yue 秀xiu
		文wen 德de 仁ren 崇chong 广guang 盛sheng 益yi 吉ji 万wan 九jiu 三san 横heng 樟zhang 桐tong 槐huai 棠tang 杉shan
		梓zi 麒qi 鹿lu 雁yan 燕yan 鸣ming 朝chao 霞xia 湘xiang 沅yuan 澧li 潇xiao 汨mi 浏liu 湄mei 涟lian 溆xu 芷zhi`)
	placeSecond = pool(`山shan 江jiang 河he 溪xi 湖hu 塘tang 桥qiao 坪ping 岭ling 峰feng 口kou 湾wan 洲zhou 源yuan 泉quan
		田tian 冲chong 铺pu 店dian 坝ba 岗gang 坡po 林lin 庄zhuang 阳yang 城cheng 安an 宁ning 水shui 石shi 滩tan
		渡du 埠bu 寨zhai 堡bao 圩xu 平ping 丰feng 兴xing 陵ling 川chuan 谷gu 岩yan 关guan 门men 亭ting 台tai 营ying
		屯tun 港gang 浦pu 汀ting 潭tan 泽ze 原yuan 沟gou 垅long 溪xi 陂bei 岑cen 嶂zhang 畈fan 垸yuan 湄mei 滨bin`)

	// Urban words for 街道 and 社区.
	streetWords = pool(`望江wangjiang 滨江binjiang 东湖donghu 城东chengdong 城西chengxi 城南chengnan 城北chengbei
		人民路renminlu 解放路jiefanglu 中山路zhongshanlu 新华路xinhualu 朝阳chaoyang 东风dongfeng 胜利shengli
		红旗hongqi 文化路wenhualu 金桥jinqiao 湖滨hubin 江滨jiangbin 桃园taoyuan 凤凰fenghuang 龙湖longhu
		月湖yuehu 桂花guihua 青年路qingnianlu 五一路wuyilu 八一路bayilu 府前fuqian 火车站huochezhan 新城xincheng
		高新gaoxin 锦江jinjiang 南湖nanhu 北塔beita 西园xiyuan 东塘dongtang 白沙baisha 砂子塘shazitang`)
	communityWords = pool(`幸福xingfu 和平heping 建设jianshe 团结tuanjie 锦绣jinxiu 花园huayuan 阳光yangguang
		春晖chunhui 育才yucai 民主minzhu 光明guangming 长青changqing 翠苑cuiyuan 新村xincun 振兴zhenxing
		友谊youyi 复兴fuxing 繁荣fanrong 和谐hexie 景湖jinghu 紫荆zijing 丽都lidu 金色jinse 书院shuyuan
		学府xuefu 南苑nanyuan 北苑beiyuan 东苑dongyuan 西苑xiyuan 枫林fenglin 梅园meiyuan 荷塘hetang
		滨湖binhu 望月wangyue 观澜guanlan 清水qingshui 新桥xinqiao 永安yongan 福寿fushou 康宁kangning`)
	communitySuffix = pool(`里li 苑yuan 路lu 园yuan 坊fang 湾wan`)

	surnames = pool(`张zhang 王wang 李li 刘liu 陈chen 杨yang 黄huang 赵zhao 周zhou 吴wu 徐xu 孙sun 胡hu 朱zhu
		高gao 林lin 何he 郭guo 马ma 罗luo 梁liang 宋song 郑zheng 谢xie 韩han 唐tang 冯feng 于yu 董dong
		萧xiao 程cheng 曹cao 袁yuan 邓deng 许xu 傅fu 沈shen 曾zeng 彭peng 苏su 卢lu 蒋jiang 蔡cai 贾jia
		丁ding 魏wei 薛xue 叶ye 余yu 潘pan 杜du 戴dai 夏xia 钟zhong 汪wang 田tian 任ren 姜jiang 范fan
		方fang 姚yao 谭tan 廖liao 邹zou 熊xiong 金jin 陆lu 郝hao 孔kong 白bai 崔cui 康kang 毛mao 邱qiu
		秦qin 史shi 顾gu 侯hou 邵shao 孟meng 龙long 万wan 段duan 雷lei 钱qian 汤tang 尹yin 黎li 易yi
		常chang 武wu 乔qiao 贺he 赖lai 龚gong 文wen 覃qin 向xiang 欧阳ouyang`)
)

// Given-name characters of people. Pinyin is not needed for them.
var (
	givenMale   = []rune("伟刚勇毅俊峰强军平东文辉力明永健志义兴良海波宁福龙元全国胜学祥才武新利清飞彬顺杰涛昌成康星光天达安岩中茂进林坚博诚先振群豪承乐绍松善厚庆磊民友裕哲江超浩亮政谦鸣朋斌栋维启克翔旭鹏泽晨建家致树德行泰盛宏卫红")
	givenFemale = []rune("秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红玲芬芳燕彩春菊兰凤洁梅琳素云莲雪荣爱霞香月媛艳瑞佳嘉琼勤珍莉桂晶妍茜秋珊锦青倩婷婉颖露瑶怡蓉丹君琴蕊薇菁梦岚馨韵悦昭冰爽欣晓欢枫芸菲亚宜舒丽敏静")
)

// personName returns a plausible Chinese name: a surname and one or two
// given-name characters (two twice as often as one).
func personName(rng *rand.Rand) string {
	given := givenMale
	if rng.IntN(2) == 0 {
		given = givenFemale
	}
	name := []rune(pick(rng, surnames).zh)
	n := 1
	if rng.IntN(3) > 0 {
		n = 2
	}
	for i := 0; i < n; {
		if r := given[rng.IntN(len(given))]; r != name[len(name)-1] { // no 江江, no 伟伟
			name = append(name, r)
			i++
		}
	}
	return string(name)
}

func pick(rng *rand.Rand, p []syl) syl { return p[rng.IntN(len(p))] }

// placeName composes a two-syllable place name such as 石桥 or 桃源.
func placeName(rng *rand.Rand) syl {
	for {
		a, b := pick(rng, placeFirst), pick(rng, placeSecond)
		if a.zh != b.zh {
			return a.plus(b)
		}
	}
}

// villageName is a place name, or a clan name such as 张家湾.
func villageName(rng *rand.Rand) syl {
	if rng.IntN(5) < 2 {
		return pick(rng, surnames).plus(syl{"家", "jia"}).plus(pick(rng, placeSecond))
	}
	return placeName(rng)
}

// streetName is an urban name for a 街道, falling back to a place name.
func streetName(rng *rand.Rand) syl {
	if rng.IntN(4) == 0 {
		return placeName(rng)
	}
	return pick(rng, streetWords)
}

// communityName is the name of an urban 社区 such as 幸福里 or 滨湖.
func communityName(rng *rand.Rand) syl {
	w := pick(rng, communityWords)
	if rng.IntN(2) == 0 {
		if s := pick(rng, communitySuffix); !strings.HasSuffix(w.zh, s.zh) {
			w = w.plus(s) // 幸福里, but not 西苑苑
		}
	}
	return w
}

// distinguishers tell apart places that would otherwise share a name.
var distinguishers = pool(`新xin 上shang 下xia 东dong 西xi 南nan 北bei 中zhong`)

// names hands out names unique within one scope (a parent region, a
// parent unit), drawing again when a name is taken.
type names map[string]bool

// take draws from gen until it gets a name not yet used, and marks it used.
// After many collisions it appends a distinguishing character, as real
// places do (新, 上, 下 …), so it always terminates.
func (n names) take(rng *rand.Rand, gen func(*rand.Rand) syl) syl {
	for i := 0; ; i++ {
		s := gen(rng)
		if i > 50 {
			s = pick(rng, distinguishers).plus(s)
		}
		if !n[s.zh] {
			n[s.zh] = true
			return s
		}
	}
}
