package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// A province supervisor drills into a city and sees its counties ranked by
// burden, as a page, as JSON and as a workbook; a county supervisor asking
// for the city sees its own county only.
func TestBurdenByRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		g := storetest.Groups(t, db, h.fx)
		now := time.Now()
		var obs []jianfu.Observation
		for i := 0; i < 30; i++ {
			obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("s%d", i)), GroupID: g["school"].ID, At: now.Add(-time.Duration(i) * 3 * time.Hour),
				MemberCount: 40, Offhours: true, Demand: true, Categories: jianfu.Chain.Bit()})
		}
		for i := 0; i < 10; i++ {
			obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("n%d", i)), GroupID: g["northEdu"].ID, At: now.Add(-time.Duration(i) * 5 * time.Hour), MemberCount: 40})
		}
		if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs); err != nil {
			t.Fatal(err)
		}

		st, res := h.do("provSup", "GET", "/api/v1/burden/regions?parent=390100", nil)
		regions, _ := res["regions"].([]any)
		if st != 200 || len(regions) != 2 {
			t.Fatalf("regions of 江州市: %d %v", st, res)
		}
		first := regions[0].(map[string]any)
		if first["name"] != "江南区" || first["demands"] != 30.0 || regions[1].(map[string]any)["name"] != "江北区" {
			t.Errorf("the heaviest county first: %v", regions)
		}
		if st, res := h.do("provSup", "GET", "/api/v1/burden/regions?parent=39x", nil); st != 400 || !strings.Contains(fmt.Sprint(res), "区划代码") {
			t.Errorf("a bad code: %d %v", st, res)
		}

		resp, body := h.download("provSup", "/burden/regions?region=390100")
		page := string(body)
		if resp.StatusCode != 200 || !strings.Contains(page, "江州市各地区负担指数") || !strings.Contains(page, `href="/burden/regions?region=390102&amp;days=30"`) ||
			!strings.Contains(page, "江北区") || !strings.Contains(page, "format=xlsx") {
			t.Errorf("the page: %d\n%s", resp.StatusCode, page)
		}

		resp, body = h.download("provSup", "/burden/regions?region=390100&format=xlsx")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		rows, _ := f.GetRows("各地区负担指数")
		if len(rows) != 5 || !strings.HasPrefix(rows[0][0], "江州市各地区工作群组负担指数排名") || !strings.Contains(rows[1][0], "制表单位:") || rows[3][1] != "江南区" || rows[4][1] != "江北区" {
			t.Errorf("workbook rows %q", rows)
		}
		f.Close()

		st, res = h.do("southSup", "GET", "/api/v1/burden/regions?parent=390100", nil)
		parent, _ := res["parent"].(map[string]any)
		if st != 200 || parent["name"] != "江南区" {
			t.Errorf("a county supervisor above its county: %d %v", st, res)
		}
	})
}
