"""Expression programs: a few lines of arithmetic, parsed safely and run on the engine.

A program is one expression (``"(2 + 3*w)**2"``) or assignments, one per
line (``"a = 2 + 3*w\\nJ = a**2"``). It is parsed with :mod:`ast` and checked
against a whitelist: numbers, names, ``+ - * / **``, unary minus and calls of
the functions in :data:`FUNCTIONS`. Nothing is ever passed to ``eval`` or
``exec``; the checked tree is interpreted node by node with retrograd's own
functions, so every value is a Tensor in one computation graph.

>>> from retrograd.learn import program
>>> p = program("a = 2 + 3*w\\nJ = a**2", w=3.0)
>>> p.output.item(), p.grads()["w"]
(121.0, 66.0)
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import functions as _fn
from ..tensor import Tensor, tensor
from .explain import Explanation
from .extract import GraphSource, build_graph
from .i18n import tr

#: Longest program accepted, in characters.
MAX_CHARS = 4000
#: Most statements (lines) in a program.
MAX_STATEMENTS = 200
#: Most syntax-tree nodes in a program.
MAX_NODES = 2000
#: Deepest nesting of an expression (a chain of + and - counts as one level, as does one of * and /).
MAX_DEPTH = 60
#: Largest constant exponent accepted in ``x ** k``.
MAX_EXPONENT = 1000
#: Largest magnitude of a numeric literal.
MAX_CONSTANT = 1e100


def _fold(prim):
    def fn(*args):
        return functools.reduce(prim, args)
    return fn


#: The functions a program may call: name -> (number of arguments (min, max), callable).
FUNCTIONS = {
    "sin": ((1, 1), _fn.sin), "cos": ((1, 1), _fn.cos), "tan": ((1, 1), _fn.tan),
    "exp": ((1, 1), _fn.exp), "log": ((1, 1), _fn.log), "sqrt": ((1, 1), _fn.sqrt),
    "tanh": ((1, 1), _fn.tanh), "sigmoid": ((1, 1), _fn.sigmoid), "relu": ((1, 1), _fn.relu),
    "abs": ((1, 1), _fn.abs), "max": ((2, 8), _fold(_fn.maximum)), "min": ((2, 8), _fold(_fn.minimum)),
}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_FAMILY = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}
_BAD_BINOPS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
               ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_DESCRIBE = {
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[i])", ast.Lambda: "lambda",
    ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if/else expressions",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.JoinedStr: "strings", ast.Starred: "starred arguments", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.NamedExpr: "the := operator", ast.Slice: "slices",
    ast.Import: "imports", ast.ImportFrom: "imports", ast.FunctionDef: "function definitions",
    ast.ClassDef: "class definitions", ast.For: "loops", ast.While: "loops", ast.If: "if statements",
    ast.With: "with statements", ast.Try: "try statements", ast.Delete: "del", ast.Global: "global",
    ast.Nonlocal: "nonlocal", ast.Return: "return", ast.Raise: "raise", ast.Assert: "assert",
    ast.Pass: "pass", ast.Break: "break", ast.Continue: "continue", ast.AugAssign: "augmented assignment (+=)",
    ast.AnnAssign: "annotations", ast.AsyncFunctionDef: "function definitions",
}


class ProgramError(ValueError):
    """A program that cannot be accepted, with where (1-based ``line`` and ``col``) and why (``msg``).

    ``line``/``col`` are None when the problem is not at one place (a missing value).

    >>> from retrograd.learn import parse_program, ProgramError
    >>> try:
    ...     parse_program("J = w.real")
    ... except ProgramError as e:
    ...     print(e.line, e.col, e.msg)
    1 5 attribute access (a.b) is not allowed in a program
    """

    def __init__(self, msg, line=None, col=None, source=None):
        self.msg = msg
        self.line = line
        self.col = col
        self.source = source
        where = f"line {line}, column {col}: " if line is not None else ""
        super().__init__(where + msg)

    def pointer(self) -> str:
        """The offending source line with a caret under the column (empty if unknown).

        >>> from retrograd.learn import parse_program, ProgramError
        >>> try:
        ...     parse_program("J = w $ 2")
        ... except ProgramError as e:
        ...     print(e.pointer())
        J = w $ 2
              ^
        """
        if self.line is None or self.source is None:
            return ""
        lines = self.source.splitlines() or [""]
        if not 1 <= self.line <= len(lines):
            return ""
        text = lines[self.line - 1]
        return text + "\n" + " " * max((self.col or 1) - 1, 0) + "^"


@dataclass
class Statement:
    """One assignment ``target = expr`` of a parsed program (``text`` is the source of ``expr``)."""
    target: str
    expr: ast.expr
    text: str
    line: int
    col: int


@dataclass
class ParsedProgram:
    """A checked program: its statements in order, its free names (inputs) and its output name.

    >>> from retrograd.learn import parse_program
    >>> p = parse_program("c = w*x\\nJ = (c - y)**2")
    >>> p.inputs, p.output, [s.target for s in p.statements]
    (['w', 'x', 'y'], 'J', ['c', 'J'])
    """
    source: str
    statements: list
    inputs: list
    output: str
    first_use: dict = field(default_factory=dict)

    @property
    def names(self) -> list:
        """Inputs then assigned names, in order of appearance."""
        return list(self.inputs) + [s.target for s in self.statements]


def _err(msg, node, source):
    return ProgramError(msg, getattr(node, "lineno", None), getattr(node, "col_offset", -1) + 1, source)


def parse_program(source: str) -> ParsedProgram:
    """Check ``source`` against the whitelist and return its :class:`ParsedProgram`.

    Raises :class:`ProgramError` (with line and column) for anything else.
    Nothing of the program is executed.

    >>> from retrograd.learn import parse_program
    >>> parse_program("(2 + 3*w)**2").output
    'out'
    >>> parse_program("import os")
    Traceback (most recent call last):
    ...
    retrograd.learn.program.ProgramError: line 1, column 1: imports are not allowed in a program
    """
    if not isinstance(source, str):
        raise ProgramError(f"a program is a string, got {type(source).__name__}")
    if len(source) > MAX_CHARS:
        raise ProgramError(f"the program is too long ({len(source)} characters; at most {MAX_CHARS})",
                           1, 1, None)
    if not source.strip():
        raise ProgramError("the program is empty: write an expression like (2 + 3*w)**2", 1, 1, source)
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as e:
        msg, col = e.msg or "invalid syntax", e.offset or 1
        if "unexpected indent" in msg:
            msg = "unexpected indentation: start every line at the left margin"
            lines = source.splitlines()
            if e.lineno and e.lineno <= len(lines):
                text = lines[e.lineno - 1]
                col = len(text) - len(text.lstrip()) + 1
        raise ProgramError(f"syntax error: {msg}", e.lineno or 1, col, source) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise ProgramError(f"the program cannot be parsed: {str(e)[:100] or 'nested too deeply'}",
                           1, 1, source) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ProgramError(f"the program is too large ({count} syntax nodes; at most {MAX_NODES})", 1, 1, source)
    body = tree.body
    if not body:
        raise ProgramError("the program has only comments: write an expression like (2 + 3*w)**2",
                           1, 1, source)
    if len(body) > MAX_STATEMENTS:
        raise ProgramError(f"too many statements ({len(body)}; at most {MAX_STATEMENTS})", 1, 1, source)
    statements, inputs, first_use = [], [], {}
    assigned: dict[str, Any] = {}
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise _err("assign to one plain name per line, like  a = 2*w", stmt, source)
            target_node = stmt.targets[0]
            target, expr = target_node.id, stmt.value
        elif isinstance(stmt, ast.Expr) and i == len(body) - 1:
            target_node, expr = None, stmt.value
            target = None
        elif isinstance(stmt, ast.Expr):
            raise _err("only the last line may be a bare expression; give this one a name, like  a = ...",
                       stmt, source)
        else:
            what = _DESCRIBE.get(type(stmt), type(stmt).__name__)
            raise _err(f"{what} {'are' if what.endswith('s') else 'is'} not allowed in a program", stmt, source)
        _check_expr(expr, source)
        funcs = {id(n.func) for n in ast.walk(expr) if isinstance(n, ast.Call)}
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and id(node) not in funcs:
                name = node.id
                if name in assigned:
                    continue
                if name not in first_use:
                    first_use[name] = (node.lineno, node.col_offset + 1)
                    inputs.append(name)
        if target is None:
            target = "out"
            k = 1
            while target in first_use or target in assigned:
                k += 1
                target = f"out{k}"
        else:
            _check_name(target, target_node, source)
            if target in assigned:
                raise _err(f"'{target}' is assigned twice (first on line {assigned[target]}); "
                           "use a new name", target_node, source)
            if target in first_use:
                line, col = first_use[target]
                raise _err(f"'{target}' is used on line {line} before it is assigned here", target_node, source)
        assigned[target] = stmt.lineno
        text = ast.get_source_segment(source, expr) or ast.unparse(expr)
        statements.append(Statement(target, expr, " ".join(text.split()), stmt.lineno, stmt.col_offset + 1))
    return ParsedProgram(source, statements, inputs, statements[-1].target, first_use)


def _check_name(name, node, source):
    if name.startswith("_"):
        raise _err(f"names starting with '_' are not allowed ('{name}')", node, source)
    if name in FUNCTIONS:
        raise _err(f"'{name}' is a function name; choose another name for a value", node, source)


def _check_expr(expr, source):
    """Walk ``expr`` iteratively, accepting only whitelisted nodes."""
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _err(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node, source)
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _BINOPS:
                raise _err(f"the operator {_BAD_BINOPS.get(op, op.__name__)} is not allowed; "
                           "use + - * / **", node, source)
            if op is ast.Pow:
                k = _constant_value(node.right)
                if k is not None and abs(k) > MAX_EXPONENT:
                    raise _err(f"the exponent {k:g} is too large (at most {MAX_EXPONENT})", node.right, source)
            # a + b + c + ... (or a*b*c*...) is flat, not deep: only a change of operator nests.
            fam = _FAMILY.get(op)
            stack += [(k, depth + (0 if fam and _FAMILY.get(type(getattr(k, "op", None))) == fam
                                   and isinstance(k, ast.BinOp) else 1)) for k in (node.left, node.right)]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise _err("only unary minus and plus are allowed", node, source)
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                kind = "strings" if isinstance(v, (str, bytes)) else f"{type(v).__name__} values"
                raise _err(f"{kind} are not allowed; only numbers", node, source)
            if not abs(v) <= MAX_CONSTANT:
                raise _err(f"the number {str(v)[:20]} is too large (at most {MAX_CONSTANT:g})", node, source)
        elif isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                raise _err("assignment is only allowed at the start of a line", node, source)
            if node.id.startswith("_"):
                _check_name(node.id, node, source)
            if node.id in FUNCTIONS:
                raise _err(f"{node.id} is a function: call it, like {node.id}(x)", node, source)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise _err("only calls of the listed functions are allowed, like sin(x)", node, source)
            name = node.func.id
            if name not in FUNCTIONS:
                raise _err(f"unknown function '{name}'; available: {', '.join(FUNCTIONS)}", node.func, source)
            if node.keywords:
                raise _err(f"{name}() takes no keyword arguments", node, source)
            (lo, hi), _ = FUNCTIONS[name]
            n = len(node.args)
            if not lo <= n <= hi:
                want = f"{lo}" if lo == hi else f"{lo} to {hi}"
                raise _err(f"{name}() takes {want} argument{'s' if hi > 1 else ''}, got {n}", node, source)
            stack += [(a, depth + 1) for a in node.args]
        else:
            what = _DESCRIBE.get(type(node), type(node).__name__)
            raise _err(f"{what} {'are' if what.endswith('s') else 'is'} not allowed in a program", node, source)


def _constant_value(node):
    """The value of a (possibly negated) numeric literal, else None."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return sign * node.value
    return None


def evaluate(expr, env, functions=None):
    """Interpret a checked expression tree with the values in ``env`` (iteratively, no recursion).

    ``env`` maps names to Tensors, arrays or numbers; the operators of the
    values themselves do the work.

    >>> import ast
    >>> float(evaluate(ast.parse("2 + 3*w", mode="eval").body, {"w": 3.0}))
    11.0
    """
    functions = functions or FUNCTIONS
    out = []
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            # float64, not Python numbers: no huge integers, overflow gives inf (caught later).
            out.append(np.float64(node.value))
        elif isinstance(node, ast.Name):
            out.append(env[node.id])
        elif not ready:
            stack.append((node, True))
            kids = ([node.left, node.right] if isinstance(node, ast.BinOp) else
                    [node.operand] if isinstance(node, ast.UnaryOp) else list(node.args))
            stack += [(k, False) for k in reversed(kids)]
        elif isinstance(node, ast.BinOp):
            b, a = out.pop(), out.pop()
            op = type(node.op)
            out.append(a + b if op is ast.Add else a - b if op is ast.Sub else a * b if op is ast.Mult
                       else a / b if op is ast.Div else a ** b)
        elif isinstance(node, ast.UnaryOp):
            a = out.pop()
            out.append(-a if isinstance(node.op, ast.USub) else a)
        else:
            n = len(node.args)
            args = out[len(out) - n:]
            del out[len(out) - n:]
            out.append(functions[node.func.id][1](*args))
    return out[0]


def _as_value(name, v):
    if isinstance(v, Tensor):
        v = v.data
    if isinstance(v, (bool, np.bool_, str)):
        raise ProgramError(f"the value of '{name}' must be a number, got {v!r:.40}")
    try:
        arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ProgramError(f"the value of '{name}' must be a number or a list of numbers, got {v!r:.40}") from None
    return arr


class Program:
    """A parsed program run on the engine: one Tensor per input and per assigned name.

    Make one with :func:`program` (or :func:`retrograd.learn.lesson`).
    ``data`` names inputs that are data, not parameters (shown without a gradient).

    >>> from retrograd.learn import program
    >>> p = program("c = w*x\\nJ = c**2", w=2.0, x=3.0)
    >>> p.values["c"], p.output.item()
    (6.0, 36.0)
    """

    def __init__(self, source, values, data=(), title=None, notes=(), eps=1e-3, name=None):
        self.parsed = source if isinstance(source, ParsedProgram) else parse_program(source)
        self.source = self.parsed.source
        self.data = tuple(data)
        self.title = title
        self.notes = list(notes)
        self.eps = eps
        self.name = name
        parsed = self.parsed
        values = dict(values)
        missing = [n for n in parsed.inputs if n not in values]
        if missing:
            line, col = parsed.first_use[missing[0]]
            raise ProgramError(f"unknown name '{missing[0]}': give it a value, like {missing[0]}=1.0",
                               line, col, self.source)
        extra = [n for n in values if n not in parsed.inputs]
        if extra:
            assigned = {s.target for s in parsed.statements}
            why = "it is computed by the program" if extra[0] in assigned else "the program does not use it"
            raise ProgramError(f"a value was given for '{extra[0]}' but {why}")
        for d in self.data:
            if d not in parsed.inputs:
                raise ProgramError(f"'{d}' is marked as data but is not an input of the program")
        self.inputs = {n: _as_value(n, values[n]) for n in parsed.inputs}
        self.tensors = {}
        for n in parsed.inputs:
            # Every input records the graph (so local derivatives exist for all edges);
            # data inputs are only shown without a gradient.
            self.tensors[n] = tensor(self.inputs[n], requires_grad=True, name=n)
        self.constants = set()
        with np.errstate(all="ignore"):
            for s in parsed.statements:
                v = evaluate(s.expr, self.tensors)
                if not isinstance(v, Tensor):
                    v = tensor(np.asarray(v, dtype=np.float64), name=s.target)
                    self.constants.add(s.target)
                elif any(v is t for t in self.tensors.values()):
                    v = v + 0.0  # an alias (a = w) still gets its own node
                self.tensors[s.target] = v.named(s.target)
        bad = [n for n, t in self.tensors.items() if not np.all(np.isfinite(t.data))]
        if bad:
            s = next((s for s in parsed.statements if s.target == bad[0]), None)
            raise ProgramError(f"'{bad[0]}' is not a finite number ({self.tensors[bad[0]].data}): "
                               "check the inputs (log or sqrt of a negative number? overflow?)",
                               s.line if s else None, s.col if s else None, self.source)
        self._graphs = {}
        self._grads = None

    @property
    def output(self) -> Tensor:
        """The Tensor of the last line."""
        return self.tensors[self.parsed.output]

    @property
    def output_name(self) -> str:
        """The name of the last line's value."""
        return self.parsed.output

    @property
    def values(self) -> dict:
        """Forward values by name (floats for scalar programs, lists for arrays)."""
        return {n: _py(t.data) for n, t in self.tensors.items()}

    def grads(self) -> dict:
        """d(output)/d(name) for every input and intermediate on a path to the output (engine values).

        >>> from retrograd.learn import program
        >>> program("a = 2 + 3*w\\nJ = a**2", w=3.0).grads()
        {'w': 66.0, 'a': 22.0, 'J': 1.0}
        """
        if self._grads is None:
            g = self.graph("assignment")
            self._grads = {n["name"]: n["grad"] for n in g.nodes if n["grad"] is not None}
        return dict(self._grads)

    def graph(self, level: str = "assignment"):
        """The :class:`~retrograd.graph_model.Graph` of this program, one node per assignment or per primitive.

        >>> from retrograd.learn import program
        >>> [n["id"] for n in program("J = (2 + 3*w)**2", w=3.0).graph("primitive").nodes]
        ['w', 'k1', 't1', 'k2', 't2', 'k3', 'J']
        """
        if level not in ("assignment", "primitive"):
            raise ValueError(f"level must be 'assignment' or 'primitive', got {level!r}")
        if level not in self._graphs:
            self._graphs[level] = build_graph(self, level)
        return self._graphs[level]

    def graph_source(self, level: str = "assignment") -> GraphSource:
        """What :func:`~retrograd.learn.extract.build_graph` reads to draw this program: its lines'
        tensors and text, which inputs are data, its title and notes. A one-line program is drawn
        at the primitive level (backpropagation goes through the operations of its one formula).

        >>> from retrograd.learn import program
        >>> s = program("a = 2 + 3*w\\nJ = a**2", w=3.0).graph_source()
        >>> s.formulas, s.level
        ({'a': '2 + 3*w', 'J': 'a**2'}, None)
        >>> program("J = (2 + 3*w)**2", w=3.0).graph_source().level
        'primitive'
        """
        statements = self.parsed.statements
        forced = None
        if level == "assignment" and len(statements) == 1:
            node = self.tensors[statements[0].target].grad_fn
            if node is not None and any(isinstance(a, Tensor) and a.grad_fn is not None
                                        for a in node.inputs or ()):
                forced = "primitive"
        return GraphSource(
            output=self.output, roots=[self.tensors[s.target] for s in statements],
            extra_roots=[self.tensors[n] for n in self.parsed.inputs],
            formulas={s.target: s.text for s in statements}, data=set(self.data), consts=set(self.constants),
            source=self.source, title=self.title, notes=list(self.notes), eps=self.eps,
            inputs={n: _py(v) for n, v in self.inputs.items()}, level=forced)

    def explain(self, lang: str = "en", level: str = "assignment", eps=None, verbose: bool = False, digits=None):
        """The step-by-step explanation (see :func:`retrograd.learn.explain`).

        >>> from retrograd.learn import program
        >>> "66" in str(program("J = (2 + 3*w)**2", w=3.0).explain())
        True
        """
        tr(lang, "program")
        g = self.graph(level) if eps is None or eps == self.eps else build_graph(self, level, eps)
        return Explanation(g, lang, verbose=verbose, digits=digits)

    def _repr_svg_(self):
        return self.graph().to_svg()

    def __repr__(self):
        vals = ", ".join(f"{k}={_py(v)}" for k, v in self.inputs.items())
        return f"Program({self.source!r}, {vals})"


def _py(a):
    a = np.asarray(a)
    return float(a) if a.size == 1 and a.ndim == 0 else a.tolist()


def program(source: str, /, **values) -> Program:
    """Parse ``source`` and run it on the engine with the given input values.

    >>> from retrograd.learn import program
    >>> p = program("f0 = beta0 + omega0*x\\nl = (sin(f0) - y)**2", beta0=1.0, omega0=0.1, x=2.3, y=2.0)
    >>> round(p.values["f0"], 3)
    1.23
    """
    return Program(source, values)
