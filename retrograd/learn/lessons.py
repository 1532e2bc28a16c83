"""Built-in lessons: the course notebooks' computation graphs, with their values.

* ``coursera-nw0``: Coursera ML Specialization C2 W2 optional lab, J = (2 + 3w)^2 at w = 3;
* ``coursera-nw1``: the same lab's neural-network graph, J = (wx + b - y)^2 / 2;
* ``udl-7.1``: Understanding Deep Learning notebook 7.1, the toy model
  f = beta3 + omega3 cos(beta2 + omega2 exp(beta1 + omega1 sin(beta0 + omega0 x))),
  squared loss;
* ``romaintha-111``: the 1-1-1 sigmoid network with squared error of romaintha's
  backpropagation notebook (the seed stops before printing numbers: the values
  here are our own, documented in the lesson).

>>> from retrograd.learn import lessons, lesson
>>> [l.name for l in lessons()]
['coursera-nw0', 'coursera-nw1', 'udl-7.1', 'romaintha-111']
>>> lesson("coursera-nw1").grads()["w"]
6.0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .program import Program


@dataclass(frozen=True)
class Lesson:
    """A lesson descriptor: name, titles (English, Spanish), program source, input values.

    ``data`` are the inputs that are data rather than parameters (drawn without a
    gradient); ``eps`` is the finite-difference step the notebook uses.
    Items can also be read as ``lesson["name"]``.

    >>> from retrograd.learn import lessons
    >>> lessons()[0]["title_en"]
    'Coursera lab: J = (2 + 3w)^2'
    """
    name: str
    title_en: str
    title_es: str
    source: str
    values: dict
    data: tuple = ()
    eps: float = 1e-3
    notes_en: tuple = ()
    notes_es: tuple = ()
    origin: str = ""
    extra: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return getattr(self, key)

    def to_dict(self) -> dict:
        """A plain dict of the descriptor (JSON-ready).

        >>> from retrograd.learn import lessons
        >>> lessons()[0].to_dict()["values"]
        {'w': 3.0}
        """
        d = asdict(self)
        d["data"] = list(self.data)
        d["notes_en"], d["notes_es"] = list(self.notes_en), list(self.notes_es)
        return d

    def program(self, lang: str = "en") -> Program:
        """This lesson as a :class:`~retrograd.learn.program.Program`.

        >>> from retrograd.learn import lessons
        >>> lessons()[0].program().output.item()
        121.0
        """
        title = self.title_es if lang == "es" else self.title_en
        notes = self.notes_es if lang == "es" else self.notes_en
        return Program(self.source, self.values, data=self.data, title=title, notes=notes, eps=self.eps,
                       name=self.name)


_LESSONS = [
    Lesson(
        name="coursera-nw0",
        title_en="Coursera lab: J = (2 + 3w)^2",
        title_es="Laboratorio de Coursera: J = (2 + 3w)^2",
        source="a = 2 + 3*w\nJ = a**2",
        values={"w": 3.0},
        origin="Coursera Machine Learning Specialization, C2 W2, optional lab "
               "'Back propagation using a computation graph' (network 0)",
    ),
    Lesson(
        name="coursera-nw1",
        title_en="Coursera lab: a simple neural network, J = (wx + b - y)^2 / 2",
        title_es="Laboratorio de Coursera: una red neuronal simple, J = (wx + b - y)^2 / 2",
        source="c = w*x\na = c + b\nd = a - y\nJ = d**2/2",
        values={"x": 2.0, "w": -2.0, "b": 8.0, "y": 1.0},
        data=("x", "y"),
        notes_en=("x and y are data, not parameters: as in the lab, we do not back-propagate to them.",),
        notes_es=("x e y son datos, no parámetros: como en el laboratorio, no retropropagamos hacia ellos.",),
        origin="Coursera Machine Learning Specialization, C2 W2, optional lab (network 1)",
    ),
    Lesson(
        name="udl-7.1",
        title_en="Understanding Deep Learning 7.1: backpropagation in a toy model",
        title_es="Understanding Deep Learning 7.1: backpropagation en un modelo de juguete",
        source=("f0 = beta0 + omega0*x\n"
                "h1 = sin(f0)\n"
                "f1 = beta1 + omega1*h1\n"
                "h2 = exp(f1)\n"
                "f2 = beta2 + omega2*h2\n"
                "h3 = cos(f2)\n"
                "f3 = beta3 + omega3*h3\n"
                "l = (f3 - y)**2"),
        values={"beta0": 1.0, "omega0": 0.1, "x": 2.3, "beta1": 2.0, "omega1": -0.4, "beta2": -3.0,
                "omega2": 2.0, "beta3": 0.4, "omega3": 3.0, "y": 2.0},
        data=("x", "y"),
        eps=1e-5,
        notes_en=("The notebook's own answer cell computes dl/dbeta1 from dl/df2 (a slip) and prints "
                  "-1.683; the correct value, printed there as the true one, is dl/dbeta1 = dl/df1 = -17.060.",),
        notes_es=("La celda de solución del cuaderno calcula dl/dbeta1 a partir de dl/df2 (un desliz) e "
                  "imprime -1.683; el valor correcto, el que el cuaderno da como verdadero, es "
                  "dl/dbeta1 = dl/df1 = -17.060.",),
        origin="Prince, Understanding Deep Learning, notebook 7.1 (Spanish translation in the course)",
    ),
    Lesson(
        name="romaintha-111",
        title_en="A 1-1-1 sigmoid network with squared error",
        title_es="Una red 1-1-1 con sigmoides y error cuadrático",
        source=("z1 = x*w1 + b1\n"
                "h = sigmoid(z1)\n"
                "z2 = h*w2 + b2\n"
                "y = sigmoid(z2)\n"
                "L = (y - y_T)**2/2"),
        values={"x": 0.5, "w1": 0.8, "b1": 0.1, "w2": -1.2, "b2": 0.3, "y_T": 1.0},
        data=("x", "y_T"),
        notes_en=("h = sigmoid(x w1 + b1), y = sigmoid(h w2 + b2), L = (y - y_T)^2 / 2. The notebook does not "
                  "print numbers for this network; these example values are ours (x = 0.5, w1 = 0.8, b1 = 0.1, "
                  "w2 = -1.2, b2 = 0.3, y_T = 1).",),
        notes_es=("h = sigmoid(x w1 + b1), y = sigmoid(h w2 + b2), L = (y - y_T)^2 / 2. El cuaderno no imprime "
                  "números para esta red; estos valores de ejemplo son nuestros (x = 0.5, w1 = 0.8, b1 = 0.1, "
                  "w2 = -1.2, b2 = 0.3, y_T = 1).",),
        origin="romaintha/backpropagation, Backpropagation.ipynb (Spanish translation in the course)",
    ),
]


def lessons() -> list:
    """The built-in lessons, in course order.

    >>> from retrograd.learn import lessons
    >>> lessons()[2].name
    'udl-7.1'
    """
    return list(_LESSONS)


def lesson(name: str, lang: str = "en") -> Program:
    """The lesson ``name`` as a ready-to-explain Program.

    >>> from retrograd.learn import lesson
    >>> round(lesson("udl-7.1").output.item(), 3)
    0.139
    """
    for les in _LESSONS:
        if les.name == name:
            return les.program(lang)
    raise KeyError(f"no lesson {name!r}; lessons: {', '.join(les.name for les in _LESSONS)}")
