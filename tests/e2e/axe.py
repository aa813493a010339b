"""axe-core accessibility audit for browser tests (axe-core is bundled by the
axe-playwright-python package, so audits run offline)."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()

# WCAG 2.2 A and AA plus axe's best practices, which GOV.UK pages meet.
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}


def assert_accessible(page) -> None:
    """Fail with axe's own report when the page has any violation."""
    results = _axe.run(page, options=OPTIONS)
    assert results.violations_count == 0, (
        f"{page.url} has accessibility violations:\n{results.generate_report()}"
    )
