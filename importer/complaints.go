package importer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"jianfu"
	"jianfu/tabular"
)

// ComplaintColumns are the columns of a hotline export (12345 政务服务便民
// 热线 and similar systems): the record's id, when it was taken, what the
// caller said, and optionally the channel named, the caller's contact, the
// region and a category.
var ComplaintColumns = []tabular.Column{
	{Key: "id", Label: "工单编号", English: "record id", Required: true,
		Aliases: []string{"工单号", "编号", "受理编号", "工单流水号", "流水号", "诉求编号", "id", "ticket", "ticket_id", "source_id", "record_id"}},
	{Key: "time", Label: "受理时间", English: "time", Required: true,
		Aliases: []string{"来电时间", "登记时间", "时间", "诉求时间", "创建时间", "受理日期", "date", "time", "created_at", "received_at"}},
	{Key: "content", Label: "诉求内容", English: "content", Required: true,
		Aliases: []string{"内容", "反映内容", "问题描述", "来电内容", "诉求", "工单内容", "描述", "description", "content", "text"}},
	{Key: "channel", Label: "涉及渠道", English: "channel",
		Aliases: []string{"渠道名称", "涉及应用", "应用名称", "群名称", "工作群", "公众号", "涉及平台", "channel", "channel_name"}},
	{Key: "name", Label: "联系人", English: "name",
		Aliases: []string{"姓名", "来电人", "诉求人", "反映人", "name", "caller"}},
	{Key: "contact", Label: "联系电话", English: "contact",
		Aliases: []string{"联系方式", "来电号码", "电话", "手机", "联系人电话", "contact", "phone"}},
	{Key: "region", Label: "所属区域", English: "region",
		Aliases: []string{"区划代码", "区域", "区县", "地区", "行政区划", "所属区县", "承办区域", "region", "region_code", "district"}},
	{Key: "category", Label: "问题类型", English: "category",
		Aliases: []string{"类型", "诉求类型", "分类", "问题分类", "category"}},
}

// ComplaintOptions adjust a hotline import.
type ComplaintOptions struct {
	// Region (a division code) is the region of rows that name none, e.g.
	// the city whose hotline exported the file.
	Region string
	// WithoutContacts drops callers' names and numbers instead of refusing
	// a file with contacts when no reporter key is configured.
	WithoutContacts bool
	// Propose finds the demand categories in a record's words (the
	// detector's), so the case arrives with proposals; nil proposes none.
	Propose func(texts ...string) []string
}

// ComplaintStore is what ImportComplaints needs of the store.
type ComplaintStore interface {
	ComplaintRegions(ctx context.Context) ([]*jianfu.Region, error)
	ImportComplaints(ctx context.Context, rows []*jianfu.Complaint, rowNumbers []int) (added, skipped int, err error)
}

// complaintFields maps the fields of complaint problems to column keys.
var complaintFields = map[string]string{"description": "content", "channel": "channel", "region": "region", "phone": "contact", "email": "contact", "contact": "contact", "category": "category"}

// timeLayouts are the ways hotline exports write a moment, China time
// unless they say otherwise.
var timeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006/01/02 15:04:05",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日15时04分",
	"2006-01-02", "2006/1/2", "2006年1月2日", "20060102150405",
}

// parseTime reads a moment as hotline exports write it.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, jianfu.China); err == nil {
			return t, true
		}
	}
	// An Excel serial date (days since 1899-12-30), when a cell kept its number.
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 {
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, jianfu.China)
		return base.Add(time.Duration(f * 24 * float64(time.Hour))).Round(time.Second), true
	}
	return time.Time{}, false
}

// categoryOf reads a category by code or Chinese name; "" when the cell is
// empty (the detector then proposes one).
func categoryOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if jianfu.ValidCategory(strings.ToLower(s)) {
		return strings.ToLower(s), true
	}
	for _, c := range jianfu.CaseCategories {
		if name := c.Label(); name == s || strings.TrimSuffix(name, "问题") == s {
			return string(c), true
		}
	}
	return "", false
}

// regionIndex finds regions by code or name.
type regionIndex struct {
	byName map[string][]*jianfu.Region
	byPath map[string]*jianfu.Region
}

func newRegionIndex(all []*jianfu.Region) *regionIndex {
	ix := &regionIndex{byName: map[string][]*jianfu.Region{}, byPath: map[string]*jianfu.Region{}}
	for _, r := range all {
		ix.byName[r.Name] = append(ix.byName[r.Name], r)
		ix.byPath[r.Path] = r
	}
	return ix
}

// find resolves a cell: a division code, a name (江南区), or a name with
// its city (江州市江南区).
func (ix *regionIndex) find(s string) (string, string) {
	s = strings.TrimSpace(width.Fold.String(s))
	if _, path, _, err := jianfu.ParseRegionCode(s); err == nil {
		if ix.byPath[path] != nil || len(path) > 6 {
			return jianfu.CodeOfPath(path), ""
		}
		return "", "区划代码" + s + "不存在"
	}
	if rs := ix.byName[s]; len(rs) == 1 {
		return rs[0].Code, ""
	} else if len(rs) > 1 {
		return "", "地区名称“" + s + "”对应多个区划,请写区划代码或带上所属市名"
	}
	for name, rs := range ix.byName {
		for _, r := range rs {
			if p := ix.byPath[r.ParentPath]; p != nil && strings.HasSuffix(s, name) && strings.HasPrefix(s, p.Name) {
				return r.Code, ""
			}
		}
	}
	return "", "无法识别地区“" + s + "”,请写区划代码"
}

// Complaints reads the rows of a hotline file into complaints with their
// row numbers. Region names are resolved among regions (nil: codes only);
// rows with problems are reported, not returned.
func Complaints(r *tabular.Reader, regions []*jianfu.Region, opts ComplaintOptions) ([]*jianfu.Complaint, []int, []jianfu.Problem) {
	c, n, _, probs := readComplaints(source{r: r}, newRegionIndex(regions), opts, nil)
	return c, n, probs
}

func readComplaints(s source, ix *regionIndex, opts ComplaintOptions, progress Progress) (out []*jianfu.Complaint, rows []int, read int, probs []jianfu.Problem) {
	if ix == nil {
		ix = newRegionIndex(nil)
	}
	seen := map[string]int{}
	readProbs := s.rows(progress, func(row tabular.Row) {
		read++
		n := row.Number
		var rp []jianfu.Problem
		c := &jianfu.Complaint{Source: jianfu.SourceHotline}
		c.SourceRef = strings.TrimSpace(width.Fold.String(row.Get("id")))
		switch {
		case c.SourceRef == "":
			rp = append(rp, s.problem(n, "id", s.r.Column("id")+"不能为空:导入以工单编号识别重复", "the record id is required: it is how repeated imports are recognised"))
		case utf8.RuneCountInString(c.SourceRef) > 64 || strings.ContainsFunc(c.SourceRef, func(r rune) bool { return r < ' ' }):
			rp = append(rp, s.problem(n, "id", s.r.Column("id")+"过长或含控制字符", "the record id is too long or has control characters"))
		default:
			if prev, dup := seen[c.SourceRef]; dup {
				rp = append(rp, s.problem(n, "id", fmt.Sprintf("工单编号%s与第%d行重复", c.SourceRef, prev), fmt.Sprintf("record id %s repeats row %d", c.SourceRef, prev)))
			}
			seen[c.SourceRef] = n
		}
		if v := row.Get("time"); v == "" {
			rp = append(rp, s.problem(n, "time", s.r.Column("time")+"不能为空", "the time is required"))
		} else if t, ok := parseTime(v); !ok {
			rp = append(rp, s.problem(n, "time", fmt.Sprintf("时间“%s”无法识别,应如 2026-03-02 09:30", v), fmt.Sprintf("cannot read the time %q; write it like 2026-03-02 09:30", v)))
		} else {
			c.ReceivedAt = t
		}
		c.Description = row.Get("content")
		rp = append(rp, checkText(s, n, "content", c.Description, jianfu.MaxDescription)...)
		c.ChannelText = row.Get("channel")
		if cat, ok := categoryOf(row.Get("category")); ok {
			c.Category = cat
		} else {
			rp = append(rp, s.problem(n, "category", fmt.Sprintf("问题类型“%s”无法识别", row.Get("category")), fmt.Sprintf("unknown category %q", row.Get("category"))))
		}
		region := row.Get("region")
		if region == "" {
			region = opts.Region
		}
		if region != "" {
			code, why := ix.find(region)
			if why != "" {
				rp = append(rp, s.problem(n, "region", why, "unknown region "+region+"; write its division code"))
			}
			c.RegionCode = code
		} else if c.ChannelText == "" {
			rp = append(rp, s.problem(n, "region", "没有所属区域:请填写区划代码,或以 --region 指定全文件的默认区域", "no region: fill it in, or give the file's default with --region"))
		}
		if !opts.WithoutContacts {
			name, contact := row.Get("name"), row.Get("contact")
			if name != "" || contact != "" {
				id := &jianfu.ReporterIdentity{Name: name}
				if d := strings.Map(func(r rune) rune {
					if r == '-' || r == ' ' {
						return -1
					}
					return r
				}, width.Fold.String(contact)); d != "" && strings.Trim(d, "0123456789+") == "" {
					id.Phone = contact
				} else {
					id.Other = contact
				}
				c.Identity = id
			}
		}
		if len(rp) == 0 {
			if err := c.Validate(); err != nil {
				for _, p := range err.(*jianfu.Error).Problems {
					key := complaintFields[p.Field]
					col := ""
					if key != "" {
						col = s.r.Column(key)
					}
					rp = append(rp, jianfu.Problem{Row: n, Field: s.label + col, Message: p.Message, English: p.English})
				}
			}
		}
		if len(rp) > 0 {
			probs = append(probs, rp...)
			return
		}
		if opts.Propose != nil {
			c.Proposed = opts.Propose(c.Description, c.ChannelText)
		}
		out = append(out, c)
		rows = append(rows, n)
	})
	return out, rows, read, append(probs, readProbs...)
}

// ComplaintResult says what a hotline import did.
type ComplaintResult struct {
	Result
	Skipped int // records imported before, recognised by their id
}

// ImportComplaints reads a hotline file and adds its records as cases in
// one transaction: all or nothing, with every bad row listed. Records
// imported before (the same record id) are skipped, so importing a file
// again, or a later export that overlaps, adds only what is new.
func ImportComplaints(ctx context.Context, db ComplaintStore, path string, opts ComplaintOptions, progress Progress) (*ComplaintResult, error) {
	start := time.Now()
	srcs, closeAll, err := openAll([]string{path}, ComplaintColumns)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	regions, err := db.ComplaintRegions(ctx)
	if err != nil {
		return nil, err
	}
	s := srcs[0]
	rows, numbers, read, probs := readComplaints(s, newRegionIndex(regions), opts, progress)
	if err := invalid(byRow(probs)); err != nil {
		return nil, err
	}
	cols := map[string]string{}
	for f, key := range complaintFields {
		cols[f] = s.r.Column(key)
	}
	progress.report(StageWrite, 0, -1)
	added, skipped, err := db.ImportComplaints(ctx, rows, numbers)
	if err != nil {
		if e, ok := err.(*jianfu.Error); ok && len(e.Problems) > 0 {
			out := make([]jianfu.Problem, len(e.Problems))
			for i, p := range e.Problems {
				if c, ok := cols[p.Field]; ok {
					p.Field = c
				}
				out[i] = p
			}
			return nil, invalid(byRow(out))
		}
		return nil, err
	}
	progress.report(StageWrite, int64(added), int64(added))
	return &ComplaintResult{Result: Result{Files: 1, Rows: read, Records: added, Changed: added, Elapsed: time.Since(start)}, Skipped: skipped}, nil
}
