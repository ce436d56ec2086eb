package jianfu

import (
	_ "embed"
	"strings"
	"sync"
	"time"
	"unicode"
)

// The password policy (身份鉴别, 等保2.0 level 3).
const (
	MinPasswordLength = 12  // characters
	MaxPasswordBytes  = 256 // argon2 takes any length; this bounds the work
)

//go:generate go run ./internal/tools/commonpw -o common_passwords.txt
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "# ") {
			m[line] = true
		}
	}
	return m
})

// lookAlikes undoes the substitutions people make to dress up a common
// word: P@ssw0rd is password.
var lookAlikes = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "5", "s", "$", "s", "7", "t", "+", "t", "9", "g", "8", "b")

// IsCommonPassword reports whether the password is a common one, or a
// common word dressed with capitals, look-alike characters, or digits and
// symbols before or after it ("Woaini1314!", "P@ssw0rd2026").
func IsCommonPassword(p string) bool {
	common := commonPasswords()
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	lower := strings.ToLower(p)
	for _, w := range []string{lower, strings.TrimFunc(lower, notLetter), strings.TrimRightFunc(lower, notLetter), strings.TrimLeftFunc(lower, notLetter)} {
		if w != "" && (common[w] || common[lookAlikes.Replace(w)]) {
			return true
		}
	}
	return false
}

// ValidatePassword checks a new password for the user against the policy:
// at least MinPasswordLength characters of three classes (lower case,
// upper case, digits, symbols), not containing the username, not a common
// password. The error lists every rule the password breaks, in Chinese
// first.
func ValidatePassword(username, p string) error {
	var probs []Problem
	bad := func(zh, en string) { probs = append(probs, Problem{Field: "password", Message: zh, English: en}) }
	if len(p) > MaxPasswordBytes {
		bad("密码过长(最多256字节)", "the password is too long (256 bytes at most)")
		return problemsError(probs)
	}
	if n := len([]rune(p)); n < MinPasswordLength {
		bad("密码至少12位(现在只有"+itoa(n)+"位)", "a password needs at least 12 characters (this has "+itoa(n)+")")
	}
	if classes := passwordClasses(p); classes < 3 {
		bad("密码须包含小写字母、大写字母、数字、符号中的至少三类(现在只有"+itoa(classes)+"类)", "a password needs three of: lower case, upper case, digits, symbols (this has "+itoa(classes)+")")
	}
	lower := strings.ToLower(p)
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" {
		if strings.Contains(lower, u) {
			bad("密码不能包含用户名", "the password must not contain the username")
		} else {
			for _, part := range strings.FieldsFunc(u, func(r rune) bool { return r == '.' || r == '_' || r == '-' }) {
				if len(part) >= 4 && strings.Contains(lower, part) {
					bad("密码不能包含用户名中的“"+part+"”", "the password must not contain "+part+" from the username")
					break
				}
			}
		}
	}
	if IsCommonPassword(p) {
		bad("密码太常见(如 Password123、woaini1314、zhangwei、qwerty、1qaz2wsx 及其加数字符号的变体),容易被猜中,请换一个", "the password is too common (like Password123, woaini1314, zhangwei, qwerty, 1qaz2wsx and variants with digits or symbols)")
	}
	if len(probs) == 1 {
		return Errorf(EINVALID, "%[1]s", "%[2]s", probs[0].Message, probs[0].English)
	}
	if len(probs) > 1 {
		e := Errorf(EINVALID, "密码不符合以下%[1]d条要求", "the password breaks %[1]d rules", len(probs))
		e.Problems = probs
		return e
	}
	return nil
}

func passwordClasses(p string) int {
	classes := 0
	for _, f := range []func(rune) bool{
		func(r rune) bool { return r >= 'a' && r <= 'z' },
		func(r rune) bool { return r >= 'A' && r <= 'Z' },
		func(r rune) bool { return r >= '0' && r <= '9' },
		func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') },
	} {
		if strings.IndexFunc(p, f) >= 0 {
			classes++
		}
	}
	return classes
}

// PasswordExpired reports whether a password changed at changed has
// expired at now under a maximum age (0: passwords do not expire).
func PasswordExpired(changed, now time.Time, maxAge time.Duration) bool {
	return maxAge > 0 && now.Sub(changed) > maxAge
}
