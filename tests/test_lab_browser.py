"""The web lab end to end, in a real headless Chromium (Debian's, installed by .ci/run).

A learner's session: load a lesson, type right and wrong answers, read the colours, the
states and the diagnosis, use the hints, type a program of one's own, switch language,
share the URL, and open the exported offline file.
"""

import importlib
import os
import shutil
from urllib.parse import parse_qs

import pytest

# In CI the browser and Playwright are part of the contract (.ci/run installs them), so a
# missing one must fail loudly; on a developer's machine without them the tests are skipped.
IN_CI = bool(os.environ.get("CI"))
sync_api = importlib.import_module("playwright.sync_api") if IN_CI else pytest.importorskip("playwright.sync_api")

labmod = importlib.import_module("retrograd.learn.lab")  # the module, not rg.learn.lab()

CHROMIUM = os.environ.get("RETROGRAD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

BLUE, GREEN, RED = "rgb(29, 78, 216)", "rgb(21, 128, 61)", "rgb(185, 28, 28)"

if not os.path.exists(CHROMIUM):
    if IN_CI:
        raise RuntimeError(f"no Chromium at {CHROMIUM}: .ci/run should have installed Debian's chromium")
    pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert not errors, errors


def box(pg, node, kind, edge=None):
    sel = f'input[data-node="{node}"][data-kind="{kind}"]'
    if edge:
        sel = f'input[data-kind="local"][data-edge="{edge}"]'
    return pg.locator(sel)


def answer(pg, node, kind, text, edge=None):
    b = box(pg, node, kind, edge)
    b.fill(text)
    return b


def state(loc):
    return loc.get_attribute("data-state")


def border(loc):
    return loc.evaluate("e => getComputedStyle(e).borderTopColor")


def open_lesson(pg, srv, lesson="coursera-nw1", extra=""):
    pg.goto(f"{srv.url}#lesson={lesson}{extra}")
    pg.wait_for_selector('input[data-kind="grad"]')


def test_forward_values_turn_blue_wrong_red_invalid_marked(page, server):
    open_lesson(page, server)
    # every node has a value box, every edge with a local derivative a local box
    assert box(page, "J", "value").count() == 1
    assert box(page, None, "local", "w->c").count() == 1
    assert box(page, "x", "value").get_attribute("data-given") == "true"
    assert box(page, "x", "grad").count() == 0  # data: no gradient, as in the lab
    c = answer(page, "c", "value", "-4")
    assert state(c) == "correct" and border(c) == BLUE
    a = answer(page, "a", "value", "5")
    assert state(a) == "wrong" and border(a) == RED
    assert "Not the forward value of a" in page.inner_text("#feedback")
    d = answer(page, "d", "value", "3+")
    assert state(d) == "invalid"
    assert "Not a number" in page.inner_text("#feedback")
    answer(page, "d", "value", "")
    assert state(d) == "empty"


@pytest.mark.parametrize("text,expected", [
    ("9/2", "correct"), ("4.50", "correct"), ("4.5", "correct"), ("4.499", "correct"),
    ("4.51", "wrong"), ("(3*3)/2", "correct"), ("4,5", "correct"), ("−4,5", "wrong"), ("alert(1)", "invalid"),
    ("1/0", "invalid"), ("", "empty"),
])
def test_answer_formats(page, server, text, expected):
    open_lesson(page, server)
    assert state(answer(page, "J", "value", text)) == expected


def test_answer_parser_in_page(page, server):
    open_lesson(page, server)
    got = page.evaluate("""() => ['.5', '-3', '4.50', '9/2', '2*11', '2^3', '-(1/4)', '1e-3', '2 *',
                                  'x', '', '0x10', '4,5', '−3'].map(window.retrogradLab.parseAnswer)""")
    assert got == [0.5, -3, 4.5, 4.5, 22, 8, -0.25, 0.001, None, None, None, None, 4.5, -3]


def test_derivatives_green_and_diagnosed(page, server):
    open_lesson(page, server)
    w = answer(page, "w", "grad", "6")
    assert state(w) == "correct" and border(w) == GREEN
    loc = answer(page, None, "local", "2", edge="w->c")
    assert state(loc) == "correct" and border(loc) == GREEN
    # sign error
    w = answer(page, "w", "grad", "-6")
    assert state(w) == "wrong" and border(w) == RED
    assert "the sign is not" in page.inner_text("#feedback")
    # forgot the local derivative: dJ/dc alone
    answer(page, "w", "grad", "3")
    assert "forgot the local derivative" in page.inner_text("#feedback")
    # forward value used in place of a gradient: dJ/dc = (da/dc) * a instead of * dJ/da
    answer(page, "c", "grad", "4")
    fb = page.inner_text("#feedback")
    assert "forward value of a" in fb and "dJ/da" in fb
    # a local derivative that is really a gradient
    answer(page, None, "local", "3", edge="w->c")
    assert "gradient dJ/dc" in page.inner_text("#feedback")
    # the list of boxes to fix, in backward order, each with its reason
    items = page.locator("#mistakes li")
    assert items.count() == 3
    # backward order: the gradient of c, then the local derivative of its incoming edge w -> c, then w
    assert "dJ/dc" in items.nth(0).inner_text() and "forward value of a" in items.nth(0).inner_text()
    assert "∂c/∂w" in items.nth(1).inner_text()
    assert "dJ/dw" in items.nth(2).inner_text() and "forgot" in items.nth(2).inner_text()
    items.nth(0).locator("button").click()
    assert page.evaluate("() => document.activeElement.dataset.node") == "c"


def test_udl_wrong_upstream_gradient(page, server):
    open_lesson(page, server, "udl-7.1")
    b = answer(page, "beta1", "grad", "-1.683")  # the notebook's slip: dl/df2 instead of dl/df1
    assert state(b) == "wrong"
    fb = page.inner_text("#feedback")
    assert "Wrong upstream gradient" in fb and "dl/df2" in fb and "dl/df1" in fb
    b = answer(page, "beta1", "grad", "-17.06")
    assert state(b) == "correct"


def test_progress_reveal_beside_answers_and_reset_asks(page, server):
    open_lesson(page, server)
    total = int(page.get_attribute("#progress", "data-total"))
    assert total == 4 + 6 + 7  # values c a d J, grads w b c a d J, 7 local derivatives
    answer(page, "c", "value", "-4")
    answer(page, "a", "value", "4")
    answer(page, "d", "value", "0")
    assert page.inner_text("#progress") == f"2 / {total} correct"
    page.click("#reveal")  # the answers appear beside the learner's, which stay as typed
    assert box(page, "d", "value").input_value() == "0" and state(box(page, "d", "value")) == "wrong"
    assert page.locator('[data-reveal="value:d"]').inner_text() == "= 3"
    assert page.locator('[data-reveal="value:c"]').is_hidden()  # already right: nothing to show
    assert page.inner_text("#progress") == f"2 / {total} correct"
    page.reload()  # a reload keeps them apart: revealed answers never become the learner's
    page.wait_for_selector('input[data-kind="grad"]')
    assert box(page, "d", "value").input_value() == "0" and box(page, "J", "value").input_value() == ""
    assert page.locator('[data-reveal="value:J"]').inner_text() == "= 4.5"
    page.click("#reveal")
    assert page.locator('[data-reveal="value:d"]').is_hidden()
    # Reset asks first: dismissing keeps the work, accepting clears it
    page.once("dialog", lambda d: d.dismiss())
    page.click("#reset")
    assert box(page, "c", "value").input_value() == "-4"
    page.once("dialog", lambda d: d.accept())
    page.click("#reset")
    assert page.inner_text("#progress") == f"0 / {total} correct"
    assert state(box(page, "c", "value")) == "empty"


def test_hints_come_in_steps_and_the_finite_difference_after_an_answer(page, server):
    open_lesson(page, server)
    box(page, None, "local", "w->c").focus()
    assert page.inner_text("#hint-body") == ""  # focusing a box shows no answer
    page.click("#hint-button")
    assert "Which rule" in page.inner_text("#hint-body")
    page.click("#hint-button")
    assert "how c changes when w changes" in page.inner_text("#hint-body")
    page.click("#hint-button")
    assert "∂c/∂w = x" in page.inner_text("#hint-body") and page.locator("#hint-button").is_hidden()
    b = box(page, "w", "grad")
    b.focus()
    assert page.inner_text("#hint-body") == "" and page.locator("#fd-button").is_hidden()
    page.click("#hint-button")
    page.click("#hint-button")
    assert "∂c/∂w · dJ/dc" in page.inner_text("#hint-body")
    page.click("#hint-button")
    assert "dJ/dw = 2 · 3" in page.inner_text("#hint-body")
    b.fill("5")
    assert not page.locator("#fd-button").is_hidden()  # offered once answered
    page.click("#fd-button")
    out = page.inner_text("#fd-out")
    assert "Finite difference" in out and ": 6" in out


def test_tab_follows_the_pass_and_leaves_the_graph_at_both_ends(page, server):
    open_lesson(page, server)
    answer(page, "c", "value", "-4")
    order = page.eval_on_selector_all("input[data-order]",
                                      """els => els.sort((a, b) => a.dataset.order - b.dataset.order)
                                      .map(e => e.dataset.key)""")
    # forward values left to right, then the backward pass from the output leftwards
    assert order[:4] == ["value:c", "value:a", "value:d", "value:J"]
    assert order[4:7] == ["grad:J", "local:d->J", "grad:d"] and order[-3:] == ["local:w->c", "local:x->c", "grad:w"]
    # Tab from the control before the graph enters at the first empty box
    page.locator("#custom summary").focus()  # the last control before the graph
    key = "() => document.activeElement.dataset.key || document.activeElement.id"
    for _ in range(6):  # past the side panel's buttons, into the graph
        page.keyboard.press("Tab")
        if page.evaluate(key) in order:
            break
    seq = [page.evaluate(key)]
    for _ in range(len(order) + 1):
        page.keyboard.press("Tab")
        seq.append(page.evaluate(key))
        if seq[-1] not in order:
            break
    inside = [k for k in seq if k in order]
    assert inside == order[1:], seq  # every box once, in order, from the first empty one
    assert seq[-1] not in order     # and then out of the graph
    box(page, "a", "value").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.dataset.key") == "value:c"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.dataset.key || ''") not in order


def test_custom_program_and_error(page, server):
    open_lesson(page, server)
    page.click("#custom summary")
    page.fill("#source", "a = w*x\nJ = (a - y)**2")
    page.fill("#values", "w = 2, x = 3, y = 1")
    page.click("#build")
    page.wait_for_selector('input[data-node="c"]', state="detached")  # the lesson's graph is gone
    assert box(page, "a", "value").count() == 1
    assert state(answer(page, "J", "value", "25")) == "correct"
    assert state(answer(page, "w", "grad", "30")) == "correct"  # 2(a-y) * x
    assert page.input_value("#lesson") == "__custom__"
    # a bad program: clear error, page still alive
    page.on("dialog", lambda d: d.accept())
    page.fill("#source", "a = w*x\nJ = a $ 2")
    page.click("#build")
    err = page.locator("#program-error")
    err.wait_for(state="visible")
    assert "line 2" in err.inner_text() and "syntax" in err.inner_text()
    assert state(answer(page, "J", "value", "25")) == "correct"  # old graph still works
    # and so do the controls: the level switch and new values work on the previous program
    page.select_option("#level", "primitive")
    page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
    page.wait_for_selector('input[data-node="t1"]')
    assert page.locator("#program-error").is_hidden()
    page.click("#newvals")
    page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
    assert page.locator("#program-error").is_hidden() and box(page, "a", "value").count() == 1
    page.fill("#source", "J = w.real")
    page.click("#build")
    page.wait_for_function("() => document.querySelector('#program-error').innerText.includes('attribute')")


def test_language_toggle_keeps_answers(page, server):
    open_lesson(page, server)
    answer(page, "c", "value", "-4")
    answer(page, "w", "grad", "-6")
    page.click("#lang")
    assert page.inner_text("#lang") == "English"
    assert page.inner_text("#reveal") == "Mostrar todo"
    assert "correctas" in page.inner_text("#progress")
    assert state(box(page, "c", "value")) == "correct"
    box(page, "w", "grad").focus()
    assert "El valor absoluto es correcto, pero el signo no." in page.inner_text("#feedback")
    assert "lang=es" in page.url
    page.click("#lang")
    assert page.inner_text("#reveal") == "Reveal all"


def test_url_state_is_shareable(page, server, browser):
    open_lesson(page, server, "coursera-nw0")
    answer(page, "a", "value", "11")
    answer(page, "a", "grad", "7")
    page.click("#lang")
    url = page.url
    assert "lesson=coursera-nw0" in url
    page.click("#share")  # the exercise link: same program and values, no answers
    shared = page.input_value("#share-url")
    params = parse_qs(shared.split("#", 1)[1])
    assert params["lesson"] == ["coursera-nw0"] and params["lang"] == ["es"] and "a" not in params
    assert "a" in parse_qs(url.split("#", 1)[1])  # the address bar keeps the answers
    other = browser.new_page()
    try:
        other.goto(url)
        other.wait_for_selector('input[data-kind="grad"]')
        assert state(box(other, "a", "value")) == "correct"
        assert state(box(other, "a", "grad")) == "wrong"
        assert other.inner_text("#lang") == "English"  # Spanish page
    finally:
        other.close()


def test_shared_link_opened_in_a_tab_already_on_the_lab(page, server):
    # Same document, new hash: the page must follow the link, not keep the old exercise.
    open_lesson(page, server, "coursera-nw1")
    answer(page, "c", "value", "-4")
    page.goto(f"{server.url}#lesson=coursera-nw0&lang=es")
    page.wait_for_selector('input[data-node="a"][data-kind="value"]')
    assert page.locator('input[data-node="c"]').count() == 0   # network1's node c is gone
    assert page.inner_text("#lang") == "English"                # the Spanish page offers English
    assert state(box(page, "a", "value")) == "empty"            # and starts without old answers


def test_new_values_from_server(page, server):
    open_lesson(page, server, "coursera-nw0")
    answer(page, "a", "value", "11")
    page.on("dialog", lambda d: d.accept())
    before = box(page, "w", "value").input_value()
    for _ in range(5):  # random values can repeat the old ones; a few tries
        page.click("#newvals")
        page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
        if box(page, "w", "value").input_value() != before:
            break
    assert box(page, "w", "value").input_value() != before
    assert state(box(page, "a", "value")) == "empty"
    assert "v=w" in page.url


def test_exported_file_works_offline(page, tmp_path):
    path = labmod.export_html(tmp_path / "lesson.html", "coursera-nw1", variants=2)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
    page.goto(path.as_uri())
    page.on("dialog", lambda d: d.accept())
    page.wait_for_selector('input[data-kind="grad"]')
    assert state(answer(page, "c", "value", "-4")) == "correct"
    assert state(answer(page, "b", "grad", "3")) == "correct"
    assert not page.locator("#offline-note").is_hidden()
    before = box(page, "w", "value").input_value()
    page.click("#newvals")
    w_value = """document.querySelector('input[data-node="w"][data-kind="value"]').value"""
    page.wait_for_function(f"() => {w_value} !== {before!r}")
    # a lesson switch works offline too
    page.select_option("#lesson", "udl-7.1")
    page.wait_for_selector('input[data-node="beta1"]')
    # a new program cannot be built offline, and says so
    page.click("#custom summary")
    page.fill("#source", "J = w**3")
    page.fill("#values", "w = 2")
    page.click("#build")
    page.locator("#program-error").wait_for(state="visible")
    assert "retrograd lab" in page.inner_text("#program-error")
    assert requests == []


def test_screenshot(page, server, tmp_path):
    open_lesson(page, server)
    answer(page, "c", "value", "-4")
    answer(page, "a", "value", "4")
    answer(page, "d", "value", "5")
    answer(page, "d", "grad", "3")
    answer(page, None, "local", "1", edge="a->d")
    answer(page, "a", "grad", "x")
    answer(page, "w", "grad", "3")
    out = os.environ.get("RETROGRAD_LAB_SCREENSHOT") or str(tmp_path / "lab.png")
    page.screenshot(path=out, full_page=True)
    assert os.path.getsize(out) > 10_000


def test_primitive_level_boxes(page, server):
    open_lesson(page, server)
    page.select_option("#level", "primitive")
    page.wait_for_selector('input[data-node="t1"][data-kind="value"]')
    assert state(answer(page, "t1", "value", "9")) == "correct"  # d**2
    assert state(answer(page, None, "local", "1/2", edge="t1->J")) == "correct"
    assert "level=primitive" in page.url


def test_jupyter_view_renders_in_an_iframe(page):
    import retrograd as rg

    page.set_content(rg.learn.lab("coursera-nw0", variants=0, share_code=False)._repr_html_())
    frame = page.frame_locator("iframe")
    a = frame.locator('input[data-node="a"][data-kind="value"]')
    a.fill("2 + 3*3")
    assert a.get_attribute("data-state") == "correct"
    w = frame.locator('input[data-node="w"][data-kind="grad"]')
    w.fill("66")
    assert w.get_attribute("data-state") == "correct"


# ----- issue 11: fits the screen, no collisions in the page, no lost work, safe URL state -------------
RECTS = """() => [...document.querySelectorAll('[data-node-box], .edge-box')].map(e => {
    const r = e.getBoundingClientRect();
    return {id: e.dataset.nodeBox || e.dataset.edgeBox, kind: e.dataset.nodeBox ? 'node' : 'label',
            x: r.left, y: r.top, w: r.width, h: r.height, out: e.classList.contains('output')};
})"""


@pytest.mark.parametrize("width,height,lesson", [(1280, 800, "coursera-nw1"), (960, 700, "coursera-nw1"),
                                                 (390, 844, "coursera-nw1"), (390, 844, "udl-7.1"),
                                                 (960, 700, "udl-7.1")])
def test_the_graph_fits_the_width_and_nothing_overlaps(browser, server, width, height, lesson):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    try:
        pg.goto(f"{server.url}#lesson={lesson}")
        pg.wait_for_selector('input[data-kind="grad"]')
        rects = pg.evaluate(RECTS)
        assert rects
        for r in rects:  # every box within the width: no sideways scrolling to reach the output
            assert r["x"] >= 0 and r["x"] + r["w"] <= width + 0.5, r
        out = next(r for r in rects if r["out"])
        for sel in ('input[data-node="%s"][data-kind="value"]', 'input[data-node="%s"][data-kind="grad"]'):
            b = pg.locator(sel % out["id"]).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5
        if width == 1280 and lesson == "coursera-nw1":  # the whole graph on one desktop screen
            assert all(r["y"] + r["h"] <= height for r in rects)
        for i, a in enumerate(rects):  # no box or label over another
            for b in rects[i + 1:]:
                assert not (a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5 and
                            a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5), (a, b)
        orientation = pg.get_attribute("#graph", "data-orientation")
        assert orientation == ("top-down" if width == 390 else "left-right") or lesson == "udl-7.1"
    finally:
        ctx.close()


def test_fan_out_diagnosis_in_the_page(page, server):
    page.goto(f"{server.url}#src=h%20%3D%20x*y%0Af%20%3D%20h%20%2B%20x&v=x%20%3D%203%2C%20y%20%3D%20-4")
    page.wait_for_selector('input[data-node="x"][data-kind="grad"]')
    b = answer(page, "x", "grad", "-4")
    fb = page.inner_text("#feedback")
    assert state(b) == "wrong" and "only the path through h" in fb and "x feeds 2 nodes (h, f)" in fb
    assert "add up" in fb and "Wrong upstream" not in fb
    assert "only the path through h" in page.inner_text("#bubble")  # next to the box too
    assert state(answer(page, "x", "grad", "-3")) == "correct"


def test_a_url_hash_with_wrong_types_is_ignored(page, server):
    page.goto(f'{server.url}#lesson=coursera-nw0&a="hello"&level=42&lang=fr&v=w%3Dnope')
    page.wait_for_selector('input[data-kind="grad"]')
    a = answer(page, "a", "value", "11")  # saving answers works
    assert state(a) == "correct"
    params = parse_qs(page.url.split("#", 1)[1])
    assert params["a"] == ['{"value:a":"11"}'] and params["level"] == ["assignment"] and params["lang"] == ["en"]
    page.goto(f'{server.url}#lesson=coursera-nw0&a=%5B1%2C2%5D&x=1')
    page.wait_for_selector('input[data-kind="grad"]')
    assert state(answer(page, "w", "grad", "66")) == "correct"


def test_completion_message_when_every_box_is_right(page, server):
    open_lesson(page, server, "coursera-nw0")
    assert page.locator("#complete").is_hidden()
    for node, kind, v in (("a", "value", "11"), ("J", "value", "121"), ("J", "grad", "1"), ("a", "grad", "22"),
                          ("w", "grad", "66")):
        answer(page, node, kind, v)
    answer(page, None, "local", "2*11", edge="a->J")
    answer(page, None, "local", "3", edge="w->a")
    assert not page.locator("#complete").is_hidden() and "Well done" in page.inner_text("#complete")


def test_copy_link_in_a_notebook_does_not_claim_an_about_srcdoc_link(page):
    import retrograd as rg
    page.set_content(rg.learn.lab("coursera-nw0", variants=0, share_code=False)._repr_html_())
    frame = page.frame_locator("iframe")
    frame.locator('input[data-node="a"][data-kind="value"]').wait_for()
    frame.locator("#share").click()
    assert "about:srcdoc" not in frame.locator("#share-url").input_value()
    assert frame.locator("#share-url").input_value().startswith("#lesson=coursera-nw0")
    assert "by hand" in frame.locator("#status").inner_text()


def test_step_through_the_backward_pass(page, server):
    import retrograd as rg
    open_lesson(page, server)
    expected = [line for b in rg.learn.explain("coursera-nw1").blocks if b[0] == "step"
                for line in [b[1]] + [x for _, x in b[2]]]
    page.click("#walk-step")
    assert "Start at the output: dJ/dJ = 1" in page.inner_text("#walk-text")
    assert page.get_attribute('[data-node-box="J"]', "class").count("walk-active") == 1
    page.click("#walk-step")
    assert page.locator("#walk-text li.current").inner_text().splitlines() == expected[:2]
    assert "walk-edge" in page.get_attribute('[data-edge-box="d->J"]', "class")
    for _ in range(3):
        page.click("#walk-step")
    lines = [x for x in page.locator("#walk-text li:not(.walk-done)").all_inner_texts()]
    assert "\n".join(lines[1:]).splitlines() == expected  # the explanation's text, node by node
    assert "complete" in page.inner_text("#walk-text")
    assert "walk-active" in page.get_attribute('[data-node-box="c"]', "class")
    page.click("#walk-play")  # play from the start again, and pause
    assert page.inner_text("#walk-play") == "Pause"
    page.click("#walk-play")
    assert page.inner_text("#walk-play") == "Play"
    assert page.locator("#walk-text li").count() >= 1


def test_spanish_page_says_program_errors_and_notes_in_spanish(page, server):
    page.goto(f"{server.url}#lesson=coursera-nw0&lang=es")
    page.wait_for_selector('input[data-kind="grad"]')
    page.click("#custom summary")
    page.fill("#source", "J = q*w")
    page.fill("#values", "w = 3")
    page.click("#build")
    err = page.locator("#program-error")
    err.wait_for(state="visible")
    assert "nombre desconocido 'q'" in err.inner_text() and "unknown" not in err.inner_text()
    page.fill("#source", "J = (w")
    page.click("#build")
    page.wait_for_function("() => document.querySelector('#program-error').innerText.includes('falta cerrar')")
    assert "línea 1" in err.inner_text()
    page.fill("#source", "J = (2 + 3*w)**2")  # one line: drawn per operation, with the note
    page.click("#build")
    page.wait_for_selector('input[data-node="t1"]')
    assert "un nodo por operación" in page.inner_text("#notes")


def test_layers_as_matrices_entry_by_entry(page, tmp_path):
    from retrograd.learn.layers import layers_lesson
    lesson = layers_lesson()
    path = labmod.export_html(tmp_path / "layers.html", lesson.graph(), variants=0)
    page.goto(path.as_uri())
    page.wait_for_selector('input[data-kind="grad"]')
    w1 = page.locator('input[data-node="W1"][data-kind="grad"]')
    assert w1.count() == 6  # a 3x2 matrix, entry by entry
    good = page.locator('input[data-node="W1"][data-kind="grad"][data-entry="[0][1]"]')
    good.fill(f"{lesson.delta['W1'][0, 1]:.4g}")
    assert state(good) == "correct"
    bad = page.locator('input[data-node="W1"][data-kind="grad"][data-entry="[1][0]"]')
    bad.fill("1")
    assert state(bad) == "wrong" and "dL/dW[i,j] = dL/dz[i] · a[j]" in page.inner_text("#feedback")
    z1 = page.locator('input[data-node="z1"][data-kind="value"][data-entry="[2]"]')
    z1.fill("-0,7")
    assert state(z1) == "correct"
    assert page.locator("#walk").is_hidden()


def test_layers_lesson_is_in_the_lab_menu_and_served(page, server):
    from retrograd.learn.layers import layers_lesson
    open_lesson(page, server)
    names = page.locator("#lesson option").evaluate_all("os => os.map(o => o.value)")
    assert "layers-2-3-1" in names
    page.select_option("#lesson", "layers-2-3-1")
    page.wait_for_selector('input[data-node="W1"][data-kind="grad"][data-entry="[2][1]"]')
    assert "Layers as matrices" in page.locator("#lesson option:checked").inner_text()
    assert "lesson=layers-2-3-1" in page.url
    entry = page.locator('input[data-node="W1"][data-kind="grad"][data-entry="[2][1]"]')
    entry.fill(f"{layers_lesson().delta['W1'][2, 1]:.4g}")
    assert state(entry) == "correct"
    page.reload()  # the address keeps the matrices and the answer
    entry.wait_for()
    assert entry.input_value() and state(entry) == "correct" and page.locator("#program-error").is_hidden()
    page.on("dialog", lambda d: d.accept())
    before = box(page, "W1", "value").first.input_value()
    page.click("#newvals")  # new vectors and matrices of the same shapes, from the server
    page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
    assert page.locator('input[data-node="W1"][data-kind="grad"]').count() == 6
    assert box(page, "W1", "value").first.input_value() != before
    assert page.locator("#program-error").is_hidden()
    page.goto(f"{server.url}#lesson=layers-2-3-1&lang=es")  # a link straight to it, in Spanish
    page.wait_for_selector('input[data-node="z1"][data-kind="value"][data-entry="[0]"]')
    assert page.locator("#lesson").input_value() == "layers-2-3-1"
    assert "Capas como matrices" in page.locator("#lesson option:checked").inner_text()


# ----- issue 11: several labs in one notebook load the page's code once --------------------------------
def notebook_cells(monkeypatch, *lessons):
    """The outputs of a fresh kernel's lab cells, as a notebook puts them in one document."""
    import retrograd as rg
    from retrograd.learn import lab_notebook
    monkeypatch.setattr(lab_notebook, "SHARED", lab_notebook.SharedCode())  # a fresh kernel
    return [rg.learn.lab(name, variants=0, share_code=True)._repr_html_() for name in lessons]


def test_notebook_labs_share_the_page_code_and_each_works(page, monkeypatch):
    first, second = notebook_cells(monkeypatch, "coursera-nw0", "coursera-nw1")
    from retrograd.learn.lab_notebook import _js_string
    assert _js_string(labmod.page_template()) in first  # the page's code, once
    for asset in ("lab_main.js", "lab_view.js", "lab.css"):  # the second carries no code, raw or quoted
        text = labmod._asset(asset)[:300]
        assert text not in second and _js_string(text)[1:-1] not in second
    page.set_content("<h1>notebook</h1>" + first + "<p>a markdown cell</p>" + second)
    frames = page.frame_locator("iframe")
    assert page.locator("iframe").count() == 2
    a = frames.nth(0).locator('input[data-node="a"][data-kind="value"]')
    a.fill("11")
    assert a.get_attribute("data-state") == "correct"
    w = frames.nth(1).locator('input[data-node="w"][data-kind="grad"]')
    w.fill("6")
    assert w.get_attribute("data-state") == "correct"


def test_a_notebook_cell_shown_before_the_code_waits_for_it(page, monkeypatch):
    first, second = notebook_cells(monkeypatch, "coursera-nw0", "coursera-nw1")
    page.set_content(second)  # outputs rendered out of order (lazy rendering)
    assert page.locator("iframe").count() == 0
    page.locator("body").evaluate("""(b, html) => {  // insert the first output the way a notebook does
        const t = document.createElement('div'); t.innerHTML = html; b.prepend(t);
        t.querySelectorAll('script').forEach(s => { const n = document.createElement('script');
            if (s.type) n.type = s.type; n.className = s.className; n.textContent = s.textContent; s.replaceWith(n); });
    }""", first)
    page.wait_for_function("() => document.querySelectorAll('iframe').length === 2")
    w = page.frame_locator('[data-rglab] iframe').nth(1).locator('input[data-node="w"][data-kind="grad"]')
    w.fill("6")
    assert w.get_attribute("data-state") == "correct"


def test_a_notebook_cell_whose_code_is_gone_says_what_to_do(page, monkeypatch):
    from retrograd.learn import lab_notebook
    monkeypatch.setattr(lab_notebook, "WAIT_S", 0.2)
    _, second = notebook_cells(monkeypatch, "coursera-nw0", "coursera-nw1")
    page.set_content(second)  # the first lab's output was cleared, and the notebook reopened
    page.wait_for_selector(".rglab-missing")
    assert "share_code=False" in page.inner_text(".rglab-missing") and page.locator("iframe").count() == 0
    import retrograd as rg
    es = rg.learn.lab("coursera-nw0", lang="es", variants=0, share_code=True)._repr_html_()
    page.set_content(es)
    page.wait_for_selector(".rglab-missing")
    assert "vuelve a ejecutar esta celda" in page.inner_text(".rglab-missing")


def test_layers_lesson_in_an_exported_file(page, tmp_path):
    path = labmod.export_html(tmp_path / "all.html", "coursera-nw1", variants=1)
    page.goto(path.as_uri())
    page.wait_for_selector('input[data-kind="grad"]')
    page.select_option("#lesson", "layers-2-3-1")
    z1 = page.locator('input[data-node="z1"][data-kind="value"][data-entry="[1]"]')
    z1.wait_for()
    from retrograd.learn.layers import layers_lesson
    z1.fill(f"{layers_lesson().forward['z1'][1]:.4g}")
    assert state(z1) == "correct"
    page.on("dialog", lambda d: d.accept())
    before = box(page, "W1", "value").first.input_value()
    page.click("#newvals")  # offline: the stored value set of the same shapes
    page.wait_for_function("() => !document.body.hasAttribute('data-busy')")
    assert box(page, "W1", "value").first.input_value() != before
    assert page.locator('input[data-node="W1"][data-kind="grad"]').count() == 6


# ----- issue 12: the "code" tab: the program's forward and backward pass as the code rg.jit generates -----
def code_lines(pg):
    return pg.locator("#code-text").evaluate("e => e.textContent").splitlines()


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_code_tab_shows_the_backward_pass_and_follows_edits(browser, server, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_lesson(pg, server, "coursera-nw1")
        assert pg.locator("#code-panel").is_hidden()
        pg.click("#tab-code")
        assert pg.locator("#graph-wrap").is_hidden() and not pg.locator("#code-panel").is_hidden()
        assert pg.get_attribute("#tab-code", "aria-selected") == "true"
        # the text is Python's (principle 9): the code rg.jit generates, then the call with the lab's values
        expected = labmod.graph_for(lesson="coursera-nw1")["code"]
        assert pg.locator("#code-text").evaluate("e => e.textContent") == expected
        lines = [x.strip() for x in code_lines(pg)]
        assert "dJ_dd = d" in lines and "dJ_dw = dJ_dd * x" in lines and "dJ_db = dJ_dd" in lines
        assert lines[-1] == "# J = 4.5, dJ_dw = 6, dJ_db = 3"
        comment = pg.locator(".code-comment", has_text="# d c / d w: mul rule")
        assert comment.count() == 1 and comment.evaluate("e => getComputedStyle(e).color") == GREEN
        # readable at this width: the page never scrolls sideways, the code scrolls inside its box
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        b = pg.locator("#code-text").bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5
        # copyable: the button puts exactly that text on the clipboard
        pg.click("#code-copy")
        pg.wait_for_function("() => document.querySelector('#code-status').textContent !== ''")
        assert pg.evaluate("navigator.clipboard.readText()") == expected
        assert "copied" in pg.inner_text("#code-status")
        # an edit of the program rebuilds the code, while the tab stays open
        pg.click("#custom summary")
        pg.fill("#source", "a = w*x\nJ = (a - y)**2")
        pg.fill("#values", "w = 2, x = 3, y = 1")
        pg.click("#build")
        pg.wait_for_function("() => document.querySelector('#code-text').textContent.includes('dJ_dy')")
        lines = [x.strip() for x in code_lines(pg)]
        assert "a = w * x" in lines and "dJ_dw = dJ_dsub1 * x" in lines and "# d a / d w: mul rule, g * x" in lines
        assert lines[-2] == "J, dJ_dw, dJ_dx, dJ_dy = forward_backward(w=2.0, x=3.0, y=1.0)"
        pg.fill("#values", "w = 5, x = 3, y = 1")  # new values: the call and its results follow
        pg.click("#build")
        pg.wait_for_function("() => document.querySelector('#code-text').textContent.includes('w=5.0')")
        assert code_lines(pg)[-1] == "# J = 196, dJ_dw = 84, dJ_dx = 140, dJ_dy = -28"
        assert not pg.locator("#code-panel").is_hidden()
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        pg.click("#tab-graph")  # and back: the graph, fitted to the width, still answers
        assert pg.locator("#code-panel").is_hidden()
        assert state(answer(pg, "J", "value", "196")) == "correct"
        for r in pg.evaluate(RECTS):
            assert r["x"] >= 0 and r["x"] + r["w"] <= width + 0.5, r
    finally:
        ctx.close()
    assert not errors, errors


def test_code_tab_in_spanish_for_the_layers_lesson_and_in_a_notebook(page):
    import retrograd as rg
    page.set_content(rg.learn.lab("layers-2-3-1", lang="es", variants=0, share_code=False)._repr_html_())
    frame = page.frame_locator("iframe")
    frame.locator('input[data-node="W1"][data-kind="grad"]').first.wait_for()
    assert frame.locator("#tab-code").inner_text() == "Código"
    frame.locator("#tab-code").click()
    text = frame.locator("#code-text").evaluate("e => e.textContent")
    assert "def forward_backward(W1, b1, W2, b2, x, t):" in text and "dL_dW1 = " in text
    assert "def sigmoid(x):" in text  # the helper it calls is defined: the text runs on its own
    ns = {}
    exec(compile(text, "<lab code>", "exec"), ns)
    assert ns["L"] == pytest.approx(rg.learn.layers_lesson().forward["L"])
    frame.locator("#code-copy").click()  # an embedded page has no clipboard: the code is selected instead
    frame.locator("#code-status:not(:empty)").wait_for()
    status = frame.locator("#code-status").inner_text()
    assert status in ("Código copiado.", "El código está seleccionado: pulsa Ctrl+C (o ⌘C) para copiarlo.")


# ----- polish: the bubble beside its box, the layers lesson on a phone -----------------------------------
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_the_feedback_bubble_covers_no_box(browser, server, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    try:
        open_lesson(pg, server, "coursera-nw1")
        for node, kind, edge in (("c", "value", None), ("a", "value", None), ("w", "grad", None),
                                 (None, "local", "w->c"), ("d", "grad", None), ("J", "value", None)):
            answer(pg, node, kind, "123", edge=edge)
            bubble = pg.locator("#bubble")
            assert bubble.is_visible() and "Not" in bubble.inner_text()
            b = bubble.bounding_box()
            for r in pg.evaluate(RECTS):  # no node box and no edge box under it (its own box included)
                assert (b["x"] + b["width"] <= r["x"] + 0.5 or r["x"] + r["w"] <= b["x"] + 0.5 or
                        b["y"] + b["height"] <= r["y"] + 0.5 or r["y"] + r["h"] <= b["y"] + 0.5), (node, kind, r, b)
            assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5
    finally:
        ctx.close()


def test_layers_lesson_is_readable_on_a_phone(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    try:
        open_lesson(pg, server, "layers-2-3-1")
        scale = float(pg.get_attribute("#graph", "data-scale"))
        assert scale >= labmod.MIN_ARRAY_SCALE  # not shrunk to fit: the entries stay readable
        cell = pg.locator('input[data-node="W1"][data-kind="grad"]').first
        assert cell.bounding_box()["height"] >= labmod.MIN_ARRAY_SCALE * cell.evaluate("e => e.offsetHeight") - 0.5
        # the graph's box scrolls sideways, never the page
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        wrap = pg.evaluate("(() => { const w = document.querySelector('#graph-wrap'); "
                           "return [w.scrollWidth, w.clientWidth]; })()")
        drawn = pg.evaluate("window.retrogradLab.state.geo.width") * scale
        assert wrap[1] < wrap[0] <= drawn + 2  # as far as the picture goes, no further
        out = pg.locator('input[data-node="L"][data-kind="value"]')
        out.scroll_into_view_if_needed()
        b = out.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390
        from retrograd.learn.layers import layers_lesson
        out.fill(f"{layers_lesson().forward['L']:.4g}")
        assert state(out) == "correct"
        # the intro and the formulas speak of this graph's output L, and its loss is sum((y - t)**2)/2
        subtitle = pg.inner_text("#subtitle")
        assert "dL/dx" in subtitle and "dJ/dx" not in subtitle
        assert "sum((y - t)**2)/2" in pg.inner_text('[data-node-box="L"]') and "(-1,)" not in pg.inner_text("#graph")
        pg.goto(f"{server.url}#lesson=coursera-nw1")  # and a lesson whose output is J says dJ/dx
        pg.wait_for_selector('input[data-node="c"]')
        assert "dJ/dx" in pg.inner_text("#subtitle")
    finally:
        ctx.close()


def test_code_tab_in_notebook_cells_that_share_the_page_code(page, monkeypatch):
    first, second = notebook_cells(monkeypatch, "coursera-nw0", "coursera-nw1")
    page.set_content(first + second)
    frame = page.frame_locator("iframe").nth(1)
    frame.locator('input[data-node="w"][data-kind="grad"]').wait_for()
    frame.locator("#tab-code").click()
    assert frame.locator("#code-text").evaluate("e => e.textContent") == labmod.graph_for(lesson="coursera-nw1")["code"]
