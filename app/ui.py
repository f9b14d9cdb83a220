"""The Gradio Blocks reviewer: a thin layer of components and handlers over ReviewService.

Script text only ever reaches the page through components that render it as text
(Dataframe ``str`` cells, HighlightedText, Textbox); nothing from a draft goes into
Markdown or HTML. Handlers report problems in the message box instead of raising, so
an API caller sees the same message as the person at the screen.
"""

from __future__ import annotations

import functools
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import gradio as gr  # noqa: E402

from locreview.errors import LocreviewError  # noqa: E402

from .auth import User, Users  # noqa: E402
from .service import ALL, EXPORT_FORMATS, FLAG_COLUMNS, SORTS, UPLOAD_TYPES, Filters, ReviewService  # noqa: E402

SUMMARY_COLUMNS = ["market", "verdict", "critical open", "high open", "medium open",
                   "low/info open", "accepted", "dismissed", "suppressed"]
REVISION_COLUMNS = ["change", "id", "market", "severity", "entry", "status", "line", "text"]
HEALTH_COLUMNS = ["entry", "markets", "findings", "accepted", "dismissed", "needs discussion",
                  "open", "dismissal rate", "dismissal reasons"]
SUPPRESSION_COLUMNS = ["id", "project", "entry", "match", "markets", "reason", "reviewer",
                       "expires", "state", "closed because"]
FILTERS = ["market", "category", "severity", "detector", "status", "scene", "speaker"]

# Keyboard shortcuts (our own script, never draft content): Alt+A accept, Alt+D dismiss,
# Alt+N needs discussion, Alt+R reopen, Alt+J / Alt+K next / previous flag, Alt+T note box.
KEYS_JS = """
<script>
document.addEventListener('keydown', (e) => {
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  const ids = {a: 'accept', d: 'dismiss', n: 'discuss', r: 'reopen', j: 'next-flag',
               k: 'prev-flag'};
  const key = e.key.toLowerCase();
  if (key === 't') {
    const note = document.querySelector('#note textarea');
    if (note) { note.focus(); e.preventDefault(); }
    return;
  }
  const el = ids[key] && document.getElementById(ids[key]);
  if (el) { el.click(); e.preventDefault(); }
});
</script>
"""

CSS = """
#passage .textfield { white-space: pre-wrap; font-family: 'DejaVu Sans Mono', monospace; }
"""


def _table(columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"headers": columns, "data": rows}


def build(service: ReviewService, users: Users, *, sample_note: str = "") -> gr.Blocks:
    """Build the reviewer Blocks app over ``service``; ``users`` resolves the signed-in user."""

    def who(request: gr.Request | None) -> User | None:
        name = getattr(request, "username", None) if request is not None else None
        return users.user(name)

    def guarded(fn: Callable[..., Any], n_out: int) -> Callable[..., Any]:
        """Turn LocreviewErrors into a message in the last output (all others unchanged)."""

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except LocreviewError as exc:
                msg = f"Error: {exc.message}"
                return (*[gr.skip()] * (n_out - 1), msg) if n_out > 1 else msg

        return run

    with gr.Blocks(title="locreview reviewer", analytics_enabled=False) as demo:
        with gr.Row():
            gr.Markdown("## locreview — localization review")
            banner = gr.Textbox(label="Signed in", interactive=False, elem_id="whoami", scale=0,
                                min_width=260)
        message = gr.Textbox(label="Messages", interactive=False, elem_id="message",
                             value=sample_note, lines=1)
        with gr.Tab("Review"):
            with gr.Accordion("Upload a draft", open=True):
                with gr.Row():
                    upload = gr.File(label="Draft (Fountain, FDX, DOCX, PDF, SRT, VTT, text)",
                                     file_types=list(UPLOAD_TYPES), type="filepath",
                                     elem_id="upload")
                    with gr.Column():
                        markets = gr.CheckboxGroup(label="Markets", choices=service.markets(),
                                                   value=service.markets(), elem_id="markets")
                        project = gr.Textbox(label="Project", value=service.default_project,
                                             elem_id="project")
                        draft = gr.Textbox(label="Draft name (blank: file name)",
                                           elem_id="draft")
                        scan_btn = gr.Button("Scan", variant="primary", elem_id="scan")
            # Choices change per session; custom values let API callers name any revision id.
            revision = gr.Dropdown(label="Revision", choices=[], elem_id="revision",
                                   interactive=True, allow_custom_value=True)
            summary = gr.Dataframe(headers=SUMMARY_COLUMNS, label="Readiness by market",
                                   interactive=False, elem_id="summary", type="array")
            with gr.Row():
                filters = [gr.Dropdown(label=name.capitalize(), choices=[ALL], value=ALL,
                                       elem_id=f"filter-{name}", interactive=True, min_width=110,
                                       allow_custom_value=True)
                           for name in FILTERS]
                sort = gr.Dropdown(label="Sort by", choices=list(SORTS), value="position",
                                   elem_id="sort", min_width=110)
                refresh = gr.Button("Refresh", elem_id="refresh", size="sm", min_width=80)
            flags = gr.Dataframe(headers=FLAG_COLUMNS, label="Flags (click a row to open it)",
                                 interactive=False, elem_id="flags", type="array", wrap=True,
                                 max_chars=200, max_height=420)
            with gr.Row():
                flag_id = gr.Number(label="Flag # (type a number and press Enter)", precision=0,
                                    elem_id="flag-id", minimum=0, value=None)
                prev_btn = gr.Button("◀ Previous (Alt+K)", elem_id="prev-flag", size="sm")
                next_btn = gr.Button("Next (Alt+J) ▶", elem_id="next-flag", size="sm")
            passage = gr.HighlightedText(label="Passage in its scene", elem_id="passage",
                                         show_legend=False, combine_adjacent=False)
            with gr.Row():
                details = gr.Textbox(label="Why it was flagged", lines=10, interactive=False,
                                     elem_id="details")
                decision = gr.Textbox(label="Decision", lines=10, interactive=False,
                                      elem_id="decision")
            note = gr.Textbox(label="Note / reason (a dismissal needs one) — Alt+T", lines=2,
                              elem_id="note")
            with gr.Row():
                accept_btn = gr.Button("Accept: must change (Alt+A)", elem_id="accept")
                dismiss_btn = gr.Button("Dismiss: not a problem here (Alt+D)", elem_id="dismiss")
                discuss_btn = gr.Button("Needs discussion (Alt+N)", elem_id="discuss")
                reopen_btn = gr.Button("Reopen (Alt+R)", elem_id="reopen")
                note_btn = gr.Button("Add note only", elem_id="add-note")
            with gr.Accordion("Promote this dismissal to a project suppression", open=False):
                with gr.Row():
                    sup_markets = gr.Textbox(label="Markets (blank: this flag's; * for all)",
                                             elem_id="sup-markets")
                    sup_expires = gr.Textbox(label="Expires (YYYY-MM-DD, optional)",
                                             elem_id="sup-expires")
                    sup_any = gr.Checkbox(label="Every match of this entry", elem_id="sup-any")
                    sup_btn = gr.Button("Suppress", elem_id="suppress")
        with gr.Tab("Revisions"):
            rev_head = gr.Textbox(label="Since the last revision", interactive=False,
                                  elem_id="revision-summary")
            rev_table = gr.Dataframe(headers=REVISION_COLUMNS, interactive=False, type="array",
                                     elem_id="revision-table", wrap=True, max_chars=200)
        with gr.Tab("Rule health"):
            health_btn = gr.Button("Refresh", elem_id="health-refresh", size="sm")
            health = gr.Dataframe(headers=HEALTH_COLUMNS, interactive=False, type="array",
                                  label="Dismissal rate per glossary entry (noisy first)",
                                  elem_id="health")
        with gr.Tab("Suppressions"):
            sups_btn = gr.Button("Refresh", elem_id="sups-refresh", size="sm")
            sups = gr.Dataframe(headers=SUPPRESSION_COLUMNS, interactive=False, type="array",
                                elem_id="suppressions")
            with gr.Row():
                revoke_id = gr.Number(label="Suppression #", precision=0, elem_id="revoke-id")
                revoke_reason = gr.Textbox(label="Reason", elem_id="revoke-reason")
                revoke_btn = gr.Button("Revoke", elem_id="revoke")
        with gr.Tab("Export"):
            with gr.Row():
                fmt = gr.Radio(list(EXPORT_FORMATS), value="html", label="Format",
                               elem_id="export-format")
                export_btn = gr.Button("Export current state", elem_id="export")
            export_file = gr.File(label="Report", interactive=False, elem_id="export-file")

        # -- handlers ---------------------------------------------------------------------

        def rid(value: Any) -> int | None:
            try:
                return int(value) if value not in (None, "") else None
            except (TypeError, ValueError):
                return None

        def filters_of(vals: tuple[Any, ...]) -> Filters:
            return Filters(**dict(zip(FILTERS, (str(v or ALL) for v in vals), strict=True)))

        def tables(rev: Any, market: str, category: str, severity: str, detector: str,
                   status: str, scene: str, speaker: str, order: str,
                   request: gr.Request) -> tuple[Any, ...]:
            """Refresh the summary, flag table and revision view of a revision."""
            user = who(request)
            r = rid(rev)
            f = filters_of((market, category, severity, detector, status, scene, speaker))
            head, rows = service.revision_rows(user, r)
            return (
                _table(SUMMARY_COLUMNS, service.summary_rows(user, r)),
                _table(FLAG_COLUMNS, service.flag_rows(user, r, f, order or "position")),
                head,
                _table(REVISION_COLUMNS, rows),
                gr.skip(),  # keep the last message (e.g. the scan result) on screen
            )

        def on_revision(rev: Any, request: gr.Request) -> tuple[Any, ...]:
            """A revision was picked: reset the filters to its values."""
            opts = service.filter_options(who(request), rid(rev))
            return (*[gr.update(choices=opts[n], value=ALL) for n in FILTERS], gr.skip())

        def start(request: gr.Request) -> tuple[Any, ...]:
            """Page load: who is signed in, the revisions, the newest one selected."""
            user = who(request)
            if user is None:
                return ("not signed in", gr.update(choices=[], value=None),
                        "Error: sign in first")
            choices = service.revision_choices(user)
            name = f"{user.name} ({user.role})"
            return (name, gr.update(choices=choices, value=choices[0][1] if choices else None),
                    gr.skip())

        def scan(path: str | None, mk: list[str], proj: str, dr: str, request: gr.Request,
                 progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            """Upload, scan and record a draft; select its new revision."""
            user = who(request)
            if not path:
                return gr.skip(), gr.skip(), "Error: choose a draft file first"
            res = service.upload(user, path, markets=mk or [], project=proj, draft=dr,
                                 progress=lambda frac, desc: progress(frac, desc=desc))
            choices = service.revision_choices(user)
            rev = res.revision
            msg = (f"{rev.label}: {res.flags} flags, {res.carried_over} decisions carried over, "
                   f"{res.suppressed} suppressed")
            if res.reused:
                msg = f"{rev.label}: the same file was already scanned; showing it"
            return None, gr.update(choices=choices, value=rev.id), msg

        def show(fid: Any, request: gr.Request) -> tuple[Any, ...]:
            """Open one flag: its passage, why it was flagged, and its decision."""
            user = who(request)
            f = rid(fid)
            if not f:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), "Error: no flag selected"
            return (f, service.passage(user, f), service.details(user, f),
                    service.decision_text(user, f), "")

        def select(evt: gr.SelectData, request: gr.Request) -> tuple[Any, ...]:
            """A table cell was clicked: open the flag of that row."""
            row = evt.row_value or []
            return show(row[0] if row else None, request)

        def step(rev: Any, fid: Any, vals: tuple[Any, ...], direction: int,
                 request: gr.Request) -> tuple:
            *fvals, order = vals
            f = filters_of(tuple(fvals))
            ids = [r[0] for r in service.flag_rows(who(request), rid(rev), f, order or "position")]
            if not ids:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), "No flags to move through"
            cur = rid(fid)
            i = ids.index(cur) + direction if cur in ids else (0 if direction > 0 else -1)
            return show(ids[i % len(ids)], request)

        def next_flag(rev: Any, fid: Any, market: str, category: str, severity: str,
                      detector: str, status: str, scene: str, speaker: str, order: str,
                      request: gr.Request) -> tuple:
            """Open the next flag of the table."""
            vals = (market, category, severity, detector, status, scene, speaker, order)
            return step(rev, fid, vals, 1, request)

        def prev_flag(rev: Any, fid: Any, market: str, category: str, severity: str,
                      detector: str, status: str, scene: str, speaker: str, order: str,
                      request: gr.Request) -> tuple:
            """Open the previous flag of the table."""
            vals = (market, category, severity, detector, status, scene, speaker, order)
            return step(rev, fid, vals, -1, request)

        def decider(action: str) -> Callable[..., tuple[Any, ...]]:
            def decide(fid: Any, text: str, request: gr.Request) -> tuple[Any, ...]:
                f = rid(fid)
                if not f:
                    return gr.skip(), gr.skip(), "Error: open a flag first"
                out = service.decide(who(request), f, action, text or "")
                return out, "", f"Flag #{f}: {action.replace('_', ' ')}"

            decide.__name__ = f"decide_{action}"
            decide.__doc__ = f"Mark the open flag {action.replace('_', ' ')} with the note."
            return decide

        def add_note(fid: Any, text: str, request: gr.Request) -> tuple[Any, ...]:
            """Add a note to the open flag."""
            f = rid(fid)
            if not f:
                return gr.skip(), gr.skip(), "Error: open a flag first"
            return service.add_note(who(request), f, text or ""), "", f"Note added to flag #{f}"

        def suppress(fid: Any, text: str, mk: str, exp: str, any_match: bool,
                     request: gr.Request) -> tuple[Any, ...]:
            """Promote the open (dismissed) flag to a project suppression."""
            f = rid(fid)
            if not f:
                return gr.skip(), "Error: open a flag first"
            msg = service.suppress(who(request), f, reason=text or "", markets=mk or "",
                                   expires=exp or "", any_match=bool(any_match))
            return service.decision_text(who(request), f), msg

        def export(rev: Any, fmt_: str, request: gr.Request) -> tuple[Any, ...]:
            """Export the revision's current state as HTML, CSV or JSON."""
            r = rid(rev)
            if not r:
                return gr.skip(), "Error: no revision to export"
            path = service.export(who(request), r, fmt_ or "html")
            return str(path), f"Exported {path.name}"

        def health_rows(request: gr.Request) -> tuple[Any, ...]:
            """Rule health: dismissal rate per glossary entry."""
            return _table(HEALTH_COLUMNS, service.rule_health_rows(who(request))), ""

        def sup_rows(request: gr.Request) -> tuple[Any, ...]:
            """The project suppressions."""
            return _table(SUPPRESSION_COLUMNS, service.suppression_rows(who(request))), ""

        def revoke(sid: Any, reason: str, request: gr.Request) -> tuple[Any, ...]:
            """Revoke a suppression."""
            s = rid(sid)
            if not s:
                return gr.skip(), "Error: give the suppression number"
            service.revoke(who(request), s, reason or "")
            return _table(SUPPRESSION_COLUMNS, service.suppression_rows(who(request))), \
                f"Suppression #{s} revoked"

        table_inputs = [revision, *filters, sort]
        table_outputs = [summary, flags, rev_head, rev_table, message]
        flag_outputs = [flag_id, passage, details, decision, message]

        demo.load(guarded(start, 3), None, [banner, revision, message], api_name="whoami")
        refresh.click(guarded(tables, 5), table_inputs, table_outputs, api_name="tables")
        revision.change(guarded(on_revision, len(FILTERS) + 1), revision, [*filters, message],
                        api_visibility="private").then(
            guarded(tables, 5), table_inputs, table_outputs, api_visibility="private")
        for comp in [*filters, sort]:
            comp.change(guarded(tables, 5), table_inputs, table_outputs, api_visibility="private")
        scan_btn.click(guarded(scan, 3), [upload, markets, project, draft],
                       [upload, revision, message], api_name="scan", concurrency_id="db")
        flags.select(guarded(select, 5), None, flag_outputs, api_visibility="private")
        flag_id.submit(guarded(show, 5), flag_id, flag_outputs, api_name="show")
        next_btn.click(guarded(next_flag, 5), [revision, flag_id, *filters, sort], flag_outputs,
                       api_visibility="private")
        prev_btn.click(guarded(prev_flag, 5), [revision, flag_id, *filters, sort], flag_outputs,
                       api_visibility="private")
        for btn, action in ((accept_btn, "accepted"), (dismiss_btn, "dismissed"),
                            (discuss_btn, "needs_discussion"), (reopen_btn, "reopen")):
            btn.click(guarded(decider(action), 3), [flag_id, note], [decision, note, message],
                      api_name=f"decide_{action}", concurrency_id="db").then(
                guarded(tables, 5), table_inputs, table_outputs, api_visibility="private")
        note_btn.click(guarded(add_note, 3), [flag_id, note], [decision, note, message],
                       api_name="add_note", concurrency_id="db")
        sup_btn.click(guarded(suppress, 2), [flag_id, note, sup_markets, sup_expires, sup_any],
                      [decision, message], api_name="suppress", concurrency_id="db").then(
            guarded(tables, 5), table_inputs, table_outputs, api_visibility="private")
        export_btn.click(guarded(export, 2), [revision, fmt], [export_file, message],
                         api_name="export")
        health_btn.click(guarded(health_rows, 2), None, [health, message], api_name="rule_health")
        sups_btn.click(guarded(sup_rows, 2), None, [sups, message], api_name="suppressions")
        revoke_btn.click(guarded(revoke, 2), [revoke_id, revoke_reason], [sups, message],
                         api_name="revoke", concurrency_id="db")
    return demo
