"""HTML writer: a self-contained page; structure checked with html.parser; hostile text inert."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

from report_samples import HOSTILE

from locreview.report import write_report


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    parents: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


class Collector(HTMLParser):
    """Record every element with its attributes, direct text and ancestors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[Node] = []
        self.stack: list[Node] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        node = Node(tag, dict(attrs), parents=[n.tag for n in self.stack])
        self.nodes.append(node)
        if self.stack:
            self.stack[-1].children.append(node)
        if tag not in {"meta", "br", "img", "link", "input", "hr"}:
            self.stack.append(node)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.data.append(data)
        for n in self.stack:
            n.text += data

    def find(self, tag: str, cls: str | None = None) -> list[Node]:
        return [
            n for n in self.nodes
            if n.tag == tag and (cls is None or cls in (n.attrs.get("class") or "").split())
        ]


def _render(sample, **kw) -> tuple[str, Collector]:
    out = io.StringIO()
    write_report(sample.report, "html", out, scripts=sample.scripts, **kw)
    html = out.getvalue()
    parser = Collector()
    parser.feed(html)
    parser.close()
    return html, parser


def test_html_structure_of_the_sample(sample) -> None:
    html, p = _render(sample)
    assert html.startswith("<!DOCTYPE html>")
    assert p.find("title")[0].text == "locreview report"
    # summary: one row per market with counts per severity
    rows = {
        n.attrs["data-market"]: [c.text for c in n.children]
        for n in p.find("tr")
        if "data-market" in n.attrs
    }
    assert set(rows) == {"CN", "JP", "KR", "TH"}
    assert rows["CN"] == ["CN", "2", "0", "1", "0", "0", "3"]
    assert rows["TH"] == ["TH", "1", "1", "0", "0", "0", "2"]
    # documents, scenes in order, flags
    docs = [n.text for n in p.find("h2") if n.parents[-1:] == ["section"]]
    assert "drafts/crossing.fountain" in docs and "subs/crossing.en.srt" in docs
    scenes = [n.text for n in p.find("h3", "scene")]
    assert scenes[:3] == [
        "Scene 1: INT. HARBOUR OFFICE - NIGHT",
        "Scene 2: EXT. TEMPLE COURTYARD - DAY",
        "Scene 3: INT. PALACE GALLERY - DAY",
    ]
    assert "Subtitle cues" in scenes
    assert len(p.find("article", "flag")) == 8
    assert "Could not read this draft: [E103] not a PDF file" in html


def test_html_passage_highlights_the_match_in_context(sample) -> None:
    _, p = _render(sample)
    quotes = {n.text for n in p.find("blockquote", "passage")}
    assert "The map still says Takeshima. Who printed this?" in quotes
    marks = [n.text for n in p.find("mark")]
    assert marks.count("Yasukuni") == 2
    assert "King of Thailand" in marks and "Taiwan, my country" in marks
    assert all(n.parents[-1] == "blockquote" for n in p.find("mark"))


def test_html_rationale_suggestion_sources_as_links(sample) -> None:
    _, p = _render(sample)
    assert "Section 112 of the Thai Criminal Code punishes insults to the King." in [
        n.text for n in p.find("dd", "rationale")
    ]
    assert "Use a fictional monarch of a fictional country" in [
        n.text for n in p.find("dd", "suggestion")
    ]
    links = {n.attrs["href"]: n.text for n in p.find("a")}
    assert links["https://example.org/th/112"] == "Criminal Code section 112"
    items = [n.text for n in p.find("li")]
    assert "Press coverage, 2020" in items  # no URL: plain text


def test_html_is_self_contained(sample) -> None:
    html, p = _render(sample)
    assert p.find("script") == [] and p.find("link") == [] and p.find("img") == []
    assert p.find("style")
    csp = [n for n in p.find("meta") if n.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0].attrs["content"] or "")
    for n in p.nodes:
        assert "src" not in n.attrs
    assert "@import" not in html and "url(" not in html


def test_html_status_only_with_a_store_or_decisions(sample) -> None:
    _, p = _render(sample)
    statuses = [n.text for n in p.find("span", "status")]
    assert statuses.count("accepted") == 1 and statuses.count("undecided") == 7
    for d in sample.report.documents:
        for f in d.flags:
            f.status = None
    _, p = _render(sample)
    assert p.find("span", "status") == []
    flag = sample.report.documents[0].flags[5]
    _, p = _render(sample, store={flag.fingerprint: "needs_discussion"})
    assert [n.text for n in p.find("span", "status")].count("needs_discussion") == 1


def test_html_hostile_text_is_inert(hostile) -> None:
    html, p = _render(hostile)
    # no element or attribute the attacker tried to inject exists
    assert p.find("script") == [] and p.find("img") == []
    for n in p.nodes:
        assert not any(k.startswith("on") for k in n.attrs), n
    hrefs = [n.attrs.get("href") or "" for n in p.find("a")]
    assert sorted(hrefs) == ["https://example.org/guideline", "https://ok.example/a?b=1&c=2"]
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    # the text is shown literally, as text
    text = "".join(p.data)
    assert HOSTILE["script"] in text
    assert HOSTILE["img"] in text
    assert HOSTILE["tpl"] in text  # the template engine did not evaluate it
    assert "49" not in text
    assert f"Evil source <{HOSTILE['js']}>" in text  # an unsafe URL stays visible, unlinked
    # and escaped in the source
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    marks = [n.text for n in p.find("mark")]
    assert HOSTILE["script"] in marks and HOSTILE["img"] in marks
    # the file name is escaped too
    assert "drafts/<evil>&\".fountain" in [n.text for n in p.find("h2")]


def test_html_without_scripts_falls_back_to_the_match(sample) -> None:
    out = io.StringIO()
    write_report(sample.report, "html", out)
    p = Collector()
    p.feed(out.getvalue())
    quotes = [n.text for n in p.find("blockquote", "passage")]
    assert "Takeshima" in quotes
