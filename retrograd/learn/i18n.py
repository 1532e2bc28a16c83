"""The texts of the explanations, in English and Spanish (the course notebooks come in both).

>>> from retrograd.learn.i18n import tr
>>> tr("es", "forward")
'Propagación hacia delante (de izquierda a derecha)'
"""

from __future__ import annotations

LANGS = ("en", "es")

TEXTS = {
    "en": {
        "program": "Program",
        "forward": "Forward pass (left to right)",
        "backward": "Backward pass (right to left)",
        "node": "node",
        "formula": "formula",
        "value": "value",
        "grad": "gradient",
        "input": "input",
        "data": "input (data)",
        "const": "constant",
        "start": "Start at the output: {d} = 1.",
        "node_head": "Node {name} = {formula}",
        "upstream": "upstream gradient {d} = {v}",
        "local": "local derivative {d} = {formula}{v}",
        "chain": "chain rule: {d} = {local} × {up} = {a} × {b} = {v}",
        "local_vec": "local derivative {d} (arrays: summed over the elements of {t}) = {formula}{v}",
        "chain_vec": "chain rule for arrays, a vector-Jacobian product: {d} ← ({local})ᵀ · {up} = {v}",
        "chain_part": "chain rule, path through {via}: {local} × {up} = {a} × {b} = {v}",
        "sum": "{name} feeds {k} nodes, so the contributions add up: {d} = {terms} = {v}",
        "data_edge": "{name} is data, not a parameter: no gradient is propagated to it",
        "const_edge": "{name} is a constant: no gradient",
        "unused": "{name} is not on a path to {out}: it gets no gradient",
        "check_local": "check {d}: arithmetically ({f}({s}+ε) − {f}({s}))/ε = ({fp} − {f0})/{eps} = {k} "
                       "(bias {bias}); central difference {c}",
        "check_grad": "check {d}: arithmetically ({out}({s}+ε) − {out}({s}))/ε = ({fp} − {f0})/{eps} = {k} "
                      "(bias {bias}); central difference {c}",
        "sympy_local": "SymPy: diff({expr}, {s}) = {formula} → {v}",
        "sympy_grad": "SymPy, chain rule symbolically: {d} = {formula} → {v}",
        "agree": "✓",
        "disagree": "✗ does not match the engine",
        "summary": "Gradients",
        "param_grads": "of the output with respect to each parameter",
        "eps": "ε = {eps}",
        "nosym": "symbolic checks need SymPy: pip install 'retrograd[learn]'",
        "notes": "Notes",
        "not_scalar": "the values are arrays: gradients are those of the sum of the output's elements, and "
                      "finite-difference checks are shown for scalar programs only",
        "level_primitive": "one node per primitive operation",
        "level_assignment": "one node per named value",
        "graph": "Graph",
    },
    "es": {
        "program": "Programa",
        "forward": "Propagación hacia delante (de izquierda a derecha)",
        "backward": "Propagación hacia atrás (de derecha a izquierda)",
        "node": "nodo",
        "formula": "fórmula",
        "value": "valor",
        "grad": "gradiente",
        "input": "entrada",
        "data": "entrada (dato)",
        "const": "constante",
        "start": "Empezamos por la salida: {d} = 1.",
        "node_head": "Nodo {name} = {formula}",
        "upstream": "gradiente que llega {d} = {v}",
        "local": "derivada local {d} = {formula}{v}",
        "chain": "regla de la cadena: {d} = {local} × {up} = {a} × {b} = {v}",
        "local_vec": "derivada local {d} (arrays: sumada sobre los elementos de {t}) = {formula}{v}",
        "chain_vec": "regla de la cadena para arrays, un producto vector-jacobiano: {d} ← ({local})ᵀ · {up} = {v}",
        "chain_part": "regla de la cadena, camino por {via}: {local} × {up} = {a} × {b} = {v}",
        "sum": "{name} alimenta {k} nodos, así que las contribuciones se suman: {d} = {terms} = {v}",
        "data_edge": "{name} es un dato, no un parámetro: no se le propaga gradiente",
        "const_edge": "{name} es una constante: sin gradiente",
        "unused": "{name} no está en ningún camino hacia {out}: no recibe gradiente",
        "check_local": "comprobación de {d}: aritméticamente ({f}({s}+ε) − {f}({s}))/ε = ({fp} − {f0})/{eps} = {k} "
                       "(sesgo {bias}); diferencia central {c}",
        "check_grad": "comprobación de {d}: aritméticamente ({out}({s}+ε) − {out}({s}))/ε = ({fp} − {f0})/{eps} "
                      "= {k} (sesgo {bias}); diferencia central {c}",
        "sympy_local": "SymPy: diff({expr}, {s}) = {formula} → {v}",
        "sympy_grad": "SymPy, regla de la cadena simbólica: {d} = {formula} → {v}",
        "agree": "✓",
        "disagree": "✗ no coincide con el motor",
        "summary": "Gradientes",
        "param_grads": "de la salida con respecto a cada parámetro",
        "eps": "ε = {eps}",
        "nosym": "las comprobaciones simbólicas necesitan SymPy: pip install 'retrograd[learn]'",
        "notes": "Notas",
        "not_scalar": "los valores son arrays: los gradientes son los de la suma de los elementos de la salida, "
                      "y las comprobaciones por diferencias finitas solo se muestran para programas escalares",
        "level_primitive": "un nodo por operación primitiva",
        "level_assignment": "un nodo por valor con nombre",
        "graph": "Grafo",
    },
}


def tr(lang: str, key: str, **kw) -> str:
    """The text ``key`` in ``lang`` ("en" or "es"), formatted with ``kw``.

    >>> from retrograd.learn.i18n import tr
    >>> tr("en", "start", d="∂J/∂J")
    'Start at the output: ∂J/∂J = 1.'
    """
    if lang not in TEXTS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    text = TEXTS[lang][key]
    return text.format(**kw) if kw else text
