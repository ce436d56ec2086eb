package demo_test

import (
	"archive/zip"
	"bytes"
	"context"
	"image/png"
	"io"
	"strings"
	"testing"

	"jianfu"
	"jianfu/demo"
	"jianfu/docx"
	"jianfu/report"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestSituationReportOfTheDemo: the province's monthly situation report
// from the demo reads like one — title, 环比/同比, the cities' table with a
// chart image, problems with anonymised examples, the 落款 — and its
// appendix is a workbook with the same figures.
func TestSituationReportOfTheDemo(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	generate(t, db, demo.Options{Size: demo.Small})
	ctx := jianfu.WithActor(context.Background(), jianfu.SystemActor("test"))
	cur, prev, yearAgo, err := jianfu.ParseSituationPeriod(db.Now().In(jianfu.China).Format("2006-01"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := db.Regions().FindRegion(ctx, "390000")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jianfu.GatherSituation(ctx, jianfu.SituationSources{Burden: db.Burden(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical()},
		reg.Path, reg.Name, "临江省委网信办", cur, prev, yearAgo)
	if err != nil {
		t.Fatal(err)
	}
	if s.Now.Messages == 0 || s.Now.Demands == 0 || len(s.Regions) == 0 || len(s.Categories) == 0 {
		t.Fatalf("the demo's month is empty: %+v", s.Now)
	}
	f, err := report.SituationReport(s, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	text, err := docx.ReadText(f.Data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"临江省" + cur.Label + "“指尖上的形式主义”问题形势分析", "一、总体情况", "环比", "同比", "二、各地区情况", s.Regions[0].Name,
		"图1 各地区工作群组负担指数", "主要问题", "如:“", "临江省委网信办"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	for _, phone := range []string{"138", "139", "137"} {
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "如:“") && strings.Contains(line, phone) && !strings.Contains(line, "****") {
				t.Errorf("an example shows a phone number: %s", line)
			}
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(f.Data), int64(len(f.Data)))
	if err != nil {
		t.Fatal(err)
	}
	images := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "word/media/") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if img, err := png.Decode(bytes.NewReader(b)); err != nil || img.Bounds().Dx() != 560 {
				t.Errorf("%s is not the chart: %v", zf.Name, err)
			}
			images++
		}
	}
	if images < 1 {
		t.Error("no chart embedded")
	}
	x, err := report.SituationAppendix(s, db.Now())
	if err != nil || len(x.Data) == 0 || !strings.HasSuffix(x.Name, "附表.xlsx") {
		t.Errorf("appendix %v %v", x, err)
	}
}
