package demo_test

import (
	"archive/zip"
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	// the examples quoted are anonymised: no mobile number (a count such as
	// "监测发现138条" is not one)
	mobile := regexp.MustCompile(`1[3-9]\d{9}`)
	for _, line := range strings.Split(text, "\n") {
		if _, quote, ok := strings.Cut(line, "如:“"); ok && mobile.MatchString(quote) {
			t.Errorf("an example shows a phone number: %s", line)
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
	openInLibreOffice(t, f.Data, "临江省"+cur.Label, s.Regions[0].Name)

	x, err := report.SituationAppendix(s, db.Now())
	if err != nil || len(x.Data) == 0 || !strings.HasSuffix(x.Name, "附表.xlsx") {
		t.Errorf("appendix %v %v", x, err)
	}
}

// openInLibreOffice converts a document to PDF with LibreOffice and checks
// that its text holds every want and that it carries an image. Without
// LibreOffice the check is skipped, unless JIANFU_REQUIRE_SOFFICE is set
// (make test sets it and installs LibreOffice).
func openInLibreOffice(t *testing.T, doc []byte, want ...string) {
	t.Helper()
	soffice, err1 := exec.LookPath("soffice")
	pdftotext, err2 := exec.LookPath("pdftotext")
	pdfimages, err3 := exec.LookPath("pdfimages")
	if err1 != nil || err2 != nil || err3 != nil {
		if os.Getenv("JIANFU_REQUIRE_SOFFICE") != "" {
			t.Fatal("LibreOffice and poppler-utils are required (JIANFU_REQUIRE_SOFFICE=1) but not installed; `make test` installs them with apt-get")
		}
		t.Log("LibreOffice not installed: the document was not opened in it")
		return
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "report.docx")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice could not convert the report: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "report.pdf")
	text, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(text)), "")
	for _, w := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
			t.Errorf("the PDF LibreOffice made lacks %q:\n%s", w, text)
		}
	}
	list, err := exec.Command(pdfimages, "-list", pdf).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	if lines := strings.Count(strings.TrimSpace(string(list)), "\n"); lines < 3 { // two header lines, then one per image
		t.Errorf("the PDF has no chart image:\n%s", list)
	}
}
