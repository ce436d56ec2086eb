// Command commonpw writes the list of common passwords the password
// policy refuses (jianfu.ValidatePassword): the base words people build
// passwords from — English favourites, pinyin names and phrases, keyboard
// walks — one per line, lower case, sorted. The policy strips leading and
// trailing digits and symbols and undoes look-alike substitutions before
// looking a password up, so "Zhangwei1990!" and "P@ssw0rd123" match
// "zhangwei" and "password" here.
//
//	go run ./internal/tools/commonpw -o common_passwords.txt
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

var english = strings.Fields(`
password passwd passw0rd pass admin administrator root toor guest test tester user login welcome
changeme default secret letmein master manager server system oracle mysql database sysadmin
iloveyou princess monkey dragon football baseball basketball soccer hockey sunshine shadow superman
batman michael jordan jennifer hunter ranger buster harley tigger charlie robert thomas george
andrew daniel jessica ashley nicole michelle matthew joshua anthony amanda summer winter spring autumn
freedom whatever starwars computer internet hello hellokitty trustno1 love lover loveme lovely
killer pepper ginger cookie cheese chocolate banana orange apple flower angel angels baby babygirl
family friends friend forever money qwerty secure security access master123 mustang ferrari porsche
yankees liverpool chelsea arsenal barcelona madrid naruto pokemon mickey minnie snoopy garfield
dolphin tiger lion eagle falcon phoenix silver golden diamond crystal purple yellow black white red
blue green pink happy smile lucky victory champion samsung apple iphone android google facebook
microsoft windows linux ubuntu office outlook hotmail gmail yahoo
abc abcd abcde abcdef abcdefg abcdefgh abcdefghi abcdefghij aaa aaaa aaaaa aaaaaa zzz xxx
test test123 demo sample example temp temporary nothing none empty nopass unknown
`)

// Pinyin the way Chinese users write passwords: phrases, places, firms.
var pinyinPhrases = strings.Fields(`
woaini woaini1314 aini aini1314 woaiwojia woaiwoma woaibaba woaimama woaini520 woainimen
woshishui wodemima mima mimamima wangjimima nihao nihaoma zaijian xiexie duibuqi meiyou
zhongguo zhonghua zhongguoren aiguo beijing shanghai tianjin chongqing guangzhou shenzhen
hangzhou nanjing wuhan chengdu xian changsha zhengzhou jinan qingdao dalian shenyang harbin
xiamen fuzhou kunming guiyang nanning haikou lanzhou xining yinchuan wulumuqi lasa huhehaote
taiyuan shijiazhuang hefei nanchang changchun suzhou wuxi ningbo wenzhou dongguan foshan
huawei xiaomi baidu tengxun tencent alibaba taobao jingdong weixin wechat zhifubao qq qqqq
dianxin yidong liantong zhengfu zhengwu wangxin wangxinban guanliyuan yonghu xitong ceshi
jianfu danwei bangongshi mishu lingdao shuji shengzhang shizhang xianzhang zhuren kezhang
kuaile xingfu pingan jiankang fugui facai gongxi gongxifacai wanshiruyi xinxiang shicheng
tiantian huahua xiaoxiao lele beibei jingjing yingying lili feifei niuniu baobao bao baobei
laopo laogong qinqin qinaide xiaobao xiaobai xiaohei xiaoming xiaohong xiaogang xiaoli
meimei gege jiejie didi mama baba yeye nainai shushu ayi laoshi xuesheng tongxue pengyou
aiqing yongyuan yibeizi yishengyishi shengri shengrikuaile xinnian chunjie
sanguo xiyou honglou shuihu sunwukong zhubajie tangseng guanyu zhangfei liubei zhugeliang
maozedong dengxiaoping zhouenlai
`)

var surnames = strings.Fields(`wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo
zheng liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai jia ding wei xue ye
yan lu du dai fu zhong cheng shen ren lv qin jin kong bai cui kang mao qiu qian yin shi gu hou shao meng long
wan duan lei tan hao yao fan jiao`)

var givenNames = strings.Fields(`wei fang na min jing li qiang lei jun yang yong yan jie tao ming chao xiuying
xia ping gang hua hui dan yu ling bo fei hao xin peng yi kai lin hong yun juan ying jian bin bing feng long
tingting jingjing lili nana wenjing xiaoyan xiaohong guiying yulan xiuzhen haiyan jianhua jianguo guoqiang
zhiqiang jianjun dongmei xiaoli haiyang zihan yuxuan yichen haoran zixuan`)

// Keyboard walks: rows, columns and their common mixes.
var keyboard = strings.Fields(`
qwe qwer qwert qwerty qwertyu qwertyui qwertyuiop asd asdf asdfg asdfgh asdfghj asdfghjk asdfghjkl
zxc zxcv zxcvb zxcvbn zxcvbnm qaz qazwsx qazwsxedc qazwsxedcrfv wsx edc rfv zaq zaqwsx zaq1 zaq12wsx
1qaz 1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv 1qaz@wsx 1qaz@wsx#edc !qaz2wsx !qaz@wsx 1qazxsw2 2wsx3edc
1q2w3e 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y q1w2e3 q1w2e3r4 q1w2e3r4t5 qweasd qweasdzxc asdqwe asdzxc
1234qwer qwer1234 qwer!234 1qw23e 123qwe qwe123 qweqwe asdasd zxczxc abc123 abcd1234 a1b2c3 a1b2c3d4
a123456 aa123456 qq123456 abc123456 qwe123456 asd123456 123abc 1234abcd poiuyt lkjhgf mnbvcx ytrewq
`)

func main() {
	out := flag.String("o", "common_passwords.txt", "output file")
	flag.Parse()
	set := map[string]bool{}
	add := func(words ...string) {
		for _, w := range words {
			set[strings.ToLower(w)] = true
		}
	}
	add(english...)
	add(pinyinPhrases...)
	add(keyboard...)
	for _, s := range surnames {
		for _, g := range givenNames {
			add(s + g)
		}
		add(s, "xiao"+s, "lao"+s)
	}
	for _, w := range append(append([]string{}, english...), pinyinPhrases...) {
		add(w+w, w+"123", w+"666", w+"888", w+"520", w+"1314")
	}
	list := make([]string, 0, len(set))
	for w := range set {
		list = append(list, w)
	}
	sort.Strings(list)
	var b strings.Builder
	b.WriteString("# Common passwords refused by jianfu's password policy. Generated by\n# go run ./internal/tools/commonpw -o common_passwords.txt; do not edit.\n")
	for _, w := range list {
		b.WriteString(w)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d passwords written to %s\n", len(list), *out)
}
