"""One notation, readable numbers, and two complete catalogues (issue 11, "What it says must be right")."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import retrograd as rg
from retrograd.cli import main
from retrograd.learn import explain, lesson, lessons, program
from retrograd.learn.i18n import TEXTS, lab_strings, translate_error

needs_sympy = pytest.mark.skipif(not rg.learn.symbolic.AVAILABLE, reason="needs SymPy (the learn extra)")


def test_catalogues_have_the_same_keys_and_placeholders():
    assert set(TEXTS["en"]) == set(TEXTS["es"])
    for key in TEXTS["en"]:
        ph = lambda s: sorted(set(re.findall(r"\{(\w+)\}", s)))
        assert ph(TEXTS["en"][key]) == ph(TEXTS["es"][key]), key
    assert set(lab_strings()["en"]) == set(lab_strings()["es"]) and "reveal" in lab_strings()["en"]


def _english_fragments():
    """Pieces of English text (between placeholders) that differ from the Spanish of the same key."""
    out = set()
    for key, en in TEXTS["en"].items():
        if en == TEXTS["es"][key]:
            continue
        for piece in re.split(r"\{\w+\}", en):
            piece = piece.strip(" :;,.()'\"")
            if len(piece) >= 8 and piece not in TEXTS["es"][key]:
                out.add(piece)
    return out


@needs_sympy
@pytest.mark.parametrize("verbose", [False, True])
def test_no_english_in_spanish_explanations(verbose):
    english = _english_fragments()
    for les in lessons():
        text = str(explain(les.program("es"), lang="es", verbose=verbose))
        text += str(explain(les.program("es"), lang="es", level="primitive", verbose=verbose))
        found = [p for p in english if p in text]
        assert not found, (les.name, found)
    for src, vals in (("J = relu(w)*2", {"w": 0.0}), ("a = w*w\nb = 3*w\nJ = a + b", {"w": 2.0}),
                      ("J = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", {"x": 3.0, "y": -4.0})):
        text = str(program(src, **vals).explain(lang="es", verbose=verbose))
        found = [p for p in english if p in text]
        assert not found, (src, found)


def test_program_errors_and_cli_messages_in_spanish(capsys, tmp_path):
    english = _english_fragments()
    for argv in (["explain", "J = q*w", "--at", "w=3"], ["explain", "J = (w", "--at", "w=3"],
                 ["explain", "J = log(w)", "--at", "w=-1"], ["explain", "--lesson", "nope"], ["explain"],
                 ["explain", "J = w", "--at", "w"]):
        assert main(argv + ["--lang", "es"]) == 2
        err = capsys.readouterr().err
        assert err and not [p for p in english if p in err], (argv, err)
    assert "nombre desconocido 'q'" in translate_error("unknown name 'q': give it a value, like q=1.0", "es")
    svg = tmp_path / "g.svg"
    assert main(["explain", "J = w**2", "--at", "w=3", "--lang", "es", "--svg", str(svg)]) == 0
    assert capsys.readouterr().err.strip() == f"escrito {svg}"


def _walk_lines(text):
    return text[text.index("Backward pass"):].splitlines()


@needs_sympy
@pytest.mark.parametrize("name", [les.name for les in lessons()])
def test_one_notation_local_and_gradient_never_share_a_symbol(name):
    g = lesson(name).graph()
    out = g.output
    text = str(explain(lesson(name), verbose=True))
    for line in _walk_lines(text):
        # a local derivative is ∂f/∂x, a gradient of the output dJ/dx: never ∂J/∂x for a gradient
        if "chain rule:" in line:
            lhs = line.split("chain rule:")[1].split("=")[0].strip()
            assert lhs.startswith(f"d{out}/d"), line
        assert not re.search(rf"d{out}/d(\w+) = ∂{out}/∂\1 × d{out}/d{out}\b.*d{out}/d{out}", line)
    # no circular line at the output node: ∂J/∂d × ∂J/∂J
    assert f"∂{out}/∂{out}" not in text


@needs_sympy
def test_coursera_nw1_is_explained_in_at_most_40_lines_and_every_check_counted():
    text = str(explain("coursera-nw1"))
    assert len(text.splitlines()) <= 40
    assert re.search(r"✓ \d+ checks passed", text)
    assert "dJ/dw = ∂c/∂w × dJ/dc = 2 × 3 = 6" in text
    verbose = str(explain("coursera-nw1", verbose=True))
    assert len(verbose.splitlines()) > 60 and "central difference" in verbose


@needs_sympy
def test_readable_numbers_one_precision_parentheses_and_no_rounding_noise():
    text = str(explain("coursera-nw1", verbose=True))
    assert "(-3.998 − (-4))/0.001 = 2" in text          # negatives in parentheses, 2 not 1.99999999999978
    assert "e-13" not in text and "00000000" not in text  # no rounding noise anywhere
    assert "truncation error 0)" in text                  # a linear node has no truncation error
    exact = str(explain("coursera-nw1", verbose=True, digits=17))
    assert "(4.506002 − 4.5)/0.001 = 6.001999999999619" in exact
    short = str(explain("udl-7.1", digits=4))
    assert "dl/dbeta1 = ∂f1/∂beta1 × dl/df1 = 1 × (-17.06) = -17.06" in short
    assert "1.2000000000000002" not in str(program("J = w*1.2", w=1.0).explain(verbose=True))


def test_cli_digits_and_verbose(capsys):
    assert main(["explain", "--lesson", "udl-7.1", "--digits", "3"]) == 0
    out = capsys.readouterr().out
    assert "1 × (-17.1) = -17.1" in out and "central difference" not in out
    assert main(["explain", "--lesson", "udl-7.1", "--verbose"]) == 0
    assert "central difference" in capsys.readouterr().out


@needs_sympy
def test_relu_at_zero_is_the_documented_convention_symbolically():
    text = str(program("J = relu(w)*2", w=0.0).explain(verbose=True))
    assert "Piecewise" not in text and "✗" not in text
    assert "step(w)" in text and "relu'(0) = 0" in text
    assert "kink" in text  # the finite difference cannot check it, and says why


def test_one_line_program_goes_to_the_operations():
    p = program("f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)", x=3.0, y=-4.0)
    g = p.graph()
    assert g.level == "primitive" and len([n for n in g.nodes if n["kind"] == "op"]) >= 6
    assert ["one_line", {}] in g.to_dict()["auto_notes"]
    assert "one node per operation" in str(p.explain())
    # a single operation stays one node
    assert program("J = w**2", w=3.0).graph().level == "assignment"


def test_constants_are_not_drawn_twice():
    svg = program("J = relu(w)*2", w=1.0).graph("primitive").to_svg()
    assert "2 = 2" not in svg


def test_explain_after_backward():
    w = rg.tensor(3.0, requires_grad=True, name="w")
    J = ((2 + 3 * w).named("a") ** 2).named("J")
    J.backward()
    text = str(rg.learn.explain(J))
    assert "dJ/dw = ∂a/∂w × dJ/da = 3 × 22 = 66" in text
    assert w.grad.item() == 66.0


def test_spanish_corrections():
    es = TEXTS["es"]
    assert "error de truncamiento" in es["check_local"] and "sesgo" not in " ".join(es.values())
    assert "diferencia centrada" in es["check_grad"]
    assert "gradiente entrante" in es["upstream"] and "Gradiente entrante" in es["lab.slipUpstream"]
    assert "Retropropagación" in es["backward"]
    assert es["lab.slipSign"] == "El valor absoluto es correcto, pero el signo no."
    assert "la derivada de la salida respecto a sí misma es 1" in es["lab.gradHintOut"]


def test_main_job_short_by_default():
    r = subprocess.run([sys.executable, "-m", "retrograd"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert r.stdout.count("checks passed") == len(lessons())


EVIL = 'w" onmouseover="alert(1)'


def test_no_name_can_add_an_attribute_in_the_svg_or_the_html_explanation():
    import xml.etree.ElementTree as ET
    w = rg.tensor(3.0, requires_grad=True, name=EVIL)
    J = ((2 + 3 * w).named('a" onclick="x') ** 2).named("J")
    g = rg.learn.build_graph(J)
    allowed = {"xmlns", "width", "height", "viewBox", "font-family", "font-size", "id", "refX", "refY",
               "markerWidth", "markerHeight", "orient", "d", "fill", "class", "stroke", "stroke-width",
               "marker-end", "x", "y", "text-anchor", "rx", "stroke-dasharray", "font-weight", "paint-order",
               "style"}
    for doc in (g.to_svg(), rg.learn.explain(g).to_html()):
        root = ET.fromstring(doc)
        for el in root.iter():
            assert set(el.attrib) <= allowed, el.attrib
            assert not any(k.startswith("on") for k in el.attrib)
        ids = [el.attrib["id"] for el in root.iter() if "id" in el.attrib]
        assert "node-" + EVIL in ids


def test_texts_left_identical_in_spanish_are_formulas_not_english():
    same = [k for k in TEXTS["en"] if TEXTS["en"][k] == TEXTS["es"][k]]
    for key in same:
        words = re.findall(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}", "", TEXTS["en"][key]))
        assert set(words) <= {"SymPy", "diff"}, (key, words)
