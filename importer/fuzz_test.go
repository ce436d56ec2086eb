package importer

import (
	"bytes"
	"testing"

	"jianfu"
	"jianfu/tabular"
)

// Seed corpora live in testdata/fuzz/FuzzRegions and testdata/fuzz/FuzzUnits.

// checkProblems checks what every problem must carry.
func checkProblems(t *testing.T, probs []jianfu.Problem, header int) {
	t.Helper()
	for _, p := range probs {
		if p.Message == "" || p.English == "" {
			t.Fatalf("problem without a message: %+v", p)
		}
		if p.Row != 0 && p.Row <= header {
			t.Fatalf("problem at row %d, at or above the header (row %d): %+v", p.Row, header, p)
		}
	}
}

func FuzzRegions(f *testing.F) {
	f.Add([]byte("code,name,provinceCode\n1101,\"市辖区\",11\n"))
	f.Add([]byte("代码,名称,级别,上级代码\n441900,东莞市,县级,4419\n441900003,东城街道,乡级,441900\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := tabular.NewReader(bytes.NewReader(data), "fuzz.csv", RegionColumns)
		if err != nil {
			return
		}
		defer r.Close()
		regions, probs := Regions(r)
		checkProblems(t, probs, r.HeaderRow())
		if len(probs) > 0 {
			return
		}
		seen := map[string]bool{}
		for _, reg := range regions {
			code, path, level, err := jianfu.ParseRegionCode(reg.Code)
			if err != nil || code != reg.Code || path != reg.Path || level != reg.Level {
				t.Fatalf("region %+v does not round-trip: %s %s %s %v", reg, code, path, level, err)
			}
			if reg.ParentPath != ParentOf(reg.Path) || reg.Name == "" {
				t.Fatalf("region %+v", reg)
			}
			if seen[reg.Path] {
				t.Fatalf("region %s twice", reg.Path)
			}
			seen[reg.Path] = true
		}
	})
}

func FuzzUnits(f *testing.F) {
	f.Add([]byte(unitHeader + "江南区民政局,政府机关,390102,江南区人民政府,11390102000000051X\n"))
	f.Add([]byte("name,type,region\n江南区图书馆,institution,390102001\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := tabular.NewReader(bytes.NewReader(data), "fuzz.csv", UnitColumns)
		if err != nil {
			return
		}
		defer r.Close()
		units, probs := Units(r)
		checkProblems(t, probs, r.HeaderRow())
		if len(probs) > 0 {
			return
		}
		last := 0
		codes := map[string]bool{}
		for _, u := range units {
			if u.Row <= last {
				t.Fatalf("row %d after %d", u.Row, last)
			}
			last = u.Row
			if err := u.Unit.Validate(); err != nil {
				t.Fatalf("row %d passed but does not validate: %v", u.Row, err)
			}
			if _, _, _, err := jianfu.ParseRegionCode(u.Unit.RegionCode); err != nil {
				t.Fatalf("row %d: region %q: %v", u.Row, u.Unit.RegionCode, err)
			}
			if c := u.Unit.CreditCode; c != "" {
				if codes[c] {
					t.Fatalf("credit code %s twice", c)
				}
				codes[c] = true
			}
		}
	})
}
