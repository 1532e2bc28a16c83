"""MkDocs hooks: the guides read the README, the lessons and the top-level API come from the code.

One source per text: a guide page says ``<!-- readme section="Web lab" -->`` and
gets that README section at build time (``subsections`` after the title keeps
its ``###`` parts too; ``<!-- readme intro -->`` is the text before the first
section). A README heading that no longer exists stops the build, so a renamed
section is noticed. The lesson pages are written from ``rg.learn.lessons()``,
and ``<!-- api top-level -->`` expands into one mkdocstrings block per public
name of ``retrograd``, grouped by the module that defines it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_DIRECTIVE = re.compile(r'^<!-- readme (?:intro|section="([^"]+)"( subsections)?) -->$', re.M)
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


# ----- README sections ---------------------------------------------------------------
def _headings(lines: list[str]):
    """(index, level, title) of every Markdown heading outside fenced code blocks."""
    fence = None
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
            continue
        m = _HEADING.match(line)
        if m and fence is None:
            yield i, len(m.group(1)), m.group(2)


def readme_section(text: str, title: str | None, subsections: bool = False) -> str:
    """The body of the README section ``title`` (``None``: the text before the first ``##``).

    Without ``subsections`` the body stops at the next heading of any level; with
    it, at the next heading of the same or a higher level, and the sub-headings
    are lifted so that the section's own level becomes the page title's.

    >>> md = "# T\\nintro\\n## A\\na\\n### A1\\na1\\n## B\\nb\\n"
    >>> readme_section(md, "A")
    'a'
    >>> print(readme_section(md, "A", subsections=True))
    a
    ## A1
    a1
    >>> readme_section(md, None)
    'intro'
    """
    lines = text.splitlines()
    heads = list(_headings(lines))
    if title is None:
        start, level = (heads[0][0] + 1 if heads and heads[0][1] == 1 else 0), 1
    else:
        found = [(i, lv) for i, lv, t in heads if t == title]
        if not found:
            raise ValueError(f"README.md has no section titled {title!r}; "
                             "fix the <!-- readme section=... --> line in docs/")
        start, level = found[0][0] + 1, found[0][1]
    end = len(lines)
    for i, lv, _ in heads:
        if i >= start and (lv <= level or not subsections):
            end = i
            break
    body = lines[start:end]
    if subsections:
        shift = level - 1
        inside = {i - start for i, _, _ in heads if start <= i < end}
        body = [line[shift:] if k in inside else line for k, line in enumerate(body)]
    return "\n".join(body).strip("\n")


_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+[.)]) ")


def _commonmark_lists(markdown: str) -> str:
    """Put a blank line before a list that starts right under a paragraph.

    GitHub (CommonMark) lets a list interrupt a paragraph; Python-Markdown does not, and
    would print the README's ``* item`` as text.

    >>> _commonmark_lists("text\\n* a\\n  more\\n* b")
    'text\\n\\n* a\\n  more\\n* b'
    """
    out: list[str] = []
    in_list = fence = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        elif not fence and not line.strip():
            in_list = False
        elif not fence and _ITEM.match(line):
            if not in_list and out and out[-1].strip():
                out.append("")
            in_list = True
        out.append(line)
    return "\n".join(out)


def _relink(markdown: str, page_uri: str) -> str:
    """Make the README's repository-relative links work from a page of the site.

    ``docs/...`` targets point into the site; other relative targets (source
    files) are outside it and become their path in code.
    """
    up = posixpath.relpath(".", posixpath.dirname(page_uri) or ".")

    def fix(m: re.Match) -> str:
        bang, label, target = m.groups()
        if re.match(r"^[a-z]+:|^#|^/", target):
            return m.group(0)
        if target.startswith("docs/"):
            return f"{bang}[{label}]({posixpath.normpath(posixpath.join(up, target[5:]))})"
        return f"{label} (`{target}`)" if not bang else f"*{label}* (`{target}`)"

    return _LINK.sub(fix, markdown)


# ----- the top-level API page ---------------------------------------------------------
_GROUPS = {  # defining module -> section title, in page order
    "retrograd.core": "Making tensors, grad mode",
    "retrograd.creation": "Creation and random numbers",
    "retrograd.functions": "Array functions",
    "retrograd.functions_math": "More maths: rounding, scans, sorting, norms, products",
    "retrograd.functions_shape": "Shapes",
    "retrograd.functions_index": "Indexing",
    "retrograd.functions_logic": "Logic and tests",
    "retrograd.conversion": "Conversions",
    "retrograd.autograd": "Grad mode",
    "retrograd.gradcheck": "Checking gradients",
    "retrograd.backend": "Data types",
    "retrograd.ops.primitive": "Primitives",
    "retrograd.errors": "Errors",
}
_ELSEWHERE = {"retrograd.transforms": "transforms.md",
              "Tensor": "tensor.md"}


def _home(name: str, obj) -> str:
    """The module that holds ``obj`` under ``name``: its ``__module__`` if that one does (some
    modules set ``__module__`` to the one they present their functions as), else the first."""
    import sys

    claimed = getattr(obj, "__module__", "")
    holders = sorted(m for m, mod in list(sys.modules.items())
                     if m.startswith("retrograd.") and getattr(mod, name, None) is obj)
    return claimed if claimed in holders else (holders[0] if holders else "retrograd")


def top_level_api() -> str:
    """mkdocstrings blocks for every public function and class of ``retrograd``, by module."""
    import retrograd

    groups: dict[str, list[str]] = {}
    dtypes = []
    for name in sorted(vars(retrograd)):
        obj = getattr(retrograd, name)
        module = getattr(obj, "__module__", "") or ""
        if name.startswith("_") or not callable(obj) or isinstance(obj, type(retrograd)):
            continue
        if not module.startswith("retrograd"):
            dtypes.append(name)  # NumPy's scalar types, re-exported
            continue
        if name in _ELSEWHERE or module in _ELSEWHERE:
            continue
        home = _home(name, obj)
        groups.setdefault(home, []).append(f"{home}.{name}")
    order = list(_GROUPS) + sorted(set(groups) - set(_GROUPS))
    out = ["See also [Tensor](tensor.md) and the [transforms](transforms.md) "
           "(`rg.grad`, `rg.jacobian`, ...), also at the top level.", ""]
    for module in order:
        if module not in groups:
            continue
        out += [f"## {_GROUPS.get(module, module)}", ""]
        if module == "retrograd.backend" and dtypes:
            out += ["NumPy's types, re-exported: " + ", ".join(f"`rg.{d}`" for d in dtypes) + ".", ""]
        for path in sorted(groups[module], key=lambda p: p.rsplit(".", 1)[1].lower()):
            # The holding module's path: `retrograd.tensor` alone names the module, not rg.tensor.
            out += [f"::: {path}", "    options:", "      heading_level: 3",
                    "      show_root_full_path: false", ""]
    return "\n".join(out)


# ----- lessons ------------------------------------------------------------------------
def lesson_pages() -> dict[str, tuple[str, str]]:
    """``{path: (title, markdown)}`` for the lesson index and one page per built-in lesson."""
    import retrograd as rg

    pages = {}
    rows = ["| lesson | title | from |", "| --- | --- | --- |"]
    for lesson in rg.learn.lessons():
        program = lesson.program()
        # The terminal text, in a code block: the page shows exactly what `retrograd explain` prints.
        text_lines = str(program.explain()).split("\n")
        explanation = "\n".join(text_lines[2:] if text_lines[1].startswith("===") else text_lines)
        text = [
            f"# {lesson.title_en}", "",
            f"*{lesson.title_es}*", "",
            f"From: {lesson.origin}." if lesson.origin else "", "",
            f"Try it: `retrograd explain --lesson {lesson.name}` in a terminal, `retrograd lab --lesson {lesson.name}` "
            f"in the browser, or `rg.learn.lesson(\"{lesson.name}\")` in Python.", "",
            '<div class="rg-graph" markdown="0">', program.graph().to_svg(), "</div>", "",
            "## Explanation", "",
            "```text", explanation.strip("\n"), "```",
        ]
        pages[f"lessons/{lesson.name}.md"] = (lesson.name, "\n".join(text))
        rows.append(f"| [{lesson.name}]({lesson.name}.md) | {lesson.title_en} | {lesson.origin} |")
    index = ["# Lessons", "",
             "The course notebooks' computation graphs, built into `rg.learn.lessons()`: each page "
             "shows the graph, then the explanation that `retrograd explain --lesson NAME` prints "
             "(forward table, backward walk, every derivative checked).", ""] + rows
    pages["lessons/index.md"] = ("Lessons", "\n".join(index))
    return pages


# ----- MkDocs events ------------------------------------------------------------------
_lessons: dict[str, tuple[str, str]] = {}


def on_config(config, **kwargs):
    """Put the generated lesson pages under the nav's "Lessons" entry."""
    _lessons.clear()
    _lessons.update(lesson_pages())
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Lessons" in entry:
            entry["Lessons"] = [{"All lessons": "lessons/index.md"}] + [
                {title: path} for path, (title, _) in _lessons.items() if path != "lessons/index.md"]
    return config


def on_files(files, config, **kwargs):
    """Add the lesson pages, written from ``rg.learn.lessons()``, to the site."""
    for path, (_, markdown) in _lessons.items():
        files.append(File.generated(config, path, content=markdown))
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    """Expand the README includes and the top-level API placeholder."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def include(m: re.Match) -> str:
        body = readme_section(readme, m.group(1), subsections=bool(m.group(2)))
        return _relink(_commonmark_lists(body), page.file.src_uri)

    markdown = _DIRECTIVE.sub(include, markdown)
    return markdown.replace("<!-- api top-level -->", top_level_api())
