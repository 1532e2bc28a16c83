"""The documentation site's own code (docs/hooks.py, docs/griffe_rst.py).

The full site is built by `.ci/run` (`mkdocs build --strict`); these are the fast checks: every
README include in docs/ names a section that exists, the README sections are cut where they
should be, README links work from a page, and docstrings become Markdown that renders.
"""

import doctest
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _load("hooks")
griffe_rst = _load("griffe_rst")
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", [hooks, griffe_rst], ids=["hooks", "griffe_rst"])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_every_readme_include_names_a_section():
    pages = sorted((ROOT / "docs").rglob("*.md"))
    includes = [(p, m) for p in pages for m in hooks._DIRECTIVE.finditer(p.read_text(encoding="utf-8"))]
    assert len(includes) >= 10  # the guides
    for page, m in includes:
        body = hooks.readme_section(README, m.group(1), subsections=bool(m.group(2)))
        assert body.strip(), f"{page.name}: README section {m.group(1)!r} is empty"


def test_section_stops_at_the_next_heading_and_ignores_code():
    md = "# T\n## A\n```python\n# not a heading\n## nor this\n```\nafter\n### Sub\ns\n## B\nb"
    assert hooks.readme_section(md, "A").endswith("after")
    assert "# not a heading" in hooks.readme_section(md, "A")
    whole = hooks.readme_section(md, "A", subsections=True)
    assert whole.endswith("## Sub\ns") and "## B" not in whole
    with pytest.raises(ValueError, match="no section titled 'C'"):
        hooks.readme_section(md, "C")


def test_readme_sections_cover_the_guides():
    tensors = hooks.readme_section(README, "Tensors and backward")
    assert "rg.tensor" in tensors and "In-place" not in tensors.split("\n")[-1]
    nn = hooks.readme_section(README, "Neural networks and training", subsections=True)
    assert re.search(r"^## `retrograd train`$", nn, re.M)  # ### lifted to ## under the page title
    assert "## How the engine works" not in nn


def test_relink_from_a_page():
    md = "![lab](docs/img/lab.png) [ex](examples/a.py) [web](https://x.org) [here](#top)"
    out = hooks._relink(md, "guide/web-lab.md")
    assert "![lab](../img/lab.png)" in out
    assert "ex (`examples/a.py`)" in out and "[web](https://x.org)" in out and "[here](#top)" in out
    assert "![lab](img/lab.png)" in hooks._relink(md, "index.md")


def test_a_list_right_under_a_paragraph_is_a_list():
    md = "Text.\n* `rg.gradcheck` item\n  more\n* two\n\n```\nx\n* not an item\n```"
    out = hooks._commonmark_lists(md).split("\n")
    assert out[:3] == ["Text.", "", "* `rg.gradcheck` item"]
    assert out[3:5] == ["  more", "* two"] and out[-3:] == ["x", "* not an item", "```"]


def test_doctests_and_literal_blocks_become_fenced_code():
    doc = ("Square it.\n\n>>> import retrograd as rg\n>>> rg.tensor(2.0) ** 2  # doctest: +ELLIPSIS\n"
           "tensor(4.)\n\nDeclared once::\n\n    p = Primitive(\n        'x')\n\nEnd, see :class:`~a.B`.")
    out = griffe_rst.to_markdown(doc).split("\n")
    start = out.index("```pycon")
    assert out[start + 1:start + 5] == [">>> import retrograd as rg", ">>> rg.tensor(2.0) ** 2",
                                        "tensor(4.)", "```"]
    assert "Declared once:" in out and "p = Primitive(" in out and "    'x')" in out
    assert out[out.index("p = Primitive(") - 1] == "```"
    assert out[-1] == "End, see `B`."


def test_top_level_api_lists_every_public_function():
    import retrograd as rg

    page = hooks.top_level_api()
    listed = set(re.findall(r"^::: retrograd\.[\w.]*\.(\w+)$", page, re.M))
    for name in ("tensor", "from_numpy", "exp", "sum", "no_grad", "gradcheck", "Primitive", "manual_seed"):
        assert name in listed
    assert "grad" not in listed and "Tensor" not in listed  # they have pages of their own
    public = {n for n in vars(rg) if not n.startswith("_") and callable(getattr(rg, n))
              and getattr(getattr(rg, n), "__module__", "").startswith("retrograd")
              and not isinstance(getattr(rg, n), type(rg))}
    transforms = {n for n in public if getattr(rg, n).__module__ == "retrograd.transforms"}
    assert {"grad", "jacobian", "hessian"} <= transforms   # on the transforms page
    assert public - listed <= {"Tensor"} | transforms


def test_lesson_pages_one_per_lesson():
    import retrograd as rg

    pages = hooks.lesson_pages()
    names = [lesson.name for lesson in rg.learn.lessons()]
    assert sorted(pages) == sorted([f"lessons/{n}.md" for n in names] + ["lessons/index.md"])
    title, text = pages["lessons/coursera-nw1.md"]
    assert title == "coursera-nw1" and "<svg" in text
    assert re.search(r"^  J +d\*\*2/2 +4\.5$", text, re.M)  # the forward table, J = 4.5 as in the lab
    assert all(f"({n}.md)" in pages["lessons/index.md"][1] for n in names)


def test_a_factory_function_made_in_another_module_gets_its_own_entry(tmp_path, monkeypatch):
    # rg.acos is made in functions_math by a factory of functions: inspection takes it for an
    # import of functions.acos (which does not exist) and the API page could not be built.
    import griffe

    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .b import acos\n")
    (pkg / "a.py").write_text(
        "def make(name, doc):\n"
        "    def fn(x, *, out=None):\n"
        "        return x\n"
        "    fn.__name__ = fn.__qualname__ = name\n"
        "    fn.__doc__ = doc\n"
        "    return fn\n")
    (pkg / "b.py").write_text("from .a import make\nacos = make('acos', 'Inverse cosine.\\n\\n>>> 1\\n1')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    extensions = griffe.load_extensions(griffe_rst.RstToMarkdown)
    module = griffe.load("fakepkg", search_paths=[str(tmp_path)], force_inspection=True,
                         extensions=extensions)
    fn = module["b"].members["acos"]
    assert not fn.is_alias and fn.is_function
    assert [p.name for p in fn.parameters] == ["x", "out"]
    assert fn.parameters["out"].kind is griffe.ParameterKind.keyword_only
    assert fn.docstring.value == "Inverse cosine.\n\n```pycon\n>>> 1\n1\n```"


def test_the_site_builds_strict(tmp_path):
    """`mkdocs build --strict` (warnings are errors): the API pages, guides and lesson pages all resolve."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=root, capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "api" / "nn.html").is_file() or any((tmp_path / "site" / "api").iterdir())
