package importer

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"jianfu"
	"jianfu/tabular"
)

// ChannelColumns are the columns of a channel file, in the order exports
// and the downloadable template write them, so an export imports again.
// The owning unit is named by its unified social credit code or its exact
// name. Rows without a status become drafts; filed rows (an existing
// ledger) need their filing number.
var ChannelColumns = []tabular.Column{
	{Key: "kind", Label: "渠道类型", English: "kind", Required: true, Aliases: []string{"类型", "类别", "channel_kind"}},
	{Key: "name", Label: "名称", English: "name", Required: true, Aliases: []string{"渠道名称", "账号名称", "应用名称", "群名称", "群名", "channel_name"}},
	{Key: "unit", Label: "主办单位", English: "unit", Required: true, Aliases: []string{"主办单位名称", "主办单位统一社会信用代码", "单位", "owner_unit", "unit_name"}},
	{Key: "operator", Label: "运营单位", English: "operator", Aliases: []string{"运维单位", "operator_unit"}},
	{Key: "platform", Label: "平台", English: "platform", Required: true, Aliases: []string{"平台或形态", "形态", "所在平台"}},
	{Key: "platform_id", Label: "平台标识", English: "platform_id", Aliases: []string{"原始ID", "平台ID", "AppID", "应用ID", "群号", "uid"}},
	{Key: "handle", Label: "账号", English: "handle", Aliases: []string{"微信号", "账号名", "handle"}},
	{Key: "url", Label: "链接", English: "url", Aliases: []string{"网址", "主页链接", "地址", "link"}},
	{Key: "store_links", Label: "应用商店链接", English: "store_links", Aliases: []string{"下载链接", "商店链接"}},
	{Key: "audience", Label: "服务对象", English: "audience", Aliases: []string{"面向对象", "使用对象"}},
	{Key: "functions", Label: "主要功能", English: "functions", Aliases: []string{"功能"}},
	{Key: "purpose", Label: "用途", English: "purpose", Aliases: []string{"建设用途", "建群目的", "用途说明"}},
	{Key: "launch_date", Label: "上线日期", English: "launch_date", Aliases: []string{"开通日期", "建立日期", "建群日期"}},
	{Key: "cert_subject", Label: "认证主体", English: "cert_subject", Aliases: []string{"认证主体名称"}},
	{Key: "owner", Label: "群主", English: "owner", Aliases: []string{"群主姓名"}},
	{Key: "admins", Label: "群管理员", English: "admins", Aliases: []string{"管理员"}},
	{Key: "member_count", Label: "成员人数", English: "member_count", Aliases: []string{"群人数", "人数"}},
	{Key: "temporary", Label: "临时群", English: "temporary", Aliases: []string{"是否临时群", "临时"}},
	{Key: "end_date", Label: "结束日期", English: "end_date", Aliases: []string{"解散日期", "到期日期"}},
	{Key: "responsible_person", Label: "负责人", English: "responsible_person", Aliases: []string{"责任人", "联系人"}},
	{Key: "responsible_phone", Label: "联系电话", English: "responsible_phone", Aliases: []string{"电话", "手机", "联系方式"}},
	{Key: "tags", Label: "标签", English: "tags"},
	{Key: "notes", Label: "备注", English: "notes", Aliases: []string{"说明"}},
	{Key: "status", Label: "状态", English: "status", Aliases: []string{"备案状态"}},
	{Key: "filing_number", Label: "备案号", English: "filing_number", Aliases: []string{"备案编号"}},
	{Key: "filed_at", Label: "备案日期", English: "filed_at", Aliases: []string{"备案时间"}},
}

// ChannelStore is what ImportChannels needs of the store.
type ChannelStore interface {
	ImportChannels(ctx context.Context, rows []*jianfu.ChannelImport) (int, error)
}

// channelFields maps the field names of jianfu.Channel problems to column keys.
var channelFields = map[string]string{"kind": "kind", "name": "name", "unit_id": "unit", "operator_unit_id": "operator", "platform": "platform",
	"platform_id": "platform_id", "handle": "handle", "url": "url", "store_links": "store_links", "audience": "audience", "functions": "functions",
	"purpose": "purpose", "launch_date": "launch_date", "cert_subject": "cert_subject", "owner": "owner", "admins": "admins",
	"member_count": "member_count", "end_date": "end_date", "responsible_person": "responsible_person", "responsible_phone": "responsible_phone",
	"notes": "notes", "status": "status", "filing_number": "filing_number", "filed_at": "filed_at", "unit": "unit", "operator": "operator"}

// ReadChannels reads every row of a channel table. It returns the rows that
// parse and the problems of those that do not (unknown kinds, platforms,
// statuses, bad dates or numbers, repeated platform ids or filing numbers in
// the file). Whether units exist and rules allow the rows is checked by the
// store.
func ReadChannels(r *tabular.Reader) ([]*jianfu.ChannelImport, []jianfu.Problem) {
	rows, _, probs := readChannels(source{r: r}, nil)
	return rows, probs
}

func readChannels(s source, progress Progress) (out []*jianfu.ChannelImport, read int, probs []jianfu.Problem) {
	byPID := map[string]int{}
	byFiling := map[string]int{}
	readProbs := s.rows(progress, func(row tabular.Row) {
		read++
		c, rowProbs := parseChannel(s, row)
		if c.Channel.PlatformID != "" {
			key := c.Channel.Platform + "\x00" + c.Channel.PlatformID
			if prev, dup := byPID[key]; dup {
				rowProbs = append(rowProbs, s.problem(row.Number, "platform_id", fmt.Sprintf("平台标识%s与第%d行重复", c.Channel.PlatformID, prev), fmt.Sprintf("platform id %s repeats row %d", c.Channel.PlatformID, prev)))
			} else {
				byPID[key] = row.Number
			}
		}
		if f := c.Channel.FilingNumber; f != "" {
			if prev, dup := byFiling[f]; dup {
				rowProbs = append(rowProbs, s.problem(row.Number, "filing_number", fmt.Sprintf("备案号%s与第%d行重复", f, prev), fmt.Sprintf("filing number %s repeats row %d", f, prev)))
			} else {
				byFiling[f] = row.Number
			}
		}
		if len(rowProbs) > 0 {
			probs = append(probs, rowProbs...)
			return
		}
		out = append(out, c)
	})
	return out, read, append(probs, readProbs...)
}

// statusByName maps the ways files write a status.
var statusByName = func() map[string]jianfu.ChannelStatus {
	m := map[string]jianfu.ChannelStatus{"已提交": jianfu.StatusSubmitted, "审核中": jianfu.StatusSubmitted, "正常": jianfu.StatusActive, "运行": jianfu.StatusActive,
		"已上线": jianfu.StatusActive, "关停": jianfu.StatusClosed, "已注销": jianfu.StatusClosed, "注销": jianfu.StatusClosed, "已关闭": jianfu.StatusClosed}
	for s, name := range jianfu.StatusNames {
		m[name] = s
		m[string(s)] = s
	}
	return m
}()

// parseChannel reads one row.
func parseChannel(s source, row tabular.Row) (*jianfu.ChannelImport, []jianfu.Problem) {
	n := row.Number
	ci := &jianfu.ChannelImport{Row: n}
	c := &ci.Channel
	var probs []jianfu.Problem
	bad := func(key, zh, en string) { probs = append(probs, s.problem(n, key, zh, en)) }

	if v := row.Get("kind"); v == "" {
		bad("kind", s.r.Column("kind")+"不能为空,应为:政务应用程序、政务公众账号或工作群组", "the kind is required: app, account or group")
	} else if k, ok := jianfu.ParseChannelKind(v); ok {
		c.Kind = k
	} else {
		bad("kind", fmt.Sprintf("渠道类型“%s”无法识别,应为:政务应用程序、政务公众账号或工作群组", v), fmt.Sprintf("unknown kind %q: use app, account or group", v))
	}
	c.Name = row.Get("name")
	probs = append(probs, checkText(s, n, "name", c.Name, 100)...)
	ci.UnitRef = normRef(row.Get("unit"))
	if ci.UnitRef == "" {
		bad("unit", s.r.Column("unit")+"不能为空:请填写主办单位的统一社会信用代码或全称", "the owning unit is required: its credit code or exact name")
	}
	ci.OperatorRef = normRef(row.Get("operator"))
	if v := row.Get("platform"); v == "" {
		bad("platform", s.r.Column("platform")+"不能为空", "the platform is required")
	} else if c.Kind != "" {
		if p, ok := jianfu.ParsePlatform(c.Kind, v); ok {
			c.Platform = p
		} else {
			names := make([]string, 0, len(jianfu.Platforms[c.Kind]))
			for _, p := range jianfu.Platforms[c.Kind] {
				names = append(names, jianfu.PlatformNames[p])
			}
			bad("platform", fmt.Sprintf("平台“%s”不适用于%s,可选:%s", v, jianfu.KindNames[c.Kind], strings.Join(names, "、")),
				fmt.Sprintf("platform %q does not apply to %s; use one of %s", v, c.Kind, strings.Join(jianfu.Platforms[c.Kind], ", ")))
		}
	}
	c.PlatformID, c.Handle, c.URL = row.Get("platform_id"), row.Get("handle"), row.Get("url")
	c.StoreLinks = jianfu.SplitList(row.Get("store_links"))
	switch v := row.Get("audience"); v {
	case "":
	case "社会公众", "公众", "public":
		c.Audience = "public"
	case "内部工作人员", "内部", "工作人员", "staff":
		c.Audience = "staff"
	default:
		bad("audience", fmt.Sprintf("服务对象“%s”无法识别,应为“社会公众”或“内部工作人员”", v), fmt.Sprintf("unknown audience %q: public or staff", v))
	}
	c.Functions, c.Purpose, c.CertSubject = row.Get("functions"), row.Get("purpose"), row.Get("cert_subject")
	c.Owner, c.Admins = row.Get("owner"), jianfu.SplitList(row.Get("admins"))
	if v := row.Get("member_count"); v != "" {
		if m, err := strconv.Atoi(strings.TrimSuffix(v, "人")); err != nil || m < 0 {
			bad("member_count", fmt.Sprintf("成员人数“%s”应为非负整数", v), fmt.Sprintf("member count %q must be a whole number", v))
		} else {
			c.MemberCount = m
		}
	}
	switch v := row.Get("temporary"); v {
	case "", "否", "N", "n", "no", "false", "0", "长期":
	case "是", "Y", "y", "yes", "true", "1", "临时":
		c.Temporary = true
	default:
		bad("temporary", fmt.Sprintf("临时群应填“是”或“否”,收到“%s”", v), fmt.Sprintf("temporary is yes or no, got %q", v))
	}
	for _, d := range []struct {
		key string
		dst *string
	}{{"launch_date", &c.LaunchDate}, {"end_date", &c.EndDate}} {
		if v := row.Get(d.key); v != "" {
			if t, ok := parseDate(v); ok {
				*d.dst = t
			} else {
				bad(d.key, fmt.Sprintf("%s“%s”无法识别,应为 YYYY-MM-DD", s.r.Column(d.key), v), fmt.Sprintf("date %q: write YYYY-MM-DD", v))
			}
		}
	}
	c.ResponsiblePerson, c.ResponsiblePhone = row.Get("responsible_person"), row.Get("responsible_phone")
	c.Tags, c.Notes = jianfu.SplitList(row.Get("tags")), row.Get("notes")
	if v := row.Get("status"); v != "" {
		st, ok := statusByName[v]
		if !ok {
			bad("status", fmt.Sprintf("状态“%s”无法识别,应为:草稿、已备案、运行中、整改中、申请退出或已关停", v), fmt.Sprintf("unknown status %q", v))
		} else if st == jianfu.StatusSubmitted || st == jianfu.StatusReturned {
			bad("status", "导入时状态只能为草稿或已备案的状态(已备案、运行中、整改中、申请退出、已关停);待审核的请导入为草稿后在系统中提交", "import drafts or filed records only; submit drafts in the system")
		} else {
			c.Status = st
		}
	}
	if v := strings.ToUpper(width.Fold.String(row.Get("filing_number"))); v != "" {
		f, ok := jianfu.ParseFilingNumber(v)
		switch {
		case !ok:
			bad("filing_number", fmt.Sprintf("备案号“%s”格式不对:应为6位区划代码+类型字母(A应用/B账号/C群组)+4位年份+5位序号,如390102B202600017", v), fmt.Sprintf("filing number %q is malformed; e.g. 390102B202600017", v))
		case c.Kind != "" && f.Kind != c.Kind:
			bad("filing_number", fmt.Sprintf("备案号“%s”的类型字母与渠道类型(%s)不符", v, jianfu.KindNames[c.Kind]), fmt.Sprintf("filing number %s does not match the kind %s", v, c.Kind))
		default:
			c.FilingNumber = f.String()
		}
	}
	if v := row.Get("filed_at"); v != "" {
		if d, ok := parseDate(v); ok {
			t, _ := time.ParseInLocation("2006-01-02", d, jianfu.China)
			c.FiledAt = &t
		} else {
			bad("filed_at", fmt.Sprintf("备案日期“%s”无法识别,应为 YYYY-MM-DD", v), fmt.Sprintf("filing date %q: write YYYY-MM-DD", v))
		}
	}
	if c.Status.Filed() && c.FilingNumber == "" {
		bad("filing_number", "已备案的记录须填写备案号", "a filed record needs its filing number")
	}
	if !c.Status.Filed() && c.FilingNumber != "" {
		bad("status", "填写了备案号的记录须注明状态(如“运行中”)", "a record with a filing number needs its status (e.g. active)")
	}
	if len(probs) == 0 && c.Kind != "" {
		probe := *c
		probe.UnitID = 1 // resolved by the store
		if err := probe.Validate(); err != nil {
			for _, p := range err.(*jianfu.Error).Problems {
				key := channelFields[p.Field]
				probs = append(probs, s.problem(n, key, p.Message, p.English))
			}
		}
	}
	return ci, probs
}

// normRef folds a unit reference: a credit code in upper half-width form.
func normRef(s string) string {
	if ref := strings.ToUpper(width.Fold.String(s)); len(ref) == 18 && jianfu.ValidateCreditCode(ref) == nil {
		return ref
	}
	return s
}

// parseDate accepts 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日 and
// 20260301, and returns YYYY-MM-DD.
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i] // a time of day after the date
	}
	r := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")
	s = r.Replace(s)
	for _, layout := range []string{"2006-01-02", "2006-1-2", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1990 && t.Year() <= 2100 {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// ImportChannels reads a channel file and adds its channels in one
// transaction: all or nothing.
func ImportChannels(ctx context.Context, db ChannelStore, path string, progress Progress) (*Result, error) {
	start := time.Now()
	srcs, closeAll, err := openAll([]string{path}, ChannelColumns)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	return importChannels(ctx, db, srcs[0], progress, start)
}

// ImportChannelsFrom is ImportChannels for an uploaded file.
func ImportChannelsFrom(ctx context.Context, db ChannelStore, r io.Reader, name string) (*Result, error) {
	start := time.Now()
	tr, err := tabular.NewReader(r, name, ChannelColumns)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	return importChannels(ctx, db, source{r: tr}, nil, start)
}

func importChannels(ctx context.Context, db ChannelStore, s source, progress Progress, start time.Time) (*Result, error) {
	rows, read, probs := readChannels(s, progress)
	if err := invalid(byRow(probs)); err != nil {
		return nil, err
	}
	progress.report(StageWrite, 0, -1)
	n, err := db.ImportChannels(ctx, rows)
	if err != nil {
		return nil, RemapChannelProblems(err, s.r)
	}
	progress.report(StageWrite, int64(n), int64(n))
	return &Result{Files: 1, Rows: read, Records: len(rows), Changed: n, Elapsed: time.Since(start)}, nil
}

// RemapChannelProblems names the file's own columns in the store's problems.
func RemapChannelProblems(err error, r *tabular.Reader) error {
	e, ok := err.(*jianfu.Error)
	if !ok || len(e.Problems) == 0 {
		return err
	}
	out := make([]jianfu.Problem, len(e.Problems))
	for i, p := range e.Problems {
		if key, ok := channelFields[p.Field]; ok {
			p.Field = r.Column(key)
		}
		out[i] = p
	}
	return invalid(byRow(out))
}

// ChannelHeaders are the Chinese headers of an export, the template's
// columns followed by read-only facts.
func ChannelHeaders() []string {
	return append(tabular.Headers(ChannelColumns), "编号", "所在区划代码", "复核到期", "更新时间")
}

// ChannelRecord is a channel as an export row, in ChannelHeaders order.
func ChannelRecord(c *jianfu.Channel) []string {
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(jianfu.China).Format("2006-01-02")
	}
	yes := ""
	if c.Kind == jianfu.KindGroup {
		yes = "否"
		if c.Temporary {
			yes = "是"
		}
	}
	audience := map[string]string{"public": "社会公众", "staff": "内部工作人员"}[c.Audience]
	member := ""
	if c.Kind == jianfu.KindGroup {
		member = strconv.Itoa(c.MemberCount)
	}
	return []string{
		jianfu.KindNames[c.Kind], c.Name, c.UnitName, c.OperatorUnitName, jianfu.PlatformNames[c.Platform], c.PlatformID, c.Handle, c.URL,
		strings.Join(c.StoreLinks, ";"), audience, c.Functions, c.Purpose, c.LaunchDate, c.CertSubject, c.Owner, strings.Join(c.Admins, "、"),
		member, yes, c.EndDate, c.ResponsiblePerson, c.ResponsiblePhone, strings.Join(c.Tags, "、"), c.Notes,
		jianfu.StatusNames[c.Status], c.FilingNumber, date(c.FiledAt),
		strconv.FormatInt(c.ID, 10), jianfu.CodeOfPath(c.RegionPath), date(c.RevalidationDue), c.UpdatedAt.In(jianfu.China).Format("2006-01-02 15:04"),
	}
}
