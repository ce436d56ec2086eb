package store_test

import (
	"context"
	"strings"
	"testing"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// keyedStores runs fn on each engine with a fresh store keyed by k.
func keyedStores(t *testing.T, fn func(t *testing.T, db *store.DB, k *secret.AuditKey)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			k := must(secret.ParseAuditKey(secret.NewAuditKeyString()))
			fn(t, storetest.Open(t, e, store.WithAuditKey(k)), k)
		})
	}
}

func verify(t *testing.T, db *store.DB, cps ...*jianfu.AuditCheckpoint) *jianfu.AuditVerification {
	t.Helper()
	v, err := db.Audit().VerifyAudit(storetest.System(), cps...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Attack 5 of issue 12: with a copy of the database, a reveal entry's actor
// and reason were rewritten and the SM3 chain recomputed, and verify still
// said intact. Under a key it no longer does.
func TestKeyedAuditChainDetectsRecomputedChain(t *testing.T) {
	keyedStores(t, func(t *testing.T, db *store.DB, k *secret.AuditKey) {
		storetest.Load(t, db)
		v := verify(t, db)
		if !v.OK || v.Keyed != v.Entries || v.KeyID != k.ID() {
			t.Fatalf("untouched keyed chain: %+v", v)
		}
		cp := must(db.Audit().CheckpointAudit(storetest.System()))

		storetest.RewriteAuditEntry(t, db, 5, "sheng.admin", "核实线索")
		v = verify(t, db)
		if v.OK || !strings.Contains(v.Reason, "没有一条密钥签名") {
			t.Fatalf("a chain recomputed without the key verified: %+v", v)
		}
		v = verify(t, db, cp)
		if v.OK || v.BrokenID != cp.Entries {
			t.Fatalf("against the checkpoint: %+v", v)
		}
	})
}

// An edited keyed entry fails on itself.
func TestKeyedAuditChainDetectsEditedRow(t *testing.T) {
	keyedStores(t, func(t *testing.T, db *store.DB, k *secret.AuditKey) {
		storetest.Load(t, db)
		if _, err := db.SQL().Exec(`UPDATE audit_log SET detail = 'forged' WHERE id = 6`); err != nil {
			t.Fatal(err)
		}
		v := verify(t, db)
		if v.OK || v.BrokenID != 6 || !strings.Contains(v.Reason, "密钥签名不符") {
			t.Fatalf("after editing keyed entry 6: %+v", v)
		}
		// Recomputing the plain chain from the edited entry on stops there.
		storetest.RecomputeAuditChain(t, db, 6)
		v = verify(t, db)
		if v.OK || v.BrokenID != 6 || !strings.Contains(v.Reason, "没有密钥签名") {
			t.Fatalf("after rechaining from entry 6: %+v", v)
		}
	})
}

// Deleting the tail and moving the head keeps a consistent chain; only a
// checkpoint kept elsewhere shows what is missing.
func TestAuditCheckpointDetectsDeletedTail(t *testing.T) {
	keyedStores(t, func(t *testing.T, db *store.DB, k *secret.AuditKey) {
		storetest.Load(t, db)
		cp := must(db.Audit().CheckpointAudit(storetest.System()))
		if v := verify(t, db, cp); !v.OK || v.Checkpoints != 1 || int64(v.Entries) != cp.Entries {
			t.Fatalf("fresh checkpoint: %+v (checkpoint %+v)", v, cp)
		}
		storetest.DeleteAuditTail(t, db, cp.Entries-2)
		if v := verify(t, db); !v.OK {
			t.Fatalf("a consistently cut chain should verify without a checkpoint: %+v", v)
		}
		v := verify(t, db, cp)
		if v.OK || !strings.Contains(v.Reason, "末尾记录被删除") {
			t.Fatalf("deleted tail not found with the checkpoint: %+v", v)
		}
	})
}

// A forged or altered checkpoint is refused rather than trusted.
func TestAuditCheckpointIsSigned(t *testing.T) {
	keyedStores(t, func(t *testing.T, db *store.DB, k *secret.AuditKey) {
		storetest.Load(t, db)
		cp := must(db.Audit().CheckpointAudit(storetest.System()))
		forged := *cp
		forged.Entries -= 3
		if _, err := db.Audit().VerifyAudit(storetest.System(), &forged); code(err) != jianfu.EINVALID {
			t.Fatalf("altered checkpoint: %v", err)
		}
	})
}

// A database whose chain was unkeyed is anchored once when a key is first
// given, on record; from then on a recomputed plain chain fails.
func TestAuditChainAnchoredWhenKeyFirstGiven(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, e)
			plain := must(store.Open(ctx, dsn, storetest.Rules))
			must(plain.Migrate(ctx))
			storetest.Load(t, plain)
			before := verify(t, plain)
			if !before.OK || before.Keyed != 0 {
				t.Fatalf("plain chain: %+v", before)
			}
			if _, err := plain.Audit().CheckpointAudit(storetest.System()); code(err) != jianfu.EINVALID {
				t.Fatalf("a checkpoint without a key: %v", err)
			}
			plain.Close()

			k := must(secret.ParseAuditKey(secret.NewAuditKeyString()))
			db := must(store.Open(ctx, dsn, storetest.Rules, store.WithAuditKey(k)))
			defer db.Close()
			if anchored := must(db.Audit().AnchorAudit(storetest.System())); !anchored {
				t.Fatal("not anchored")
			}
			if again := must(db.Audit().AnchorAudit(storetest.System())); again {
				t.Fatal("anchored twice")
			}
			entries, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "audit.anchor"})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].ID != int64(before.Entries+1) || entries[0].KeyID != k.ID() {
				t.Fatalf("anchor entries %+v", entries)
			}
			v := verify(t, db)
			if !v.OK || v.Entries-v.Keyed != before.Entries {
				t.Fatalf("anchored chain: %+v (before %+v)", v, before)
			}
			// A writer without the key is refused rather than breaking the chain.
			nokey := must(store.Open(ctx, dsn, storetest.Rules))
			defer nokey.Close()
			if err := nokey.Audit().RecordAudit(storetest.System(), &jianfu.AuditEntry{Action: "test.write"}); code(err) != jianfu.EINVALID {
				t.Fatalf("append without the key: %v", err)
			}
			// Rewriting an entry from before the anchor and recomputing the
			// plain chain up to it breaks the anchor's keyed link.
			storetest.RewriteAuditEntry(t, db, 3, "sheng.admin", "forged")
			if v := verify(t, db); v.OK {
				t.Fatalf("recomputed chain verified: %+v", v)
			}
		})
	}
}
