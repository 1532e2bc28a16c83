"""A Griffe extension: read retrograd's reStructuredText-flavoured docstrings as Markdown.

The docstrings are written for ``pydoc`` and doctest (pytest runs them), not for
Markdown. Three things would render wrongly in the API reference, so they are
rewritten when Griffe loads a docstring (the source files are not touched):

* doctest examples (``>>>`` and ``...`` lines with their output) become
  ``pycon`` code blocks; Markdown would read ``>>>`` as nested block quotes;
* reST literal blocks (a line ending in ``::`` and the indented block after it)
  become code blocks;
* Sphinx roles (``:func:`grad```, ``:class:`~retrograd.learn.Program```)
  become inline code, showing the last dotted part where the target starts
  with ``~``.

It also drops the dunder members that inspection lists, and gives a function made
by a factory in another module its own entry (see the class).
"""

from __future__ import annotations

import importlib
import inspect
import re

import griffe

_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")
_DOCTEST_FLAG = re.compile(r"\s*#\s*doctest:.*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _role(match: re.Match) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def to_markdown(text: str) -> str:
    """Rewrite one docstring: doctests and literal blocks fenced, Sphinx roles as code.

    >>> to_markdown("See :func:`~retrograd.transforms.grad` and :mod:`retrograd.nn`.")
    'See `grad` and `retrograd.nn`.'
    """
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith(">>>"):
            pad = " " * _indent(line)
            out.append(pad + "```pycon")
            while i < len(lines) and lines[i].strip():  # a doctest ends at a blank line
                out.append(_DOCTEST_FLAG.sub("", lines[i]))
                i += 1
            out.append(pad + "```")
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            # reST literal block: "text::" -> "text:", "::" alone -> nothing.
            head = line.rstrip()[:-1] if stripped != "::" else ""
            if head.strip():
                out.append(_ROLE.sub(_role, head))
            base = _indent(line)
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            block_end = j
            while block_end < len(lines) and (not lines[block_end].strip()
                                              or _indent(lines[block_end]) > base):
                block_end += 1
            while block_end > j and not lines[block_end - 1].strip():
                block_end -= 1
            if block_end > j:
                pad, cut = " " * base, _indent(lines[j])
                out += ["", pad + "```"]
                out += [pad + ln[cut:] if ln.strip() else "" for ln in lines[j:block_end]]
                out += [pad + "```"]
                i = block_end
                continue
            i += 1
            continue
        out.append(_ROLE.sub(_role, line))
        i += 1
    return "\n".join(out)


def _function(name: str, obj, module: griffe.Module) -> griffe.Function:
    """A Griffe function for the runtime function ``obj``: its signature and docstring."""
    params = griffe.Parameters(*[
        griffe.Parameter(p.name, kind=griffe.ParameterKind(p.kind.description),
                         default=None if p.default is p.empty else repr(p.default))
        for p in inspect.signature(obj).parameters.values()])
    fn = griffe.Function(name, parameters=params, parent=module)
    if obj.__doc__:
        fn.docstring = griffe.Docstring(to_markdown(inspect.cleandoc(obj.__doc__)), parent=fn)
    return fn


class RstToMarkdown(griffe.Extension):
    """Rewrites every docstring with :func:`to_markdown`; drops dunder members but ``__init__``.

    The site loads the package by inspection (``force_inspection``: functions made
    by factories, such as ``rg.exp``, have their docstrings only at run time),
    which also lists ``__doc__``, ``__module__``, ``__weakref__`` and the like.
    Inspection also takes ``rg.acos``, made in ``functions_math`` by a factory of
    ``functions``, for an import of ``retrograd.functions.acos``, which does not
    exist: such a member becomes a function of its own module.
    """

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:  # noqa: D102
        modules = [pkg]
        while modules:
            module = modules.pop()
            modules += [m for m in module.modules.values() if not m.is_alias]
            for name, member in list(module.members.items()):
                if not member.is_alias or member.resolved:
                    continue
                try:
                    member.final_target  # noqa: B018  (resolves, or raises)
                except griffe.AliasResolutionError:
                    obj = getattr(importlib.import_module(module.path), name, None)
                    if inspect.isfunction(obj) and obj.__module__.startswith(pkg.name):
                        del module.members[name]
                        module.set_member(name, _function(name, obj, module))

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:  # noqa: D102
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)

    def on_members(self, *, obj: griffe.Object, **kwargs) -> None:  # noqa: D102
        for name in [n for n in obj.members if n.startswith("__") and n.endswith("__")]:
            if name != "__init__":
                del obj.members[name]
