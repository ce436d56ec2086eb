package security

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestPrivacyRatingsCannotBeTraced reproduces attack 10: eight teachers
// rate their school's work group over the API; then, holding a copy of the
// database and the audit log, nothing ties a rating to its rater — the key
// of the marks is not in the database, the rows keep the quarter and a
// random id that follows no order of writing, and the audit entries of the
// ratings name nobody.
func TestPrivacyRatingsCannotBeTraced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := startPrivacy(t, db)
		var raters []string
		for i := range 8 {
			key := fmt.Sprintf("teacher%d", i+1)
			u := &jianfu.User{Username: fmt.Sprintf("school.teacher%d", i+1), Name: fmt.Sprintf("教师%d", i+1), UnitID: p.fx.Units["southSchool"].ID, Roles: []jianfu.Role{jianfu.RoleStaff}}
			if err := db.Users().CreateUser(storetest.System(), u, storetest.FixturePassword); err != nil {
				t.Fatal(err)
			}
			tok, err := db.Users().CreateToken(storetest.System(), u.Username, "test")
			if err != nil {
				t.Fatal(err)
			}
			p.tokens[key] = tok
			raters = append(raters, key)
		}
		path := fmt.Sprintf("/api/v1/scorecards/%d/ratings", p.group.ID)
		// Without the key from outside the database, no rating is taken.
		db.SetRaterKey(nil)
		if st, body := p.apiAs("teacher1", "POST", path, map[string]any{"score": 5}); st != 400 || !strings.Contains(fmt.Sprint(body), "--rater-key") {
			t.Errorf("a rating without a rater key: %d %v", st, body)
		}
		db.SetRaterKey([]byte(storetest.RaterKey))
		var written []string
		for i, key := range raters {
			comment := fmt.Sprintf("第%d条意见:晚上还要接龙", i+1)
			if st, body := p.apiAs(key, "POST", path, map[string]any{"score": i%5 + 1, "comment": comment}); st != 201 {
				t.Fatalf("%s rates: %d %v", key, st, body)
			}
			written = append(written, comment)
		}
		if st, _ := p.apiAs("teacher1", "POST", path, map[string]any{"score": 1}); st != 409 {
			t.Errorf("a second rating in the quarter: %d", st)
		}

		// The copy of the database.
		var cols []string
		rows, err := db.SQL().Query(`SELECT * FROM ratings`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ = rows.Columns()
		rows.Close()
		for _, c := range cols {
			if slices.Contains([]string{"rater", "day", "at", "created_at", "user_id"}, c) {
				t.Errorf("ratings keeps %q", c)
			}
		}
		if _, err := db.SQL().Exec(`SELECT k FROM rating_key`); err == nil {
			t.Error("the key of the marks is in the database")
		}
		rows, err = db.SQL().Query(`SELECT comment FROM ratings ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var byID []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			byID = append(byID, c)
		}
		rows.Close()
		if len(byID) != len(written) || slices.Equal(byID, written) {
			t.Errorf("the ids of the ratings follow the order they were written in: %v", byID)
		}
		// The audit log.
		st, body := p.apiAs("cityAuditor", "GET", "/api/v1/audit?limit=100&action=rating", nil)
		entries, _ := body["items"].([]any)
		if st != 200 || len(entries) != len(written) {
			t.Fatalf("rating entries: %d %d", st, len(entries))
		}
		for _, e := range entries {
			e := e.(map[string]any)
			if e["actor"] != "rater" || e["actor_id"] != nil || e["ip"] != nil || e["object_id"] != nil {
				t.Errorf("a rating's audit entry names its rater: %v", e)
			}
			for _, key := range raters {
				if strings.Contains(fmt.Sprint(e), p.tokens[key][:8]) || strings.Contains(fmt.Sprint(e), "school."+key) {
					t.Errorf("a rating's audit entry names %s: %v", key, e)
				}
			}
		}
		// What the rated unit sees has no rater and no day.
		st, body = p.apiAs("eduAdmin", "GET", path, nil)
		if st != 200 || body["count"] != float64(len(written)) || strings.Contains(fmt.Sprint(body), "teacher") || strings.Contains(fmt.Sprint(body), "day") {
			t.Errorf("the unit's summary: %d %v", st, body)
		}
	})
}
