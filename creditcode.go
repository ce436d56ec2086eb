package jianfu

import "strings"

// creditAlphabet is the character set of the unified social credit code
// (统一社会信用代码, GB 32100-2015); I, O, Z, S, V are not used.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckChar computes the 18th character of a unified social credit
// code from its first 17. ok is false when a character is outside the
// alphabet.
func CreditCheckChar(first17 string) (c byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31], true
}

// ValidateCreditCode checks a unified social credit code: 18 characters from
// the GB 32100 alphabet, a 6-digit division code in positions 3–8, and the
// check character.
func ValidateCreditCode(s string) error {
	if len(s) != 18 {
		return Errorf(EINVALID, "统一社会信用代码应为18位,“%s”为%d位", "a unified social credit code has 18 characters; %q has %d", s, len([]rune(s)))
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(creditAlphabet, s[i]) < 0 {
			return Errorf(EINVALID, "统一社会信用代码“%s”第%d位“%c”不是有效字符(不使用I、O、Z、S、V)", "unified social credit code %q: character %d (%c) is not allowed (I, O, Z, S, V are never used)", s, i+1, rune(s[i]))
		}
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return Errorf(EINVALID, "统一社会信用代码“%s”第3至8位应为行政区划代码(数字)", "unified social credit code %q: characters 3 to 8 must be the division code (digits)", s)
		}
	}
	want, _ := CreditCheckChar(s[:17])
	if s[17] != want {
		return Errorf(EINVALID, "统一社会信用代码“%s”校验位错误:第18位应为“%c”,请核对原件", "unified social credit code %q: the check character should be %c; check the original", s, rune(want))
	}
	return nil
}

// OrgCodeCheck computes the check character of a 9-character organisation
// code (组织机构代码, GB 11714) from its first 8 characters.
func OrgCodeCheck(body8 string) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8 && i < len(body8); i++ {
		c := body8[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + r)
	}
}

// MakeCreditCode builds a valid unified social credit code from the
// registration authority and type ("11" for a party or government organ,
// "12" for a public institution, "13" for a people's organisation, "91"
// for an enterprise, "54" for a village committee), a 6-digit division
// code and an 8-digit organisation body; both check characters are computed.
func MakeCreditCode(authorityType, division6, orgBody8 string) string {
	org := orgBody8 + string(OrgCodeCheck(orgBody8))
	first := authorityType + division6 + org
	c, _ := CreditCheckChar(first)
	return first + string(c)
}
