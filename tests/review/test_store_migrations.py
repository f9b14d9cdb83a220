"""Schema versions and migrations of the review database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from review_helpers import flag

from locreview.review import SCHEMA_VERSION, ReviewStore, schema


def _v1_database(path: Path) -> None:
    """Build a database as locreview with schema version 1 left it, with one decision."""
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, target=1)
    conn.executescript(
        """
        INSERT INTO projects VALUES (1, 'Pilot', '2026-01-01T00:00:00+00:00', 'ed');
        INSERT INTO drafts VALUES (1, 1, 'ep1', '2026-01-01T00:00:00+00:00');
        INSERT INTO revisions VALUES (1, 1, 1, 'ep1.fountain', 'abc', 'fountain', '["CN"]',
            '{"CN": "1.0"}', 'ed', '2026-01-01T00:00:00+00:00', NULL, NULL);
        """
    )
    import json

    f = flag()
    conn.execute(
        "INSERT INTO flags (id, revision_id, fingerprint, market, category, severity,"
        " severity_rank, entry_id, entry_version, detector, score, text, start, \"end\", line,"
        " col, data) VALUES (1, 1, ?, 'CN', 'historical', 'high', 3, 'cn.tiananmen', '1.0',"
        " 'literal', 0.9, 'Tiananmen', 0, 9, 1, 1, ?)",
        (f.fingerprint, json.dumps(f.to_dict())),
    )
    conn.execute(
        "INSERT INTO decisions VALUES (1, 'dismissed', 'fiction', '', 'cora',"
        " '2026-01-01T00:00:00+00:00', NULL)"
    )
    conn.close()


def test_migration_from_v1_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _v1_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'suppressions'").fetchone()
    conn.close()
    store = ReviewStore(path)
    assert store.schema_version == SCHEMA_VERSION == 2
    (f,) = store.flags(1)
    assert f.status == "dismissed" and f.decision.reason == "fiction"
    # v2 features work on the migrated file.
    sup = store.promote_to_suppression(f.id, reviewer="cmp")
    assert store.suppressions("Pilot")[0].id == sup.id
    store.add_note(f.id, "migrated fine", author="lee")
    # Opening again is a no-op.
    assert ReviewStore(path).schema_version == SCHEMA_VERSION


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite"
    _v1_database(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("simulated failure in migration 2")

    monkeypatch.setattr(schema, "MIGRATIONS", [schema.MIGRATIONS[0], broken])
    from locreview.errors import ReviewStoreError

    with pytest.raises(ReviewStoreError, match="simulated failure"):
        ReviewStore(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()


def test_split_keeps_trigger_bodies() -> None:
    stmts = schema._split(schema._V1)
    triggers = [s for s in stmts if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2 and all(s.endswith("END;") for s in triggers)
