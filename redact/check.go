package redact

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ValidID reports whether s is an 18-character resident ID number whose
// check character is right (ISO 7064 MOD 11-2, GB 11643-1999).
func ValidID(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * idWeights[i]
	}
	check := "10X98765432"[sum%11]
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return last == check
}

// Luhn reports whether a digit string passes the Luhn check, as bank card
// numbers do.
func Luhn(s string) bool {
	if len(s) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func num(d []rune) int {
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	return n
}

// birthDate reports whether 8 digits read as a date of birth (YYYYMMDD,
// 1900–2099): the middle of an ID number is one, an order number seldom.
func birthDate(d []rune) bool {
	y, m, day := num(d[:4]), num(d[4:6]), num(d[6:8])
	if y < 1900 || y > 2099 || m < 1 || m > 12 || day < 1 {
		return false
	}
	return day <= [...]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
}

// plausibleDate reports whether 8 digits could be a date written without
// separators (20260301), which a bare 8-digit phone number must not be.
func plausibleDate(d []rune) bool {
	return len(d) == 8 && birthDate(d)
}
