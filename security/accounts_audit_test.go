package security

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"jianfu"
	"jianfu/secret"
	"jianfu/store/storetest"
)

// Attack 5 of issue 12: with a copy of the database, a reveal entry's actor
// and reason were rewritten and the SM3 chain recomputed, and `jianfu audit
// verify` still said intact; deleting the tail and moving the head also
// passed. Under the audit key and a checkpoint kept elsewhere, each fails.
func TestAttack5RewrittenRevealEntry(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		revealID := s.revealOverHTTP()
		cp, err := s.db.Audit().CheckpointAudit(storetest.System())
		if err != nil {
			t.Fatal(err)
		}
		if v := s.verify(cp); !v.OK || v.Keyed != v.Entries {
			t.Fatalf("the untouched chain: %+v", v)
		}

		// The attacker names another actor and a harmless reason, then
		// recomputes the plain SM3 chain from the first entry.
		storetest.RewriteAuditEntry(t, s.db, revealID, "prov.sup", "例行核实")
		if v := s.verify(); v.OK {
			t.Fatalf("a rewritten and rechained log verified: %+v", v)
		}
		if v := s.verify(cp); v.OK {
			t.Fatalf("a rewritten and rechained log verified against the checkpoint: %+v", v)
		}
	})
}

// Rechaining from the rewritten entry only: the chain breaks there.
func TestAttack5RechainFromEntry(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		revealID := s.revealOverHTTP()
		if _, err := s.db.SQL().Exec(fmt.Sprintf(`UPDATE audit_log SET actor_name = 'prov.sup' WHERE id = %d`, revealID)); err != nil {
			t.Fatal(err)
		}
		storetest.RecomputeAuditChain(t, s.db, revealID)
		v := s.verify()
		if v.OK || v.BrokenID != revealID {
			t.Fatalf("rechained from the reveal entry %d: %+v", revealID, v)
		}
	})
}

// Deleting the tail (the reveal among it) and moving the head leaves a
// consistent keyed chain; the checkpoint shows what is missing.
func TestAttack5DeletedTail(t *testing.T) {
	eachAudited(t, func(t *testing.T, s *server) {
		revealID := s.revealOverHTTP()
		cp, err := s.db.Audit().CheckpointAudit(storetest.System())
		if err != nil {
			t.Fatal(err)
		}
		storetest.DeleteAuditTail(t, s.db, revealID)
		v := s.verify(cp)
		if v.OK || !strings.Contains(v.Reason, "末尾记录被删除") {
			t.Fatalf("a deleted tail passed the checkpoint: %+v", v)
		}
		// A checkpoint made up by the attacker for the shorter chain is
		// refused: it needs the key.
		forged := *cp
		forged.Entries = revealID - 1
		forged.MAC = secret.SM3Hex("forged")
		if _, err := s.db.Audit().VerifyAudit(storetest.System(), &forged); jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Fatalf("a forged checkpoint: %v", err)
		}
	})
}

// revealOverHTTP files a named complaint, has a reporter_access user reveal
// the identity through the API, and returns the id of the reveal entry.
func (s *server) revealOverHTTP() int64 {
	t := s.t
	t.Helper()
	s.db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
	rec, err := s.db.Intake().SubmitComplaint(jianfu.WithClientIP(context.Background(), "203.0.113.9"), &jianfu.Complaint{
		Source: jianfu.SourceComplaint, RegionCode: "390102",
		Description: "江南区教育局要求每位老师每天转发文章并截图上报,周末也不例外。",
		Identity:    &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	cases, _, err := s.db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Query: rec.Number})
	if err != nil || len(cases) != 1 {
		t.Fatalf("find %s: %d %v", rec.Number, len(cases), err)
	}
	s.createUser("city.jubao", "city", acctPassword, jianfu.RoleReporterAccess)
	st, body := s.api(s.token("city.jubao"), "POST", fmt.Sprintf("/api/v1/cases/%d/reveal", cases[0].ID), map[string]string{"reason": "核实举报人身份以便回访反映的问题"})
	if st != 200 {
		t.Fatalf("reveal: %d %v", st, body)
	}
	entries, _, err := s.db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "reporter.reveal"})
	if err != nil || len(entries) != 1 || entries[0].ActorName != "city.jubao" {
		t.Fatalf("reveal entries %+v %v", entries, err)
	}
	return entries[0].ID
}

// acctPassword satisfies the password policy.
const acctPassword = "Jianfu-Acct-2026!"

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
