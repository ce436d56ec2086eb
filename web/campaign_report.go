package web

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"jianfu"
)

// campaignReport gathers what the report and the notice show.
type campaignReport struct {
	Campaign *jianfu.Campaign
	Forms    []*jianfu.CheckForm
	Results  *jianfu.CampaignResults
	Check    *jianfu.SampleCheck
}

func (s *Server) loadReport(r *http.Request) (*campaignReport, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := s.svc.Campaigns.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &campaignReport{Campaign: c}
	for off := 0; ; off += 1000 {
		forms, total, err := s.svc.Campaigns.FindForms(ctx, jianfu.FormFilter{CampaignID: id, Page: jianfu.Page{Limit: 1000, Offset: off, Sort: "stratum"}})
		if err != nil {
			return nil, err
		}
		rep.Forms = append(rep.Forms, forms...)
		if off+1000 >= total {
			break
		}
	}
	if rep.Results, err = s.svc.Campaigns.CampaignResults(ctx, id); err != nil {
		return nil, err
	}
	if rep.Check, err = s.svc.Campaigns.VerifySample(ctx, id); err != nil {
		return nil, err
	}
	// Downloading the report is a read of the results: audited.
	if err := s.svc.Audit.RecordAudit(ctx, &jianfu.AuditEntry{Action: "campaign.report", ObjectType: "campaign", ObjectID: itoa(id),
		RegionPath: c.RegionPath, Detail: fmt.Sprintf("%s, %d forms", r.URL.Path[strings.LastIndex(r.URL.Path, ".")+1:], len(rep.Forms))}); err != nil {
		return nil, err
	}
	return rep, nil
}

func attachment(w http.ResponseWriter, name, ctype string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename=\"report\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
}

var kindZh = map[jianfu.ChannelKind]string{jianfu.KindApp: "政务应用程序", jianfu.KindAccount: "政务公众账号", jianfu.KindGroup: "工作群组"}

func resultZh(f *jianfu.CheckForm) string {
	switch {
	case f.Result == nil:
		return "待检查"
	case f.Result.Vetoed:
		return "不合格(单项否决)"
	case !f.Result.Passed:
		return "不合格"
	}
	return "合格"
}

// campaignReportXLSX writes the campaign's tables: overview, strata,
// every check, results per unit and per region, failed channels.
func (s *Server) campaignReportXLSX(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.loadReport(r)
	if err != nil {
		return err
	}
	c := rep.Campaign
	x := excelize.NewFile()
	defer x.Close()
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"#EEF1F4"}, Pattern: 1}})
	sheet := func(name string, header []string, rows [][]any) {
		if name == "概况" {
			x.SetSheetName("Sheet1", name)
		} else {
			x.NewSheet(name)
		}
		for i, h := range header {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			x.SetCellValue(name, cell, h)
		}
		if len(header) > 0 {
			end, _ := excelize.CoordinatesToCellName(len(header), 1)
			x.SetCellStyle(name, "A1", end, head)
			x.SetColWidth(name, "A", "A", 22)
			last, _ := excelize.ColumnNumberToName(len(header))
			if len(header) > 1 {
				x.SetColWidth(name, "B", last, 16)
			}
		}
		for ri, row := range rows {
			for ci, v := range row {
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+2)
				x.SetCellValue(name, cell, v)
			}
		}
	}
	kinds := "全部"
	if len(c.Kinds) > 0 {
		var ks []string
		for _, k := range c.Kinds {
			ks = append(ks, kindZh[k])
		}
		kinds = strings.Join(ks, "、")
	}
	match := "一致"
	if !rep.Check.Match {
		match = "不一致"
	}
	sheet("概况", []string{"项目", "内容"}, [][]any{
		{"抽查名称", c.Name}, {"抽查范围", c.RegionName + "(" + jianfu.CodeOfPath(c.RegionPath) + ")"}, {"渠道类型", kinds},
		{"总体数量", c.Population}, {"抽样数量", c.Sampled}, {"随机种子", fmt.Sprint(c.Seed)}, {"按记录复抽结果", match},
		{"已检查", c.Done}, {"不合格", c.Failed}, {"状态", map[jianfu.CampaignStatus]string{jianfu.CampaignOpen: "进行中", jianfu.CampaignClosed: "已结束"}[c.Status]},
		{"发起人", c.CreatedBy}, {"发起时间", c.CreatedAt.In(jianfu.China).Format("2006-01-02 15:04")},
	})
	var strata [][]any
	for _, st := range c.Strata {
		strata = append(strata, []any{st.RegionName, kindZh[st.Kind], st.Population, st.Sampled})
	}
	sheet("抽样分层", []string{"区划", "类型", "总体", "抽取"}, strata)
	var rows, failed [][]any
	for _, f := range rep.Forms {
		var score any = ""
		if f.Result != nil {
			score = f.Result.Score
		}
		rows = append(rows, []any{f.ChannelName, kindZh[f.Kind], jianfu.PlatformNames[f.Platform], f.UnitName, f.InspectorName, resultZh(f), score, f.RectifyBy, f.Evidence})
		if f.Result != nil && !f.Result.Passed {
			failed = append(failed, []any{f.ChannelName, f.UnitName, resultZh(f), f.Result.Score, f.RectifyBy, f.Opinion})
		}
	}
	sheet("检查结果", []string{"渠道名称", "类型", "平台", "主办单位", "检查人", "结论", "得分", "整改期限", "证据"}, rows)
	var units [][]any
	for _, u := range rep.Results.Units {
		units = append(units, []any{u.Name, u.Checked, u.Passed, u.Failed, u.Vetoed, u.AvgScore})
	}
	sheet("单位汇总", []string{"单位", "检查数", "合格", "不合格", "单项否决", "平均分"}, units)
	var regions [][]any
	for _, u := range rep.Results.Regions {
		regions = append(regions, []any{u.Name, u.Checked, u.Passed, u.Failed, u.Vetoed, u.AvgScore})
	}
	sheet("区划汇总", []string{"区划", "检查数", "合格", "不合格", "单项否决", "平均分"}, regions)
	sheet("不合格渠道", []string{"渠道名称", "主办单位", "结论", "得分", "整改期限", "整改意见"}, failed)
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return err
	}
	attachment(w, c.Name+"-抽查结果.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Write(buf.Bytes())
	return nil
}

// campaignNoticeDOCX writes the Chinese notice (通报) naming the failed
// channels with their 整改意见 and rectification deadlines, as a minimal
// WordprocessingML document (the reader's fonts render it).
func (s *Server) campaignNoticeDOCX(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.loadReport(r)
	if err != nil {
		return err
	}
	b, err := noticeDOCX(rep, s.now())
	if err != nil {
		return err
	}
	attachment(w, rep.Campaign.Name+"-整改通报.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	w.Write(b)
	return nil
}

// noticeDOCX builds the notice.
func noticeDOCX(rep *campaignReport, now time.Time) ([]byte, error) {
	c := rep.Campaign
	var body bytes.Buffer
	para := func(text string, opts ...string) {
		var pPr, rPr string
		for _, o := range opts {
			switch o {
			case "center":
				pPr += `<w:jc w:val="center"/>`
			case "right":
				pPr += `<w:jc w:val="right"/>`
			case "indent":
				pPr += `<w:ind w:firstLineChars="200" w:firstLine="640"/>`
			case "title":
				rPr += `<w:b/><w:sz w:val="44"/>`
			case "bold":
				rPr += `<w:b/>`
			}
		}
		body.WriteString(`<w:p><w:pPr>` + pPr + `<w:spacing w:line="560" w:lineRule="exact"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="FangSong" w:eastAsia="仿宋"/><w:sz w:val="32"/>` + rPr + `</w:rPr><w:t xml:space="preserve">`)
		xml.EscapeText(&body, []byte(text))
		body.WriteString(`</w:t></w:r></w:p>`)
	}
	cell := func(text string, bold bool) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(text))
		rPr := `<w:rFonts w:eastAsia="仿宋"/><w:sz w:val="24"/>`
		if bold {
			rPr += `<w:b/>`
		}
		return `<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p><w:r><w:rPr>` + rPr + `</w:rPr><w:t xml:space="preserve">` + b.String() + `</w:t></w:r></w:p></w:tc>`
	}
	para("关于"+c.Name+"情况的通报", "center", "title")
	para("")
	para("各有关单位:", "bold")
	para(fmt.Sprintf("为贯彻落实《关于防治“指尖上的形式主义”的若干意见》,按照“进行抽查评估,对于发现的突出问题,及时提出整改意见和问责建议,督促整改纠正”的要求,"+
		"我办于%s对%s范围内的政务应用程序、政务公众账号和工作群组开展抽查评估。本次从%d个在用渠道中按区划和类型分层随机抽取%d个(随机种子%d,可据此复核抽样结果),已完成检查%d个,其中不合格%d个。",
		c.CreatedAt.In(jianfu.China).Format("2006年1月2日"), c.RegionName, c.Population, c.Sampled, c.Seed, c.Done, c.Failed), "indent")
	var failed []*jianfu.CheckForm
	for _, f := range rep.Forms {
		if f.Result != nil && !f.Result.Passed {
			failed = append(failed, f)
		}
	}
	if len(failed) == 0 {
		para("本次抽查未发现不合格渠道。请各单位持续做好日常管理,防止问题反弹回潮。", "indent")
	} else {
		para("现将不合格渠道及整改要求通报如下:", "indent")
		body.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>` +
			`<w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/>` +
			`<w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>`)
		body.WriteString(`<w:tr>` + cell("序号", true) + cell("渠道名称", true) + cell("主办单位", true) + cell("检查结论", true) + cell("整改期限", true) + `</w:tr>`)
		for i, f := range failed {
			concl := fmt.Sprintf("%s(%g分)", resultZh(f), f.Result.Score)
			body.WriteString(`<w:tr>` + cell(fmt.Sprint(i+1), false) + cell(f.ChannelName, false) + cell(f.UnitName, false) + cell(concl, false) + cell(f.RectifyBy, false) + `</w:tr>`)
		}
		body.WriteString(`</w:tbl>`)
		para("整改意见:", "bold")
		for i, f := range failed {
			para(fmt.Sprintf("%d. %s(%s):%s", i+1, f.ChannelName, f.UnitName, f.Opinion), "indent")
		}
		para("请上述单位严格对照整改意见,于整改期限前完成整改并书面报送整改情况;逾期未整改或整改不到位的,将依规提出问责建议。对长期不更新、功能重复或使用率低的渠道,应按规定关停退出。", "indent")
	}
	para("")
	para("网络安全和信息化委员会办公室", "right")
	para(now.In(jianfu.China).Format("2006年1月2日"), "right")

	var out bytes.Buffer
	z := zip.NewWriter(&out)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`},
	}
	for _, f := range files {
		fw, err := z.Create(f.name)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
