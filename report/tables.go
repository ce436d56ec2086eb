package report

import (
	"bytes"
	"io"
	"time"

	"jianfu"
	"jianfu/importer"
	"jianfu/tabular"
)

// CaseLedger composes the case ledger (问题线索台账) that offices report
// upward, one row per case cases hands over, with overdue working days
// counted by cal as of now. It returns the file and how many cases it holds.
func CaseLedger(format tabular.Format, cal jianfu.WorkdayCounter, now time.Time, cases Each[*jianfu.Case]) (*File, int, error) {
	var buf bytes.Buffer
	n, err := WriteCaseLedger(&buf, format, cal, now, cases)
	data := buf.Bytes()
	if err != nil {
		return nil, 0, err
	}
	stamp := now.In(jianfu.China).Format("20060102")
	return &File{Name: "问题线索台账-" + stamp + "." + string(format), Short: "cases-" + stamp + "." + string(format), Type: mediaType(format), Data: data}, n, nil
}

// Channels composes the registry's export (备案渠道): the columns of the
// import template followed by read-only facts, one row per channel
// channels hands over. It returns the file and how many channels it holds.
func Channels(format tabular.Format, now time.Time, channels Each[*jianfu.Channel]) (*File, int, error) {
	var buf bytes.Buffer
	n, err := WriteChannels(&buf, format, channels)
	data := buf.Bytes()
	if err != nil {
		return nil, 0, err
	}
	name := "备案渠道-" + now.In(jianfu.China).Format("20060102") + "." + string(format)
	return &File{Name: name, Short: "channels." + string(format), Type: mediaType(format), Data: data}, n, nil
}

// WriteCaseLedger streams the case ledger to w, for files too large to
// hold in memory (the command line's export); it says how many cases it
// wrote.
func WriteCaseLedger(w io.Writer, format tabular.Format, cal jianfu.WorkdayCounter, now time.Time, cases Each[*jianfu.Case]) (int, error) {
	return writeTable(w, format, importer.CaseLedgerHeaders(), cases, func(c *jianfu.Case) []string { return importer.CaseLedgerRecord(c, cal, now) })
}

// WriteChannels streams the registry's export to w; it says how many
// channels it wrote.
func WriteChannels(w io.Writer, format tabular.Format, channels Each[*jianfu.Channel]) (int, error) {
	return writeTable(w, format, importer.ChannelHeaders(), channels, importer.ChannelRecord)
}

// ChannelTemplate composes the empty channel file a unit fills in to import
// its channels: the Chinese headers and three example rows, one of each
// kind, filed by the unit named unit.
func ChannelTemplate(format tabular.Format, unit string) (*File, error) {
	examples := [][]string{
		{"政务公众账号", "江南教育", unit, "", "微信公众号", "gh_0123456789ab", "jiangnanjiaoyu", "", "", "", "", "发布教育政策、招生信息", "2021-05-01", unit, "", "", "", "", "", "张三", "13800001234", "教育", "", "", "", ""},
		{"政务应用程序", "江南办事", unit, "", "安卓客户端", "cn.gov.jiangnan", "", "", "https://app.mi.com/details?id=cn.gov.jiangnan", "社会公众", "办事指南、预约", "便民服务", "2022-01-10", "", "", "", "", "", "", "李四", "0571-87654321", "", "", "", "", ""},
		{"工作群组", "防汛工作临时群", unit, "", "钉钉群", "", "", "", "", "", "", "汛期值班调度", "2026-05-01", "", "王五", "赵六、钱七", "36", "是", "2026-09-30", "王五", "13900005678", "防汛", "", "", "", ""},
	}
	each := func(add func([]string) error) (int, error) {
		for _, e := range examples {
			if err := add(e); err != nil {
				return 0, err
			}
		}
		return len(examples), nil
	}
	data, _, err := table(format, tabular.Headers(importer.ChannelColumns), each, func(row []string) []string { return row })
	if err != nil {
		return nil, err
	}
	return &File{Name: "渠道导入模板." + string(format), Short: "template." + string(format), Type: mediaType(format), Data: data}, nil
}
