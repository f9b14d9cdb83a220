"""Run the development-set scorer and write its table into README.md (between markers).

    .venv/bin/python bench/eval_readme.py            # print and update README.md
    .venv/bin/python bench/eval_readme.py --print    # print only

The table is the unmodified output of ../shared/eval/score.py, stamped with the date and
the git commit it was measured on, so the README never quotes a number nobody ran.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
BEGIN, END = "<!-- eval:begin -->", "<!-- eval:end -->"


def main() -> int:
    """Score the dev set; update README.md unless --print."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--print", action="store_true", dest="only_print")
    a = ap.parse_args()
    if not SCORER.exists():
        print(f"scorer not found: {SCORER}", file=sys.stderr)
        return 2
    p = subprocess.run([sys.executable, str(SCORER), str(DEV), "--project", str(ROOT)],
                       capture_output=True, text=True, cwd=ROOT)
    print(p.stdout, end="")
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        return p.returncode
    if a.only_print:
        return 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip() or "unknown"
    block = (f"{BEGIN}\nMeasured {dt.date.today().isoformat()} at commit `{commit}` with "
             f"`make eval` (default detectors, shipped glossaries):\n\n```\n{p.stdout.strip()}\n```\n{END}")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
