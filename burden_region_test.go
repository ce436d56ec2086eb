package jianfu

import (
	"reflect"
	"testing"
)

func TestRegionRows(t *testing.T) {
	g := func(id int64, unit int64, path string, members, messages, demands int, index float64, trend ...float64) *BurdenRow {
		r := &BurdenRow{Kind: "group", ID: id, UnitID: unit, RegionPath: path, Metrics: BurdenMetrics{Members: members, Messages: messages, Demands: demands},
			Index: BurdenIndex{Value: index}, Level: BurdenLevel(index), Trend: trend}
		return r
	}
	groups := []*BurdenRow{
		g(1, 10, "390102", 100, 200, 30, 70, 50, 70), // a busy heavy group of 100
		g(2, 11, "390102001", 5, 10, 0, 10, 10, 10),  // a quiet small one
		g(3, 12, "390103", 20, 50, 5, 30, 20, 30),
		g(4, 13, "3901", 50, 100, 0, 5, 5, 5), // the city's own bureau
	}
	names := map[string]string{"390102": "江南区", "390103": "江北区"}
	rows := RegionRows(groups, "3901", names, OwnLevelName("3901"))
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	south := rows[0]
	// (70×100×200 + 10×5×10) / (100×200 + 5×10) = 69.85…
	if south.Name != "江南区" || south.Groups != 2 || south.Units != 2 || south.Members != 105 || south.Messages != 210 || south.Demands != 30 || south.Index != 69.9 || south.Level != "high" {
		t.Errorf("江南区 %+v", south)
	}
	if south.Bands != [4]int{1, 0, 0, 1} || south.BandShare(3) != 50 {
		t.Errorf("bands %v", south.Bands)
	}
	if !reflect.DeepEqual(south.Trend, []float64{49.9, 69.9}) {
		t.Errorf("trend %v", south.Trend)
	}
	if rows[1].Name != "江北区" || rows[2].Name != "市本级" || !rows[2].Own || rows[2].RegionPath != "3901" {
		t.Errorf("order and the city's own row: %+v %+v", rows[1], rows[2])
	}
	if got := RegionRows(nil, "39", nil, "省本级"); len(got) != 0 {
		t.Errorf("no groups, no rows: %+v", got)
	}
}
