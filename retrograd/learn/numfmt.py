"""Numbers a learner can read: one precision for every view (text, Markdown, HTML, SVG, lab).

``digits`` significant digits (default :data:`DIGITS`); integers print without a
decimal point; ``digits >= 17`` prints the shortest exact form (Python's ``repr``,
what the course notebooks print). Rounding noise such as ``1.2000000000000002``
disappears at any ``digits`` below 16.

>>> fmt(1.2000000000000002), fmt(-17.060516, 4), fmt(121.02200099999999, 17)
('1.2', '-17.06', '121.02200099999999')
"""

from __future__ import annotations

import math

#: Significant digits of every number shown, unless told otherwise (``--digits N``).
DIGITS = 6


def fmt(v, digits: int | None = None) -> str:
    """A value for display: integers without a decimal point, else ``digits`` significant digits.

    Lists (array values) show their first four elements.

    >>> fmt(66.0), fmt(0.7445282168318492, 4), fmt(None), fmt([1.0, 2.5]), fmt(-0.0)
    ('66', '0.7445', '–', '[1, 2.5]', '0')
    """
    digits = DIGITS if digits is None else int(digits)
    if v is None:
        return "–"
    if isinstance(v, (list, tuple)):
        inner = ", ".join(fmt(x, digits) for x in v[:4])
        return "[" + inner + (", …" if len(v) > 4 else "") + "]"
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    if digits >= 17:
        return repr(v)
    text = f"{v:.{max(1, digits)}g}"
    if "e" not in text:
        return text
    mant, exp = text.split("e")
    return f"{mant}e{int(exp)}"


def paren(v, digits: int | None = None) -> str:
    """:func:`fmt`, with a negative number in parentheses (for ``a − (−4)`` and ``2 × (−3)``).

    >>> paren(-4.0), paren(3.5)
    ('(-4)', '3.5')
    """
    text = fmt(v, digits)
    return f"({text})" if text.startswith("-") else text


def small_error(err, scale, digits: int | None = None) -> str:
    """A finite-difference error for display: ``0`` when it is rounding noise (below 1e-9 of the scale).

    >>> small_error(3.3e-13, 1.0), small_error(0.0005, 3.0), small_error(None, 1.0)
    ('0', '+0.0005', '–')
    """
    if err is None:
        return "–"
    if abs(err) <= 1e-9 * max(1.0, abs(scale)):
        return "0"
    text = fmt(err, min(2, DIGITS if digits is None else digits))
    return text if text.startswith("-") else "+" + text
