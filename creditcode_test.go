package jianfu

import "testing"

func TestValidateCreditCode(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},  // the example printed in GB 32100-2015
		{"91350100M000100Y44", false}, // wrong check character
		{"91350100M000100Y4", false},  // 17 characters
		{"9135O100M000100Y43", false}, // letter O is not in the alphabet
		{"91ABCDEFM000100Y43", false}, // division code not digits
		{MakeCreditCode("11", "390102", "00000001"), true},
		{MakeCreditCode("54", "390102", "MA000012"), true},
	}
	for _, tt := range tests {
		err := ValidateCreditCode(tt.code)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateCreditCode(%q) = %v, want ok=%v", tt.code, err, tt.ok)
		}
	}
}

func TestOrgCodeCheck(t *testing.T) {
	// D2143569-X is the worked example of GB 11714.
	for body, want := range map[string]byte{"D2143569": 'X', "00000001": '9'} {
		if got := OrgCodeCheck(body); got != want {
			t.Errorf("OrgCodeCheck(%s) = %c, want %c", body, got, want)
		}
	}
}

func TestParseRegionCode(t *testing.T) {
	tests := []struct {
		in, code, path string
		level          Level
		bad            bool
	}{
		{"43", "430000", "43", LevelProvince, false},
		{"430000", "430000", "43", LevelProvince, false},
		{"4301", "430100", "4301", LevelCity, false},
		{"430100", "430100", "4301", LevelCity, false},
		{"430102", "430102", "430102", LevelCounty, false},
		{"430102001", "430102001", "430102001", LevelTownship, false},
		{"430102001000", "430102001", "430102001", LevelTownship, false},
		{"430102001001", "430102001001", "430102001001", LevelVillage, false},
		{"430102000000", "430102", "430102", LevelCounty, false},
		{"000000", NationalCode, "", LevelNational, false},
		{"4301x2", "", "", "", true},
		{"43010", "", "", "", true},
		{"0012", "", "", "", true},
		{"1100", "", "", "", true},
	}
	for _, tt := range tests {
		code, path, level, err := ParseRegionCode(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseRegionCode(%q) accepted", tt.in)
			}
			continue
		}
		if err != nil || code != tt.code || path != tt.path || level != tt.level {
			t.Errorf("ParseRegionCode(%q) = %q %q %q %v, want %q %q %q", tt.in, code, path, level, err, tt.code, tt.path, tt.level)
		}
	}
}

func TestParentPathSkipsMissingLevels(t *testing.T) {
	for path, want := range map[string]string{"441900003": "4419", "430102001": "430102", "430102": "4301", "4301": "43", "43": "", "430102001001": "430102001"} {
		if got := ParentPath(path); got != want {
			t.Errorf("ParentPath(%s) = %q, want %q", path, got, want)
		}
	}
}
