"""The reviewer under attack and under faults, through its real HTTP API: unauthenticated
requests are refused everywhere, roles are enforced server-side, uploads are bounded and
their names never become paths, temp files go away; a full disk or a read-only database
gives a clear error in the UI and the CLI and leaves no partial state."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import hostile_inputs as H
import pytest

sys.path.insert(0, str(H.REPO / "tests" / "load"))
import app_process as A  # noqa: E402

pytestmark = pytest.mark.slow
USERS = {"erin": ("editor", "erin-pw"), "carla": ("consultant", "carla-pw"),
         "cody": ("compliance", "cody-pw")}
PACK = Path(__file__).parent / "fixtures" / "evasion.yaml"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    """The reviewer with one user per role, the sample draft and a 0.5 MB upload limit."""
    folder = tmp_path_factory.mktemp("secapp")
    proc = A.start(folder, A.write_users(folder / "users.toml", USERS), max_upload_mb=0.5)
    yield proc
    proc.stop()


def _http(app, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(app.url.rstrip("/") + path, data=body, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_unauthenticated_requests_to_every_endpoint_are_refused(app, reliability) -> None:
    c = A.client(app, "cody", "cody-pw")
    named = sorted(c.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert "/decide_accepted" in named and "/export" in named
    before = _count(app.db, "SELECT count(*) FROM audit")
    refused = 0
    json_h = {"Content-Type": "application/json"}
    for name in named:
        for prefix in ("/gradio_api/call", "/gradio_api/run"):
            status, _ = _http(app, "POST", f"{prefix}{name}", b'{"data":[1,"x"]}', json_h)
            assert status in (401, 403), (prefix, name, status)
            refused += 1
    for method, path in [("GET", "/config"), ("GET", "/gradio_api/info"),
                         ("GET", "/gradio_api/openapi.json"), ("POST", "/gradio_api/upload"),
                         ("GET", "/gradio_api/file=/etc/passwd"),
                         ("POST", "/gradio_api/queue/join"),
                         ("GET", "/gradio_api/queue/data?session_hash=x")]:
        status, _ = _http(app, method, path, b"{}" if method == "POST" else None, json_h)
        assert status in (401, 403), (path, status)
        refused += 1
    # A forged session cookie is no better than none.
    status, _ = _http(app, "POST", "/gradio_api/call/decide_accepted", b'{"data":[1,"x"]}',
                      {**json_h, "Cookie": "access-token=forged; access-token-unsecure=forged"})
    assert status in (401, 403)
    with pytest.raises(Exception, match="(?i)login|auth|credential"):
        A.client(app, "cody", "wrong-password")
    assert _count(app.db, "SELECT count(*) FROM audit") == before
    reliability.add(kind="auth", name="unauthenticated requests (every named endpoint, call +"
                    " run, config/info/upload/file/queue, forged cookie)", tried=refused + 2,
                    outcome="all 401; nothing written")


@pytest.mark.parametrize(("user", "endpoint", "args"), [
    ("carla", "/export", "rev_html"),
    ("carla", "/suppress", "flag_suppress"),
    ("carla", "/revoke", "revoke"),
    ("carla", "/scan", "scan"),
    ("erin", "/decide_accepted", "flag_note"),
    ("erin", "/decide_dismissed", "flag_note"),
    ("erin", "/add_note", "flag_note"),
    ("erin", "/suppress", "flag_suppress"),
])
def test_roles_are_enforced_server_side(app, reliability, tmp_path, user, endpoint,
                                        args) -> None:
    boss = A.client(app, "cody", "cody-pw")
    rev, ids = A.flag_ids(boss)
    c = A.client(app, user, USERS[user][1])
    before = {t: _count(app.db, f"SELECT count(*) FROM {t}")
              for t in ("decisions", "notes", "suppressions", "revisions", "audit")}
    from gradio_client import handle_file

    draft = tmp_path / "role.fountain"
    draft.write_text("INT. ROOM - DAY\n\nRemember Taiwan.\n", encoding="utf-8")
    call = {
        "rev_html": (rev, "html"),
        "flag_suppress": (ids[0], "because", "", "", False),
        "revoke": (1, "because"),
        "scan": (handle_file(str(draft)), ["CN"], "p", "d"),
        "flag_note": (ids[0], "a note"),
    }[args]
    out = c.predict(*call, api_name=endpoint)
    msg = out[-1] if isinstance(out, (list, tuple)) else out
    assert str(msg).startswith("Error:") and "may not" in str(msg), out
    after = {t: _count(app.db, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before
    reliability.add(kind="auth", name=f"{USERS[user][0]} calls {endpoint} through the API",
                    tried=1, outcome=str(msg)[:80])


def _login_cookie(app, user: str) -> str:
    body = f"username={user}&password={USERS[user][1]}".encode()
    req = urllib.request.Request(app.url.rstrip("/") + "/login", data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        cookies = resp.headers.get_all("set-cookie") or []
    return "; ".join(c.split(";")[0] for c in cookies)


def _multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_upload_size_limit_and_hostile_names(app, reliability) -> None:
    cookie = _login_cookie(app, "cody")
    big, ctype = _multipart("big.fountain", b"A" * (700 * 1024))
    status, _ = _http(app, "POST", "/gradio_api/upload", big,
                      {"Content-Type": ctype, "Cookie": cookie})
    assert status == 413, status
    canary = f"canary-{uuid.uuid4().hex}"
    names = [f"../../../../tmp/{canary}.fountain", f"/tmp/{canary}-abs.fountain",
             f"..\\..\\{canary}.fountain", f"{canary}\x00.fountain"]
    for name in names:
        body, ctype = _multipart(name, b"INT. ROOM - DAY\n\nRemember Taiwan.\n")
        status, resp = _http(app, "POST", "/gradio_api/upload", body,
                             {"Content-Type": ctype, "Cookie": cookie})
        if status == 200:
            for p in json.loads(resp):
                assert Path(p).resolve().is_relative_to(app.temp.resolve()), p
    leaked = list(Path("/tmp").glob(f"{canary}*")) + list(app.temp.parent.glob(f"{canary}*"))
    assert not leaked, leaked
    reliability.add(kind="upload", name="700 KB upload over a 0.5 MB limit; 4 traversal names",
                    tried=5, outcome="413; every stored path inside the upload folder")


def test_scan_through_api_removes_the_uploaded_temp_file(app, tmp_path, reliability) -> None:
    from gradio_client import handle_file

    marker = f"UNIQUE-{uuid.uuid4().hex}"
    draft = tmp_path / "weird name;rm -rf.fountain"
    draft.write_text(f"INT. ROOM - DAY\n\nRemember Taiwan. {marker}\n", encoding="utf-8")
    c = A.client(app, "cody", "cody-pw")
    out = c.predict(handle_file(str(draft)), ["CN"], "sec", "", api_name="/scan")
    assert "flags" in str(out[-1]), out
    left = [p for p in app.temp.rglob("*") if p.is_file()
            and marker.encode() in p.read_bytes()]
    assert not left, left
    reliability.add(kind="upload", name="uploaded draft after its scan", tried=1,
                    outcome="no copy left in the upload folder")


# -- faults: disk full, read-only database ---------------------------------------------------

def _store_with_flags(folder: Path) -> tuple[Path, int]:
    """A review database with one scanned revision; return (db, a flag id)."""
    sys.path.insert(0, str(H.REPO))
    from app.auth import User
    from app.service import ReviewService
    from locreview.api import scan
    from locreview.review import ReviewStore

    def scanner(script, markets, progress=None):
        return scan(script, markets, glossaries=[PACK], detectors="literal,context")

    db = folder / "db" / "review.sqlite"
    svc = ReviewService(ReviewStore(db), scanner=scanner, markets=["CN"],
                        export_dir=folder / "exports")
    draft = folder / "d.fountain"
    draft.write_text("INT. ROOM - DAY\n\nRemember Taiwan and Tiananmen.\n", encoding="utf-8")
    res = svc.upload(User("cody", "compliance"), draft, markets=["CN"])
    return db, svc.flag_rows(User("cody", "compliance"), res.revision.id)[0][0]


DECIDE = """
import os, resource, sqlite3, sys
sys.path.insert(0, {repo!r})
from app.auth import User
from app.service import ReviewService
from locreview.review import ReviewStore
db = {db!r}
mode = {mode!r}
store = ReviewStore(db) if mode == 'full' else None
if mode == 'full':
    # Keep the WAL file alive, then forbid it to grow: the next commit hits "disk full".
    pin = sqlite3.connect(db)
    pin.execute('SELECT count(*) FROM flags').fetchone()
    wal = db + '-wal'
    size = os.path.getsize(wal) if os.path.exists(wal) else 0
    resource.setrlimit(resource.RLIMIT_FSIZE, (max(size, 1), resource.RLIM_INFINITY))
svc = ReviewService(store or ReviewStore(db), markets=['CN'])
try:
    svc.decide(User('cody', 'compliance'), {fid}, 'accepted', 'disk test')
    out['saved'] = True
except Exception as exc:
    # What the UI shows: guarded() turns a LocreviewError into "Error: <message>".
    out['ui_message'] = 'Error: ' + getattr(exc, 'message', str(exc))
    raise
"""


def _as_unprivileged() -> list[str]:
    """Drop root for a child (root ignores file modes); [] when not root."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("unshare"):
        pytest.skip("running as root without unshare: cannot make a directory read-only")
    return ["unshare", "--user", "--map-user=65534", "--map-group=65534"]


def _state(db: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM decisions").fetchone()[0],
                conn.execute("SELECT count(*) FROM audit").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_disk_full_gives_a_clear_error_and_no_partial_state(tmp_path, reliability) -> None:
    db, fid = _store_with_flags(tmp_path)
    before = _state(db)
    res = H.run_bounded(DECIDE.format(repo=str(H.REPO), db=str(db), mode="full", fid=fid),
                        seconds=30)
    out = res.result
    assert out["outcome"] == "error" and out["type"] == "ReviewStoreError", out
    # A write past RLIMIT_FSIZE fails with EFBIG, which SQLite reports as an I/O error
    # (a real ENOSPC reads "database or disk is full").
    assert "disk" in out["ui_message"].lower(), out["ui_message"]
    assert _state(db) == before and before[2] == "ok"
    reliability.add(kind="fault", name="disk full while saving a decision (RLIMIT_FSIZE)",
                    tried=1, outcome=out["ui_message"][:100] + "; nothing saved, integrity ok")


def test_disk_io_error_message_says_nothing_was_saved(tmp_path) -> None:
    db, fid = _store_with_flags(tmp_path)
    res = H.run_bounded(DECIDE.format(repo=str(H.REPO), db=str(db), mode="full", fid=fid),
                        seconds=30)
    assert "nothing was saved" in res.result.get("ui_message", "")


def test_read_only_database_directory_gives_a_clear_error(tmp_path, reliability) -> None:
    prefix = _as_unprivileged()
    db, fid = _store_with_flags(tmp_path)
    before = _state(db)
    folder = db.parent
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    try:
        code = DECIDE.format(repo=str(H.REPO), db=str(db), mode="ro", fid=fid)
        proc = subprocess.run([*prefix, H.PY, "-c", H.CHILD, "0", str(H.REPO)], input=code,
                              capture_output=True, text=True, timeout=120, cwd=str(H.REPO))
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@RESULT@@")]
        assert line, proc.stderr[-2000:]
        out = json.loads(line[-1][len("@@RESULT@@"):])
        assert out["outcome"] == "error" and out["type"] == "ReviewStoreError", out
        msg = out["message"].lower()
        assert "read-only" in msg or "cannot open" in msg or "writable" in msg, msg
        # The app itself refuses to start on it with one clear line, exit status 2.
        users = A.write_users(tmp_path / "users.toml", {"cody": USERS["cody"]})
        start = subprocess.run(
            [*prefix, H.PY, "-m", "app", "--port", str(A.free_port()), "--db", str(db),
             "--users", str(users), "--detectors", "literal,context"],
            capture_output=True, text=True, timeout=120, cwd=str(H.REPO),
            env={**os.environ, "GRADIO_TEMP_DIR": str(tmp_path / "g")})
    finally:
        os.chmod(folder, 0o755)
        os.chmod(db, 0o644)
    assert _state(db) == before
    reliability.add(kind="fault", name="read-only database directory: decide, app start",
                    tried=2, outcome=f"ReviewStoreError: {out['msg'][:60]}; app exit "
                    f"{start.returncode}")
    assert start.returncode == 2 and "error:" in start.stderr.lower(), start.stderr[-1000:]


def test_cli_report_on_full_disk_or_read_only_dir(tmp_path, reliability) -> None:
    draft = tmp_path / "d.fountain"
    draft.write_text("INT. ROOM - DAY\n\nRemember Taiwan.\n" * 200, encoding="utf-8")
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    base = [H.PY, "-m", "locreview", "scan", str(draft), "-m", "CN", "-g", str(PACK),
            "--detectors", "literal,context", "--format", "json", "-o", str(out)]
    limit = "import resource,sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))"
    full = subprocess.run([H.PY, "-c", f"{limit}; import runpy; sys.argv={base[2:]!r}; "
                           "runpy.run_module('locreview', run_name='__main__')"],
                          capture_output=True, text=True, timeout=120, cwd=str(H.REPO))
    assert full.returncode == 2, full.stderr[-2000:]
    assert "cannot write report" in full.stderr
    assert list(out.parent.iterdir()) == []  # no partial report, no temp file
    prefix = _as_unprivileged()
    os.chmod(out.parent, 0o555)
    try:
        ro = subprocess.run([*prefix, *base], capture_output=True, text=True, timeout=120,
                            cwd=str(H.REPO))
    finally:
        os.chmod(out.parent, 0o755)
    assert ro.returncode == 2 and "cannot write report" in ro.stderr, ro.stderr[-2000:]
    assert list(out.parent.iterdir()) == []
    reliability.add(kind="fault", name="CLI report to a full disk / read-only folder", tried=2,
                    outcome="exit 2, 'cannot write report', no partial file")


def test_cli_scan_with_store_in_read_only_directory(tmp_path, reliability) -> None:
    prefix = _as_unprivileged()
    db, _fid = _store_with_flags(tmp_path)
    before = _state(db)
    draft = tmp_path / "d2.fountain"
    draft.write_text("INT. ROOM - DAY\n\nRemember Taiwan.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(db, 0o444)
    os.chmod(db.parent, 0o555)
    try:
        proc = subprocess.run(
            [*prefix, H.PY, "-m", "locreview", "scan", str(draft), "-m", "CN", "-g", str(PACK),
             "--detectors", "literal,context", "--store", str(db), "-f", "csv",
             "-o", str(out / "r.csv")],
            capture_output=True, text=True, timeout=120, cwd=str(H.REPO))
    finally:
        os.chmod(db.parent, 0o755)
        os.chmod(db, 0o644)
    # One clear line and exit 2; no report half-written, the database untouched.
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "[E400]" in proc.stderr and "read-only" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(out.iterdir()) == []
    assert _state(db) == before
    reliability.add(kind="fault", name="CLI scan --store on a read-only database folder",
                    tried=1, outcome=proc.stderr.strip().split("[E400] ")[-1][:90])
