package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/urlrec"
)

var nRule = noun{"规则", "rule"}

const ruleCols = `rule, enabled, level, threshold, clause, source, updated_by, updated_at`

func scanRule(s interface{ Scan(...any) error }) (*jianfu.RuleSetting, error) {
	var r jianfu.RuleSetting
	var level string
	var at int64
	if err := s.Scan(&r.Rule, &r.Enabled, &level, &r.Threshold, &r.Clause, &r.Source, &r.UpdatedBy, &at); err != nil {
		return nil, err
	}
	r.Level = jianfu.RuleLevel(level)
	if at > 0 {
		r.UpdatedAt = fromMS(at)
	}
	return &r, nil
}

// RuleSettings lists the rule settings in RuleDefs order. Any logged-in
// user may read them: they are the published rules of filing.
func (s *Registry) RuleSettings(ctx context.Context) ([]*jianfu.RuleSetting, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT `+ruleCols+` FROM registry_rules`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byKey := map[string]*jianfu.RuleSetting{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		byKey[r.Rule] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*jianfu.RuleSetting
	for _, d := range jianfu.RuleDefs {
		if r := byKey[d.Key]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// ruleSetting reads one setting inside a transaction.
func (tx *Tx) ruleSetting(key string) (*jianfu.RuleSetting, error) {
	r, err := scanRule(tx.queryRow(`SELECT `+ruleCols+` FROM registry_rules WHERE rule = ?`, key))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", key, err)
	}
	return r, nil
}

// ruleSettings reads every setting inside a transaction, by key.
func (tx *Tx) ruleSettings() (map[string]*jianfu.RuleSetting, error) {
	rows, err := tx.query(`SELECT ` + ruleCols + ` FROM registry_rules`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*jianfu.RuleSetting{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out[r.Rule] = r
	}
	return out, rows.Err()
}

// UpdateRuleSetting changes a rule setting. A new re-validation interval
// moves the due dates of every running channel.
func (s *Registry) UpdateRuleSetting(ctx context.Context, rs *jianfu.RuleSetting) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := a.MayEditRules(); err != nil {
		return err
	}
	rs.Clause, rs.Source = strings.TrimSpace(rs.Clause), strings.TrimSpace(rs.Source)
	if err := rs.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		old, err := tx.ruleSetting(rs.Rule)
		if err != nil {
			return s.db.translate(errNoRows, nRule)
		}
		var changes []string
		if old.Enabled != rs.Enabled {
			changes = append(changes, fmt.Sprintf("enabled %v→%v", old.Enabled, rs.Enabled))
		}
		if old.Level != rs.Level {
			changes = append(changes, fmt.Sprintf("level %s→%s", old.Level, rs.Level))
		}
		if old.Threshold != rs.Threshold {
			changes = append(changes, fmt.Sprintf("threshold %d→%d", old.Threshold, rs.Threshold))
		}
		if old.Clause != rs.Clause {
			changes = append(changes, fmt.Sprintf("clause %q→%q", old.Clause, rs.Clause))
		}
		if old.Source != rs.Source {
			changes = append(changes, fmt.Sprintf("source %q→%q", old.Source, rs.Source))
		}
		if len(changes) == 0 {
			*rs = *old
			return nil
		}
		rs.UpdatedBy, rs.UpdatedAt = a.Username, tx.now
		if _, err := tx.exec(`UPDATE registry_rules SET enabled = ?, level = ?, threshold = ?, clause = ?, source = ?, updated_by = ?, updated_at = ? WHERE rule = ?`,
			rs.Enabled, string(rs.Level), rs.Threshold, rs.Clause, rs.Source, rs.UpdatedBy, ms(tx.now), rs.Rule); err != nil {
			return err
		}
		if rs.Rule == jianfu.RuleRevalidation && old.Threshold != rs.Threshold {
			if _, err := tx.exec(`UPDATE channels SET revalidate_due_at = COALESCE(revalidated_at, filed_at, updated_at) + ?
				WHERE revalidate_due_at IS NOT NULL`, (time.Duration(rs.Threshold) * jianfu.RevalidationMonth).Milliseconds()); err != nil {
				return err
			}
		}
		return tx.audit("registry.rule.update", "registry_rule", rs.Rule, a.RegionPath, strings.Join(changes, "; "))
	})
}

// URLRules lists the link recognition rules: the saved ones, or the
// built-in ones while none are saved.
func (s *Registry) URLRules(ctx context.Context) ([]*jianfu.URLRule, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	return s.db.urlRules(ctx)
}

func (db *DB) urlRules(ctx context.Context) ([]*jianfu.URLRule, error) {
	rows, err := db.query(ctx, `SELECT id, kind, platform, host, path, param, note FROM registry_url_rules ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.URLRule
	for rows.Next() {
		var r jianfu.URLRule
		var kind string
		if err := rows.Scan(&r.ID, &kind, &r.Platform, &r.Host, &r.Path, &r.Param, &r.Note); err != nil {
			return nil, err
		}
		r.Kind = jianfu.ChannelKind(kind)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return urlrec.DefaultRules(), nil
	}
	return out, nil
}

// SaveURLRules replaces the link rules; nil or empty restores the defaults.
func (s *Registry) SaveURLRules(ctx context.Context, rules []*jianfu.URLRule) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := a.MayEditRules(); err != nil {
		return err
	}
	for _, r := range rules {
		r.Host, r.Path, r.Param, r.Note = strings.TrimSpace(r.Host), strings.TrimSpace(r.Path), strings.TrimSpace(r.Param), strings.TrimSpace(r.Note)
	}
	if _, err := urlrec.Compile(rules); err != nil {
		return err
	}
	defer func() {
		s.db.counts.recMu.Lock()
		s.db.counts.rec = nil // recompile with what is saved
		s.db.counts.recMu.Unlock()
	}()
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`DELETE FROM registry_url_rules`); err != nil {
			return err
		}
		for i, r := range rules {
			if _, err := tx.exec(`INSERT INTO registry_url_rules(position, kind, platform, host, path, param, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				i+1, string(r.Kind), r.Platform, r.Host, r.Path, r.Param, r.Note); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("%d rules", len(rules))
		if len(rules) == 0 {
			detail = "restored the built-in rules"
		}
		return tx.audit("registry.urlrules.update", "registry_url_rules", "", a.RegionPath, detail)
	})
}

// recognizer returns the current link rules compiled, from a cache that a
// save drops (and that expires, for other processes' saves).
func (db *DB) recognizer(ctx context.Context) (*urlrec.Recognizer, error) {
	c := &db.counts
	c.recMu.Lock()
	defer c.recMu.Unlock()
	if c.rec != nil && time.Since(c.recAt) < countsTTL {
		return c.rec, nil
	}
	rec, err := db.compileRules(ctx)
	if err != nil {
		return nil, err
	}
	c.rec, c.recAt = rec, time.Now()
	return rec, nil
}

func (db *DB) compileRules(ctx context.Context) (*urlrec.Recognizer, error) {
	rules, err := db.urlRules(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := urlrec.Compile(rules)
	if err != nil {
		// Saved rules were checked when saved; fall back rather than fail.
		db.log.Error("link rules do not compile; using the built-in ones", "err", err)
		return urlrec.Compile(urlrec.DefaultRules())
	}
	return rec, nil
}

// RecognizeURL recognises a link by the current rules. ENOTFOUND when it
// says nothing the rules know.
func (s *Registry) RecognizeURL(ctx context.Context, link string) (*jianfu.Recognition, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	rec, err := s.db.recognizer(ctx)
	if err != nil {
		return nil, err
	}
	got, ok := rec.Recognize(link)
	if !ok {
		return nil, jianfu.Errorf(jianfu.ENOTFOUND, "无法识别该链接:请确认是应用商店、公众号文章或账号主页的完整链接", "the link is not recognised; paste the full link of an app-store page, an article or a profile")
	}
	return got, nil
}
