"""Issue 19, item 1: on every screen, from 320 px up, no table cell breaks a word or a number, a table wider than the
screen scrolls inside its own labelled region, and no chart's text is drawn smaller than 12 CSS px."""

import pytest

from tests.browser.test_public_pages import _object_paths, demo  # noqa: F401  (the fixture, shared)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 375, 1280]
SMALLEST_CHART_TEXT = 12.0

LAYOUT_PATHS = [
    "/ljungby/2023/",  # why each focus area was chosen
    "/ljungby/2023/rapport/",  # the report card
    "/ljungby/jamfor/2023/2024/",
    "/ljungby/brottsstatistik/",
    "/ljungby/trygghetsmatning/exempel-2024/resultat/",
    "/ljungby/trygghetsmatning/exempel-2024/resultat/landsbygd/",
    "/ljungby/lagesbild/2024/",
    "/ljungby/felanmalan/karta/",  # the report list
    "/ljungby/felanmalan/EX-LJU-S1/",
    "/ljungby/trygghetsvandringar/",
    "/ljungby/grannsamverkan/",
    "/ljungby/matningar/avloppsvatten/",
    "/nationellt/",
    "/en/ljungby/2023/rapport/",
]

# For every table cell: each word (text between ordinary spaces; a no-break space joins "1 724,4" into one word)
# must lie on one line, a figure with its per cent sign too, and the cell's content must fit the cell. A compound written with a hyphen between
# letters ("Ljungby-Markaryd") may wrap after the hyphen; a date or a range of numbers may not.
# Every table must either fit the page or sit in an element that scrolls sideways, named and focusable.
_BROKEN_CELLS = """() => {
  const problems = [];
  const viewport = document.documentElement.clientWidth;
  const lines = (rects) => {
    const tops = [];
    for (const rect of rects) {
      if (rect.width < 0.5) continue;
      if (!tops.some(top => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top);
    }
    return tops.length;
  };
  for (const table of document.querySelectorAll('main table')) {
    let scroller = table.parentElement;
    while (scroller && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) {
      scroller = scroller.parentElement;
    }
    const caption = (table.caption ? table.caption.textContent : '').trim().slice(0, 40);
    if (scroller) {
      const named = scroller.getAttribute('aria-labelledby') || scroller.getAttribute('aria-label');
      if (scroller.getAttribute('role') !== 'region' || !named || scroller.tabIndex !== 0) {
        problems.push(`table "${caption}": its scroll region is not a named, focusable region`);
      }
      // The caption is read without scrolling: it wraps inside the region's visible width.
      if (table.caption && table.caption.getBoundingClientRect().right > scroller.getBoundingClientRect().right + 1) {
        problems.push(`the caption "${caption}" runs out of its scroll region's sight`);
      }
    } else if (table.getBoundingClientRect().right > viewport + 1) {
      problems.push(`table "${caption}" runs off the page and does not scroll on its own`);
    }
    for (const cell of table.querySelectorAll('td, th')) {
      if (!cell.getClientRects().length || cell.closest('.visually-hidden')) continue;
      if (cell.scrollWidth > cell.clientWidth + 1) {
        problems.push(`"${cell.textContent.trim().slice(0, 40)}" overflows its cell`);
      }
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest('.visually-hidden')) continue;
        for (const word of node.data.matchAll(/[^ \\t\\n\\r]+/g)) {
          const pieces = word[0].split(/(?<=\\p{L}-)(?=\\p{L})/u);
          let start = word.index;
          for (const piece of pieces) {
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + piece.length);
            start += piece.length;
            if (lines(range.getClientRects()) > 1) {
              problems.push(`"${piece}" is broken in "${cell.textContent.trim().slice(0, 40)}"`);
            }
          }
        }
        // A figure and its per cent sign belong together as much as the digits of the figure do.
        for (const unit of node.data.matchAll(/\\d[ \\u00a0\\u202f]?[%‰]/g)) {
          const range = document.createRange();
          range.setStart(node, unit.index);
          range.setEnd(node, unit.index + unit[0].length);
          if (lines(range.getClientRects()) > 1) {
            problems.push(`"${unit[0]}" is split from its sign in "${cell.textContent.trim().slice(0, 40)}"`);
          }
        }
      }
    }
  }
  return problems;
}"""

# Each chart drawn as an SVG image: its address and the width it is shown at.
_CHARTS = """() => Array.from(document.querySelectorAll('main img'))
  .filter(img => /\\.svg$|svg|diagram|chart/i.test(img.currentSrc) && img.getClientRects().length)
  .map(img => ({src: img.currentSrc, width: img.getBoundingClientRect().width}))"""

# In a page of its own, the SVG shown at that width: each text's font size times the scale it is drawn at.
_SMALL_TEXTS = """(limit) => {
  const svg = document.querySelector('svg');
  return Array.from(svg.querySelectorAll('text')).map(text => {
    const matrix = text.getScreenCTM();
    const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
    return {text: text.textContent.trim(), size: Math.round(size * 10) / 10};
  }).filter(found => found.text && found.size < limit);
}"""


def _svg_texts_under(page, browser, chart: dict, limit: float) -> list[dict]:
    response = page.request.get(chart["src"])
    body = response.text()
    if "<svg" not in body:
        return []
    width = max(int(chart["width"]), 1)
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        sheet = context.new_page()
        sheet.set_content(
            f"<!DOCTYPE html><html><body style='margin:0'><div style='width:{width}px'>"
            f"{body[body.index('<svg') :]}</div></body></html>"
        )
        sheet.evaluate(
            """() => { const svg = document.querySelector('svg');
                       svg.setAttribute('width', '100%'); svg.removeAttribute('height'); }"""
        )
        return sheet.evaluate(_SMALL_TEXTS, limit)
    finally:
        context.close()


@pytest.mark.appearance
@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_cell_breaks_a_word_or_a_number_and_no_chart_text_is_under_12_px(
    demo,  # noqa: F811
    browser,
    width,
) -> None:
    from trygg.promises.models import Activity

    measured = (
        Activity.objects.filter(report_categories__isnull=False, focus_area__promise__status="published")
        .order_by("pk")
        .first()
    )
    assert measured is not None
    paths = [*LAYOUT_PATHS, *_object_paths(), measured.get_absolute_url()]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    page = context.new_page()
    found: dict[str, object] = {}
    tables = charts = 0
    try:
        for path in paths:
            response = page.goto(f"{demo.url}{path}")
            assert response is not None and response.status == 200, path
            tables += page.locator("main table").count()
            problems = page.evaluate(_BROKEN_CELLS)
            for chart in page.evaluate(_CHARTS):
                charts += 1
                small = _svg_texts_under(page, browser, chart, SMALLEST_CHART_TEXT)
                problems += [f"chart text {item['text']!r} at {item['size']} px" for item in small[:5]]
            if problems:
                found[path] = problems[:8]
    finally:
        context.close()

    # The tour does look at tables and charts.
    assert tables >= 20 and charts >= 4
    assert found == {}


def _problems_at_320(browser, html: str) -> list[str]:
    """What the table check finds in `html` shown 320 px wide (the control tests' page)."""
    context = browser.new_context(viewport={"width": 320, "height": 600})
    try:
        page = context.new_page()
        page.set_content(html)
        return page.evaluate(_BROKEN_CELLS)
    finally:
        context.close()


def test_the_check_itself_finds_a_number_broken_in_a_squeezed_cell(browser) -> None:
    problems = _problems_at_320(
        browser,
        "<html><body style='overflow-wrap: anywhere'><main><table style='width: 100%'><caption>T</caption>"
        "<tr><th>Felanmälningar</th><td>+15,2 %</td><td>1 724,4</td><td>2,96</td><td>Anmälda brott per 100 000</td>"
        "<td>Anmälda brott per 100 000</td><td>Anmälda brott per 100 000</td></tr></table></main></body></html>",
    )

    assert any("Felanmälningar" in problem and "broken" in problem for problem in problems)
    assert any("split from its sign" in problem for problem in problems)


def test_the_check_itself_finds_a_caption_that_runs_out_of_sight_in_its_scroll_region(browser) -> None:
    problems = _problems_at_320(
        browser,
        "<html><body><main><div role='region' aria-label='T' tabindex='0' style='overflow-x: auto'>"
        "<table style='min-width: 40rem'><caption>Resultat per område och år, med antal svar och "
        "konfidensintervall</caption><tr><th>Område</th><td>1</td></tr></table></div></main></body></html>",
    )

    assert any("runs out of its scroll region's sight" in problem for problem in problems)


# The staff pages of daily work, as a maintenance crew or the coordinator opens them on a phone.
STAFF_LAYOUT_PATHS = [
    "/personal/",
    "/personal/aktiviteter/",
    "/personal/felanmalan/",
    "/personal/felanmalan/kategorier/",
    "/personal/moten/",
    "/personal/matningar/",
    "/personal/trygghetsmatning/",
    "/personal/brottsstatistik/",
    "/personal/lagesbild/ljungby/",
    "/personal/lagesbild/ljungby/dialoger/",
    "/personal/lagesbild/ljungby/atgarder/",
    "/personal/kommun/ljungby/personal/",
]

# The page itself never scrolls sideways (WCAG 1.4.10): only a table's own region may.
_PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.appearance
@pytest.mark.parametrize("width", [320, 375])
def test_staff_pages_reflow_on_a_phone_and_their_tables_scroll_in_their_own_region(
    demo,  # noqa: F811
    browser,
    axe,
    width,
) -> None:
    from tests.browser.conftest import axe_violations, staff_login
    from trygg.promises.models import Activity
    from trygg.reports.models import Report

    activity = Activity.objects.filter(executions__isnull=False).order_by("pk").first()
    report = Report.objects.filter(events__isnull=False).order_by("pk").first()
    assert activity is not None and report is not None
    paths = [
        *STAFF_LAYOUT_PATHS,
        f"/personal/aktiviteter/{activity.pk}/",
        f"/personal/felanmalan/{report.pk}/",
    ]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    page = context.new_page()
    found: dict[str, object] = {}
    tables = 0
    try:
        staff_login(page, demo.url)
        for path in paths:
            response = page.goto(f"{demo.url}{path}")
            assert response is not None and response.status == 200, path
            tables += page.locator("main table").count()
            problems = page.evaluate(_BROKEN_CELLS)
            overflow = page.evaluate(_PAGE_OVERFLOW)
            if overflow > 1:
                problems.append(f"the page is {overflow} px wider than the screen")
            if width == 375:  # once: test_public_pages checks the key staff pages for serious violations too
                problems += [f"axe: {violation}" for violation in axe_violations(axe, page)]
            if problems:
                found[path] = problems[:8]
    finally:
        context.close()

    assert tables >= 10
    assert found == {}
