"""axe-core in the end-to-end tests: loading it into a page, running it, reporting what it found.

axe-core comes from the npm registry for the tests only (tests/e2e/package.json, installed with
``npm ci --prefix tests/e2e``); the site never serves it. The crawl's browser context adds it to
every document as an init script; ``run`` adds it as a script tag to a page that lacks it. The
context is made with ``bypass_csp=True`` (the site's Content-Security-Policy allows no inline
script).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

# Runs in the page: only violations (``resultTypes`` keeps axe from collecting every pass), and
# only what the report needs of each node.
_RUN = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact || '',
    help: rule.help,
    helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({
      target: node.target.map((part) => Array.isArray(part) ? part.join(' >>> ') : part),
      summary: node.failureSummary || '',
    })),
  }));
}
"""


def _required() -> bool:
    return os.environ.get("KYOSO_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}


def axe_script() -> Path:
    """The path of axe.min.js; without it the test is skipped, or fails where it is required."""
    if AXE_PATH.is_file():
        return AXE_PATH
    reason = (
        f"axe-core is not installed ({AXE_PATH.relative_to(ROOT)} is missing): "
        "run `npm ci --prefix tests/e2e --no-audit --no-fund`"
    )
    if _required():
        pytest.fail(f"{reason} (KYOSO_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Node:
    target: str  # the CSS selectors of the element (through shadow roots / frames: " >>> ")
    summary: str  # axe's failure summary: what to fix


@dataclass(frozen=True)
class Violation:
    role: str
    lang: str
    width: int
    url: str  # the path and query, without the live server's address
    rule: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[Node, ...]

    def line(self) -> str:
        targets = ", ".join(node.target for node in self.nodes)
        return f"{self.role} {self.lang} {self.width} {self.url} {self.rule}: {targets}"


def run(page: Page, *, role: str, lang: str, width: int, url: str) -> list[Violation]:
    """axe with the WCAG 2.0/2.1 A and AA rules on the page as it is now; axe is added to the
    page's document first (once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    return [
        Violation(
            role=role,
            lang=lang,
            width=width,
            url=url,
            rule=rule["id"],
            impact=rule["impact"],
            help=rule["help"],
            help_url=rule["helpUrl"],
            nodes=tuple(
                Node(target=", ".join(node["target"]), summary=node["summary"])
                for node in rule["nodes"]
            ),
        )
        for rule in page.evaluate(_RUN, list(WCAG_TAGS))
    ]


# WCAG 2.1 SC 1.4.10 (Reflow, AA), which axe does not test: at 320 CSS px nothing may need
# scrolling sideways, but for what has to be two-dimensional (tables, charts), each in a
# container that scrolls by itself. Returns the elements that stick out of the viewport outside
# any such container (the first few), or [] when the page is no wider than the viewport.
_OVERFLOW = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width + 1) return [];
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX)) {
        return true;
      }
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + Array.from(el.classList, (c) => '.' + c).join('');
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !clipped(el)) {
      found.push(`${name(el)} (right edge at ${Math.round(box.right)} px)`);
      if (found.length === 3) break;
    }
  }
  return found.length ? found : [`html (${root.scrollWidth} px wide)`];
}
"""
REFLOW_URL = "https://www.w3.org/WAI/WCAG21/Understanding/reflow.html"


def overflow(page: Page, *, role: str, lang: str, width: int, url: str) -> list[Violation]:
    """The page scrolls sideways at this width (SC 1.4.10 Reflow): one violation naming what
    sticks out."""
    sticking_out = page.evaluate(_OVERFLOW)
    if not sticking_out:
        return []
    return [
        Violation(
            role=role,
            lang=lang,
            width=width,
            url=url,
            rule="reflow-horizontal-scroll",
            impact="serious",
            help=f"The page needs scrolling sideways at {width} px",
            help_url=REFLOW_URL,
            nodes=tuple(
                Node(target=target, summary="Outside the viewport, in no container that scrolls")
                for target in sticking_out
            ),
        )
    ]


def report(violations: list[Violation], checks: int) -> str:
    """Every violation grouped by rule, each with axe's message for each element."""
    by_rule: dict[str, list[Violation]] = {}
    for violation in violations:
        by_rule.setdefault(violation.rule, []).append(violation)
    lines = [
        f"axe-core {WCAG_TAGS}: {len(violations)} violations of {len(by_rule)} rules "
        f"in {checks} page checks",
        "",
    ]
    for rule, found in sorted(by_rule.items()):
        first = found[0]
        lines += [
            f"== {rule} ({first.impact}): {first.help}",
            f"   {first.help_url}",
            f"   {len(found)} page checks, {sum(len(v.nodes) for v in found)} elements",
        ]
        for violation in sorted(found, key=lambda v: (v.role, v.lang, v.width, v.url)):
            lines.append(f"-- {violation.role} {violation.lang} {violation.width} {violation.url}")
            for node in violation.nodes:
                summary = node.summary.replace("\n", "\n      ")
                lines.append(f"   {node.target}\n      {summary}")
        lines.append("")
    return "\n".join(lines)
