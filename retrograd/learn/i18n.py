"""Every user-facing string of the learning layer, one catalogue per language (English, Spanish).

The explanations, the SVG, the command line and the web lab all read these two
catalogues (the lab gets the ``lab.*`` keys in its page data), so a text is
written once per language. ``tests/test_learn_i18n.py`` checks that both have the
same keys and the same ``{placeholders}``, and that no English text shows in Spanish.

Notation (the same in every view and both languages)
----------------------------------------------------
* ``∂f/∂x`` is the **local derivative** of node ``f`` with respect to its input ``x``,
  the other inputs of ``f`` held fixed (a partial derivative, written on the edge x → f);
* ``dJ/dx`` is the **gradient** of the output ``J`` with respect to ``x``, through every
  path from ``x`` to ``J`` (a total derivative, written in the box of node ``x``).

The chain rule then reads ``dJ/dx = ∂f/∂x × dJ/df`` (summed over the consumers ``f`` of ``x``),
and never uses one symbol for both.

>>> tr("es", "forward")
'Propagación hacia delante (de izquierda a derecha)'
>>> local_d("f", "x"), grad_d("J", "x")
('∂f/∂x', 'dJ/dx')
"""

from __future__ import annotations

import re
from typing import Any

LANGS = ("en", "es")


def local_d(target: str, source: str) -> str:
    """The local derivative of node ``target`` with respect to its input ``source``.

    >>> local_d("c", "w")
    '∂c/∂w'
    """
    return f"∂{target}/∂{source}"


def grad_d(out: str, name: str) -> str:
    """The gradient of the output ``out`` with respect to node ``name`` (through every path).

    >>> grad_d("J", "w")
    'dJ/dw'
    """
    return f"d{out}/d{name}"


TEXTS = {
    "en": {
        # --- explanation (text, Markdown, HTML)
        "program": "Program",
        "forward": "Forward pass (left to right)",
        "backward": "Backward pass, backpropagation (right to left)",
        "node": "node",
        "formula": "formula",
        "value": "value",
        "grad": "gradient",
        "input": "input",
        "data": "input (data)",
        "const": "constant",
        "notation": "Notation: ∂{f}/∂x is the local derivative of a node {f} with respect to its input x "
                    "(other inputs fixed); d{out}/dx is the gradient of the output {out} with respect to x "
                    "(all paths).",
        "start": "Start at the output: {d} = 1 (the derivative of the output with respect to itself).",
        "node_head": "Node {name} = {formula}",
        "upstream": "upstream gradient {d} = {v}",
        "local": "local derivative {d} = {formula}{v}",
        "chain": "chain rule: {d} = {local} × {up} = {a} × {b} = {v}",
        "local_vec": "local derivative {d} (arrays: summed over the elements of {t}) = {formula}{v}",
        "chain_vec": "chain rule for arrays, a vector-Jacobian product: {d} ← ({local})ᵀ · {up} = {v}",
        "chain_part": "chain rule, path through {via}: {local} × {up} = {a} × {b} = {v}",
        "sum": "{name} feeds {k} nodes ({names}), so the contributions of all paths add up: {d} = {terms} = {v}",
        "data_edge": "{name} is data, not a parameter: no gradient is propagated to it",
        "const_edge": "{name} is a constant: no gradient",
        "unused": "{name} is not on a path to {out}: it gets no gradient",
        "check_local": "check {d}: forward difference ({f}({s}+ε) − {f}({s}))/ε = ({fp} − {f0})/{eps} = {k} "
                       "(truncation error {bias}); central difference {c}",
        "check_grad": "check {d}: forward difference ({out}({s}+ε) − {out}({s}))/ε = ({fp} − {f0})/{eps} = {k} "
                      "(truncation error {bias}); central difference {c}",
        "kink": "{f} has a kink at {s} = {at}: no derivative there (left difference {l}, right difference {r}); "
                "the engine uses the convention {v}",
        "sympy_local": "SymPy: diff({expr}, {s}) = {formula} → {v}",
        "sympy_grad": "SymPy, chain rule symbolically: {d} = {formula} → {v}",
        "agree": "✓",
        "disagree": "✗ does not match the engine",
        "summary": "Gradients",
        "param_grads": "of the output with respect to each parameter",
        "grads_line": "Gradients of {out}: {items}",
        "checks_ok": "✓ {n} checks passed: every local derivative and gradient agrees with finite differences "
                     "and SymPy (--verbose shows them)",
        "checks_none": "no checks: finite differences are shown for scalar programs only",
        "checks_bad": "✗ {k} of {n} checks failed:",
        "eps": "ε = {eps}",
        "nosym": "symbolic checks need SymPy: pip install 'retrograd[learn]'",
        "notes": "Notes",
        "not_scalar": "the values are arrays: gradients are those of the sum of the output's elements, and "
                      "finite-difference checks are shown for scalar programs only",
        "one_line": "a program of one line is drawn one node per operation: backpropagation works through "
                    "each operation, not through the whole formula at once",
        "not_finite": "{d} is not finite at these values ({v}): the function has no derivative there",
        "sym_too_long": "symbolic chain-rule formulas longer than {n} operations are not shown (from {name} "
                        "leftwards); every local derivative is still checked with SymPy",
        "budget_symbolic": "this graph is large: SymPy formulas and checks were skipped past its {s} s time "
                           "budget (the engine's values and gradients are all there)",
        "budget_fd": "this graph is large: {n} of {total} finite-difference checks were skipped to keep it "
                     "fast (their cost grows with the square of its size)",
        "replayed": "the inputs changed since this graph's forward pass (an optimizer step?): the values shown "
                    "are recomputed from the inputs as they are now",
        "layers_title": "Layers as matrices: a 2-3-1 sigmoid network",
        "layers_note": "seed 001's network, one example, our values: each layer is one node z = W a + b, and its "
                       "local derivatives are matrices: ∂z/∂a = W, ∂z/∂W_ij = a_j, ∂a/∂z = diag(σ'(z))",
        "layers_param": "parameter ({shape})",
        "layers_forward": "Forward pass, one layer at a time",
        "layers_backward": "Backward pass: the delta rule",
        "layers_notation": "dL/dz is a vector with one entry per unit of the layer; * is elementwise; "
                           "σ'(z) = σ(z)(1 − σ(z))",
        "layers_delta_out": "dL/dz2 = dL/dy * σ'(z2) = {dy} * {s} = {v}",
        "layers_delta": "dL/dz1 = (W2ᵀ dL/dz2) * σ'(z1) = {da} * {s} = {v}",
        "layers_shape": "a {shape} matrix, the shape of the weights",
        "layers_checks": "the delta rule agrees with the engine's backward pass (largest difference {e1}) and with "
                         "centred finite differences on all {n} parameters, entry by entry (ε = {eps}; largest "
                         "difference {e2})",
        "lab_code_missing": "The lab's code comes with the first lab output of this notebook, which is not "
                            "here (cleared?): run this cell again with rg.learn.lab(..., share_code=False).",
        "relu_step": "step(z) is 1 for z > 0 and 0 otherwise: relu'(0) = 0, the engine's convention",
        "level_primitive": "one node per primitive operation",
        "level_assignment": "one node per named value",
        "graph": "Graph",
        # --- SVG
        "svg_input": "input",
        "svg_const": "constant",
        "svg_data": "data",
        # --- command line
        "cli_wrote": "wrote {path}",
        "cli_no_lesson": "no lesson {name}; lessons: {names}",
        "cli_give_program": 'give a program (e.g. "J = (2 + 3*w)**2" --at w=3) or --lesson NAME',
        # --- program errors (ProgramError messages, matched and translated by translate_error)
        "err_line": "line {line}, column {col}: {msg}",
        "err_unknown_name": "unknown name '{name}': give it a value, like {name2}=1.0",
        "err_syntax": "syntax error: {msg}",
        "err_invalid_syntax": "invalid syntax",
        "err_never_closed": "'{p}' was never closed",
        "err_unmatched": "unmatched '{p}'",
        "err_not_finite": "'{name}' is not a finite number ({v}): check the inputs (log or sqrt of a negative "
                          "number? overflow?)",
        "err_empty": "the program is empty: write an expression like (2 + 3*w)**2",
        "err_unknown_function": "unknown function '{name}'; available: {names}",
        "err_not_allowed": "{what} is not allowed in a program",
        "err_not_allowed_pl": "{what} are not allowed in a program",
        "err_value_number": "the value of '{name}' must be a number, got {v}",
        "err_extra_value": "a value was given for '{name}' but {why}",
        "err_assigned_twice": "'{name}' is assigned twice (first on line {line}); give the new value a new name",
        "err_used_before": "'{name}' is used on line {line} before it is assigned here",
        "err_not_number": "--at {name}: {v} is not a number",
        "err_at_syntax": "--at expects NAME=VALUE, got {v}",
        # --- the web lab (shipped to the page as data.strings[lang])
        "lab.title": "retrograd lab",
        "lab.subtitle": "Fill in the computation graph: forward values left to right (blue), then derivatives "
                        "right to left (green). ∂f/∂x on an edge is a local derivative; d{out}/dx in a node is the "
                        "gradient of the output {out}.",
        "lab.lesson": "Lesson", "lab.custom": "Your own program", "lab.level": "Boxes",
        "lab.assignment": "one per line", "lab.primitive": "one per operation",
        "lab.program": "Program (one assignment per line)", "lab.values": "Input values", "lab.build": "Build graph",
        "lab.reveal": "Reveal all", "lab.hide": "Hide answers", "lab.reset": "Reset", "lab.newvals": "New values",
        "lab.share": "Copy link",
        "lab.copied": "Link to this exercise copied (without your answers)",
        "lab.copyManual": "Copy this link by hand (this page is embedded and has no address of its own)",
        "lab.correctOf": "correct", "lab.lang": "Español",
        "lab.legendValue": "forward value", "lab.legendDeriv": "derivative", "lab.legendWrong": "wrong",
        "lab.legendInvalid": "not a number",
        "lab.value": "value", "lab.given": "given", "lab.hint": "Hint", "lab.fd": "Finite difference",
        "lab.fdNA": "Finite difference not available for this box.",
        "lab.fdResult": "Finite difference (centred, h = {h}): {v}",
        "lab.pickBox": "Click a box (or press Tab) to work on it. Answers accept 4.5, 4,5, .5, -3, 9/2, 2*11.",
        "lab.correct": "Correct.",
        "lab.invalid": "Not a number I can read. Use digits, a decimal point or comma, / for fractions, "
                       "+ - * ^ for arithmetic.",
        "lab.valueHint": "Forward value of {n}: {n} = {f}",
        "lab.valueHintInput": "{n} is an input: its value is given.",
        "lab.localHint": "Local derivative {lbl}: how {t} changes when {s} changes a little, everything else "
                         "fixed. Here {lbl} = {f}.",
        "lab.localHintNoFormula": "Local derivative {lbl}: how {t} changes when {s} changes a little, "
                                  "everything else fixed.",
        "lab.gradHintOut": "{d}: the derivative of the output with respect to itself is 1.",
        "lab.gradHint": "Chain rule: {d} = {terms}",
        "lab.hintRule": "Which rule: the forward value comes from the node's formula; a local derivative "
                        "from differentiating one node; a gradient d{out}/dx from the chain rule.",
        "lab.hintButton": "Hint",
        "lab.hintMore": "More help",
        "lab.hintNumbers": "With the numbers: {v}",
        "lab.complete": "All boxes are right. Well done!",
        "lab.confirmClear": "This clears your answers. Continue?",
        "lab.wrongValue": "Not the forward value of {n}. Compute {n} = {f} from the values to its left.",
        "lab.wrongLocal": "Not {lbl}. Differentiate {t} = {f} with respect to {s} only.",
        "lab.wrongGrad": "Not {d}. Multiply each local derivative by the gradient of the node it feeds, and "
                         "add: {terms}",
        "lab.slipSign": "The size is right, but the sign is not.",
        "lab.slipUpstream": "Wrong upstream gradient: this is {lbl} · {used}, but {n} feeds {m}, so multiply "
                            "by {needed}.",
        "lab.slipUpstreamFan": "Wrong upstream gradient on the path through {m}: {lbl} multiplies {needed}, not "
                               "{used}. {n} feeds {count} nodes ({names}), and the contributions of all paths add "
                               "up: {terms}",
        "lab.slipForgotLocalFan": "You forgot the local derivatives: multiply each upstream gradient by its local "
                                  "derivative. {n} feeds {count} nodes ({names}), and the contributions of all paths "
                                  "add up: {terms}",
        "lab.slipForgotLocal": "You forgot the local derivative: {used} alone is the gradient arriving from {m}; "
                               "multiply it by {lbl}.",
        "lab.slipForward": "That is the forward value of {k}, not a gradient. Use {needed} instead of {k}.",
        "lab.slipForwardSelf": "That is the forward value of {n}; this box wants the gradient {d}.",
        "lab.slipOnePath": "That is only the path through {via}. {n} feeds {count} nodes ({names}): the "
                           "contributions of all paths add up: {terms}",
        "lab.slipLocalIsValue": "That is the forward value of {k}, not the local derivative {lbl}.",
        "lab.slipLocalIsGrad": "That is the gradient {used}; the local derivative {lbl} is only how {t} "
                               "depends on {s}.",
        "lab.slipValueIsGrad": "That is the gradient {d}, not the forward value of {n}.",
        "lab.programError": "Error in your program",
        "lab.lineCol": "line {l}, column {c}",
        "lab.offlineNoServer": "This offline file cannot build new programs; run `retrograd lab` for that.",
        "lab.offlineVariants": "Offline file: switching between the value sets stored in it.",
        "lab.readonlyNote": "inputs are given",
        "lab.boxes": "boxes",
        "lab.fdButton": "Check with a finite difference",
        "lab.revealNote": "Answers revealed.",
        "lab.answerIs": "answer: {v}",
        "lab.emptyProgram": "Write a program first.",
        "lab.badValues": "Input values must look like  x = 2, w = -2",
        "lab.mistakes": "To fix",
        "lab.tolerance": "An answer counts as correct when it is off by at most 0.005 and at most 1 %.",
        "lab.loading": "Building…",
        "lab.keptPrevious": "The previous graph is kept.",
        "lab.wrongEntry": "Not {d}. In a layer z = W a + b: dL/dz = (Wᵀ dL/dz_next) * σ'(z), and each entry "
                          "dL/dW[i,j] = dL/dz[i] · a[j] (dL/dW = dL/dz aᵀ); dL/db = dL/dz.",
        "lab.entryHint": "The delta rule: dL/dz = (Wᵀ dL/dz_next) * σ'(z) entry by entry; dL/dW[i,j] = dL/dz[i] · "
                         "a[j]; dL/db[i] = dL/dz[i].",
        "lab.entryValueHint": "Row by row: z[i] = Σ_j W[i,j] a[j] + b[i]; sigmoid acts on each entry.",
        "lab.walkTitle": "Backward pass, step by step",
        "lab.walkStep": "Step",
        "lab.walkPlay": "Play",
        "lab.walkPause": "Pause",
        "lab.walkAgain": "Start again",
        "lab.walkDone": "The backward pass is complete: every gradient is known.",
        "lab.tabGraph": "Graph", "lab.tabCode": "Code",
        "lab.codeNote": "The forward and backward pass of this program as the Python code rg.jit generates: one "
                        "line per operation, a comment above the lines of each backward rule, then the call with "
                        "the values above and what it returns. It runs on its own: copy it into Python.",
        "lab.codeCopy": "Copy code", "lab.codeCopied": "Code copied.",
        "lab.codeCopyManual": "The code is selected: press Ctrl+C (or ⌘C) to copy it.",
        "lab.codeNone": "No code for this graph ({why}).",
    },
    "es": {
        "program": "Programa",
        "forward": "Propagación hacia delante (de izquierda a derecha)",
        "backward": "Retropropagación (de derecha a izquierda)",
        "node": "nodo",
        "formula": "fórmula",
        "value": "valor",
        "grad": "gradiente",
        "input": "entrada",
        "data": "entrada (dato)",
        "const": "constante",
        "notation": "Notación: ∂{f}/∂x es la derivada local de un nodo {f} respecto a su entrada x (las demás "
                    "entradas fijas); d{out}/dx es el gradiente de la salida {out} respecto a x "
                    "(por todos los caminos).",
        "start": "Empezamos por la salida: {d} = 1 (la derivada de la salida respecto a sí misma es 1).",
        "node_head": "Nodo {name} = {formula}",
        "upstream": "gradiente entrante {d} = {v}",
        "local": "derivada local {d} = {formula}{v}",
        "chain": "regla de la cadena: {d} = {local} × {up} = {a} × {b} = {v}",
        "local_vec": "derivada local {d} (arrays: sumada sobre los elementos de {t}) = {formula}{v}",
        "chain_vec": "regla de la cadena para arrays, un producto vector-jacobiano: {d} ← ({local})ᵀ · {up} = {v}",
        "chain_part": "regla de la cadena, camino por {via}: {local} × {up} = {a} × {b} = {v}",
        "sum": "{name} interviene en {k} nodos ({names}), así que las contribuciones de todos los caminos se "
               "suman: {d} = {terms} = {v}",
        "data_edge": "{name} es un dato, no un parámetro: no se le propaga gradiente",
        "const_edge": "{name} es una constante: sin gradiente",
        "unused": "{name} no está en ningún camino hacia {out}: no recibe gradiente",
        "check_local": "comprobación de {d}: diferencia hacia delante ({f}({s}+ε) − {f}({s}))/ε = ({fp} − {f0})/{eps} "
                       "= {k} (error de truncamiento {bias}); diferencia centrada {c}",
        "check_grad": "comprobación de {d}: diferencia hacia delante ({out}({s}+ε) − {out}({s}))/ε = ({fp} − {f0})/"
                      "{eps} = {k} (error de truncamiento {bias}); diferencia centrada {c}",
        "kink": "{f} tiene un punto anguloso en {s} = {at}: ahí no hay derivada (diferencia por la izquierda {l}, "
                "por la derecha {r}); el motor usa la convención {v}",
        "sympy_local": "SymPy: diff({expr}, {s}) = {formula} → {v}",
        "sympy_grad": "SymPy, regla de la cadena simbólica: {d} = {formula} → {v}",
        "agree": "✓",
        "disagree": "✗ no coincide con el motor",
        "summary": "Gradientes",
        "param_grads": "de la salida respecto a cada parámetro",
        "grads_line": "Gradientes de {out}: {items}",
        "checks_ok": "✓ {n} comprobaciones correctas: cada derivada local y cada gradiente coinciden con las "
                     "diferencias finitas y con SymPy (--verbose las muestra)",
        "checks_none": "sin comprobaciones: las diferencias finitas solo se muestran para programas escalares",
        "checks_bad": "✗ fallan {k} de {n} comprobaciones:",
        "eps": "ε = {eps}",
        "nosym": "las comprobaciones simbólicas necesitan SymPy: pip install 'retrograd[learn]'",
        "notes": "Notas",
        "not_scalar": "los valores son arrays: los gradientes son los de la suma de los elementos de la salida, "
                      "y las comprobaciones por diferencias finitas solo se muestran para programas escalares",
        "one_line": "un programa de una sola línea se dibuja con un nodo por operación: la retropropagación "
                    "recorre cada operación, no la fórmula entera de una vez",
        "not_finite": "{d} no es finito con estos valores ({v}): la función no tiene derivada ahí",
        "sym_too_long": "no se muestran las fórmulas simbólicas de la regla de la cadena de más de {n} operaciones "
                        "(de {name} hacia la izquierda); cada derivada local se sigue comprobando con SymPy",
        "budget_symbolic": "este grafo es grande: las fórmulas y comprobaciones de SymPy se omitieron al pasar "
                           "su presupuesto de {s} s (los valores y gradientes del motor están todos)",
        "budget_fd": "este grafo es grande: se omitieron {n} de {total} comprobaciones por diferencias finitas "
                     "para que sea rápido (su coste crece con el cuadrado de su tamaño)",
        "replayed": "las entradas cambiaron desde la propagación hacia delante de este grafo (¿un paso del "
                    "optimizador?): los valores mostrados se recalculan con las entradas actuales",
        "layers_title": "Capas como matrices: una red sigmoide 2-3-1",
        "layers_note": "la red del cuaderno 001, un solo ejemplo, valores nuestros: cada capa es un nodo z = W a + b, "
                       "y sus derivadas locales son matrices: ∂z/∂a = W, ∂z/∂W_ij = a_j, ∂a/∂z = diag(σ'(z))",
        "layers_param": "parámetro ({shape})",
        "layers_forward": "Propagación hacia delante, capa a capa",
        "layers_backward": "Retropropagación: la regla delta",
        "layers_notation": "dL/dz es un vector con una entrada por unidad de la capa; * es elemento a elemento; "
                           "σ'(z) = σ(z)(1 − σ(z))",
        "layers_delta_out": "dL/dz2 = dL/dy * σ'(z2) = {dy} * {s} = {v}",
        "layers_delta": "dL/dz1 = (W2ᵀ dL/dz2) * σ'(z1) = {da} * {s} = {v}",
        "layers_shape": "una matriz {shape}, la forma de los pesos",
        "layers_checks": "la regla delta coincide con la retropropagación del motor (mayor diferencia {e1}) y con "
                         "diferencias finitas centradas en los {n} parámetros, entrada a entrada (ε = {eps}; mayor "
                         "diferencia {e2})",
        "lab_code_missing": "El código del laboratorio viene con la primera salida de laboratorio de este "
                            "cuaderno, que no está (¿borrada?): vuelve a ejecutar esta celda con "
                            "rg.learn.lab(..., share_code=False).",
        "relu_step": "step(z) vale 1 si z > 0 y 0 en otro caso: relu'(0) = 0, la convención del motor",
        "level_primitive": "un nodo por operación primitiva",
        "level_assignment": "un nodo por valor con nombre",
        "graph": "Grafo",
        "svg_input": "entrada",
        "svg_const": "constante",
        "svg_data": "dato",
        "cli_wrote": "escrito {path}",
        "cli_no_lesson": "no hay ninguna lección {name}; lecciones: {names}",
        "cli_give_program": 'escribe un programa (p. ej. "J = (2 + 3*w)**2" --at w=3) o --lesson NOMBRE',
        "err_line": "línea {line}, columna {col}: {msg}",
        "err_unknown_name": "nombre desconocido '{name}': dale un valor, como {name2}=1.0",
        "err_syntax": "error de sintaxis: {msg}",
        "err_invalid_syntax": "sintaxis no válida",
        "err_never_closed": "falta cerrar '{p}'",
        "err_unmatched": "'{p}' sin pareja",
        "err_not_finite": "'{name}' no es un número finito ({v}): revisa las entradas (¿log o sqrt de un "
                          "número negativo? ¿desbordamiento?)",
        "err_empty": "el programa está vacío: escribe una expresión como (2 + 3*w)**2",
        "err_unknown_function": "función desconocida '{name}'; disponibles: {names}",
        "err_not_allowed": "{what}: no está permitido en un programa",
        "err_not_allowed_pl": "{what}: no están permitidos en un programa",
        "err_value_number": "el valor de '{name}' debe ser un número, no {v}",
        "err_extra_value": "se dio un valor para '{name}', pero {why}",
        "err_assigned_twice": "'{name}' se asigna dos veces (la primera en la línea {line}); da otro nombre "
                              "al nuevo valor",
        "err_used_before": "'{name}' se usa en la línea {line} antes de asignarse aquí",
        "err_not_number": "--at {name}: {v} no es un número",
        "err_at_syntax": "--at espera NOMBRE=VALOR, no {v}",
        "lab.title": "laboratorio retrograd",
        "lab.subtitle": "Rellena el grafo de cálculo: valores hacia delante de izquierda a derecha (azul), luego "
                        "derivadas de derecha a izquierda (verde). ∂f/∂x en una arista es una derivada local; "
                        "d{out}/dx en un nodo es el gradiente de la salida {out}.",
        "lab.lesson": "Lección", "lab.custom": "Tu propio programa", "lab.level": "Casillas",
        "lab.assignment": "una por línea", "lab.primitive": "una por operación",
        "lab.program": "Programa (una asignación por línea)", "lab.values": "Valores de entrada",
        "lab.build": "Construir grafo",
        "lab.reveal": "Mostrar todo", "lab.hide": "Ocultar respuestas", "lab.reset": "Reiniciar",
        "lab.newvals": "Nuevos valores", "lab.share": "Copiar enlace",
        "lab.copied": "Enlace a este ejercicio copiado (sin tus respuestas)",
        "lab.copyManual": "Copia este enlace a mano (esta página está incrustada y no tiene dirección propia)",
        "lab.correctOf": "correctas", "lab.lang": "English",
        "lab.legendValue": "valor hacia delante", "lab.legendDeriv": "derivada", "lab.legendWrong": "incorrecta",
        "lab.legendInvalid": "no es un número",
        "lab.value": "valor", "lab.given": "dado", "lab.hint": "Pista", "lab.fd": "Diferencia finita",
        "lab.fdNA": "No hay diferencia finita para esta casilla.",
        "lab.fdResult": "Diferencia finita (centrada, h = {h}): {v}",
        "lab.pickBox": "Pulsa una casilla (o Tab) para trabajar en ella. Se aceptan respuestas como 4.5, 4,5, .5, "
                       "-3, 9/2, 2*11.",
        "lab.correct": "Correcto.",
        "lab.invalid": "No es un número que pueda leer. Usa dígitos, punto o coma decimal, / para fracciones y "
                       "+ - * ^ para operar.",
        "lab.valueHint": "Valor hacia delante de {n}: {n} = {f}",
        "lab.valueHintInput": "{n} es una entrada: su valor está dado.",
        "lab.localHint": "Derivada local {lbl}: cuánto cambia {t} cuando {s} cambia un poco, con todo lo demás "
                         "fijo. Aquí {lbl} = {f}.",
        "lab.localHintNoFormula": "Derivada local {lbl}: cuánto cambia {t} cuando {s} cambia un poco, con todo "
                                  "lo demás fijo.",
        "lab.gradHintOut": "{d}: la derivada de la salida respecto a sí misma es 1.",
        "lab.gradHint": "Regla de la cadena: {d} = {terms}",
        "lab.hintRule": "Qué regla: el valor hacia delante sale de la fórmula del nodo; una derivada local, de "
                        "derivar un solo nodo; un gradiente d{out}/dx, de la regla de la cadena.",
        "lab.hintButton": "Pista",
        "lab.hintMore": "Más ayuda",
        "lab.hintNumbers": "Con los números: {v}",
        "lab.complete": "Todas las casillas son correctas. ¡Muy bien!",
        "lab.confirmClear": "Esto borra tus respuestas. ¿Continuar?",
        "lab.wrongValue": "No es el valor hacia delante de {n}. Calcula {n} = {f} con los valores de su izquierda.",
        "lab.wrongLocal": "No es {lbl}. Deriva {t} = {f} solo respecto a {s}.",
        "lab.wrongGrad": "No es {d}. Multiplica cada derivada local por el gradiente del nodo al que alimenta y "
                         "suma: {terms}",
        "lab.slipSign": "El valor absoluto es correcto, pero el signo no.",
        "lab.slipUpstream": "Gradiente entrante equivocado: esto es {lbl} · {used}, pero {n} alimenta a {m}, así "
                            "que hay que multiplicar por {needed}.",
        "lab.slipUpstreamFan": "Gradiente entrante equivocado en el camino por {m}: {lbl} multiplica a {needed}, "
                               "no a {used}. {n} interviene en {count} nodos ({names}), y las contribuciones de todos "
                               "los caminos se suman: {terms}",
        "lab.slipForgotLocalFan": "Olvidaste las derivadas locales: multiplica cada gradiente entrante por su derivada "
                                  "local. {n} interviene en {count} nodos ({names}), y las contribuciones de todos los "
                                  "caminos se suman: {terms}",
        "lab.slipForgotLocal": "Olvidaste la derivada local: {used} solo es el gradiente entrante desde {m}; "
                               "multiplícalo por {lbl}.",
        "lab.slipForward": "Ese es el valor hacia delante de {k}, no un gradiente. Usa {needed} en lugar de {k}.",
        "lab.slipForwardSelf": "Ese es el valor hacia delante de {n}; esta casilla pide el gradiente {d}.",
        "lab.slipOnePath": "Eso es solo el camino por {via}. {n} interviene en {count} nodos ({names}): las "
                           "contribuciones de todos los caminos se suman: {terms}",
        "lab.slipLocalIsValue": "Ese es el valor hacia delante de {k}, no la derivada local {lbl}.",
        "lab.slipLocalIsGrad": "Ese es el gradiente {used}; la derivada local {lbl} solo mide cómo depende {t} "
                               "de {s}.",
        "lab.slipValueIsGrad": "Ese es el gradiente {d}, no el valor hacia delante de {n}.",
        "lab.programError": "Error en tu programa",
        "lab.lineCol": "línea {l}, columna {c}",
        "lab.offlineNoServer": "Este archivo sin conexión no puede construir programas nuevos; usa "
                               "`retrograd lab` para eso.",
        "lab.offlineVariants": "Archivo sin conexión: alterna entre los conjuntos de valores guardados en él.",
        "lab.readonlyNote": "las entradas están dadas",
        "lab.boxes": "casillas",
        "lab.fdButton": "Comprobar con una diferencia finita",
        "lab.revealNote": "Respuestas mostradas.",
        "lab.answerIs": "respuesta: {v}",
        "lab.emptyProgram": "Escribe primero un programa.",
        "lab.badValues": "Los valores de entrada deben ser como  x = 2, w = -2",
        "lab.mistakes": "Por corregir",
        "lab.tolerance": "Una respuesta es correcta si se desvía como mucho 0,005 y como mucho un 1 %.",
        "lab.loading": "Construyendo…",
        "lab.keptPrevious": "Se mantiene el grafo anterior.",
        "lab.wrongEntry": "No es {d}. En una capa z = W a + b: dL/dz = (Wᵀ dL/dz_siguiente) * σ'(z), y cada entrada "
                          "dL/dW[i,j] = dL/dz[i] · a[j] (dL/dW = dL/dz aᵀ); dL/db = dL/dz.",
        "lab.entryHint": "La regla delta: dL/dz = (Wᵀ dL/dz_siguiente) * σ'(z) entrada a entrada; dL/dW[i,j] = "
                         "dL/dz[i] · a[j]; dL/db[i] = dL/dz[i].",
        "lab.entryValueHint": "Fila a fila: z[i] = Σ_j W[i,j] a[j] + b[i]; la sigmoide actúa sobre cada entrada.",
        "lab.walkTitle": "Retropropagación, paso a paso",
        "lab.walkStep": "Paso",
        "lab.walkPlay": "Reproducir",
        "lab.walkPause": "Pausa",
        "lab.walkAgain": "Empezar de nuevo",
        "lab.walkDone": "La retropropagación ha terminado: se conocen todos los gradientes.",
        "lab.tabGraph": "Grafo", "lab.tabCode": "Código",
        "lab.codeNote": "La pasada hacia delante y hacia atrás de este programa como el código Python que genera "
                        "rg.jit: una línea por operación, un comentario encima de las líneas de cada regla hacia "
                        "atrás y, al final, la llamada con los valores de arriba y lo que devuelve. Funciona por sí "
                        "solo: cópialo en Python.",
        "lab.codeCopy": "Copiar el código", "lab.codeCopied": "Código copiado.",
        "lab.codeCopyManual": "El código está seleccionado: pulsa Ctrl+C (o ⌘C) para copiarlo.",
        "lab.codeNone": "No hay código para este grafo ({why}).",
    },
}


def tr(lang: str, key: str, **kw) -> str:
    """The text ``key`` in ``lang`` ("en" or "es"), formatted with ``kw``.

    >>> tr("en", "start", d="dJ/dJ")
    'Start at the output: dJ/dJ = 1 (the derivative of the output with respect to itself).'
    """
    if lang not in TEXTS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    text = TEXTS[lang][key]
    return text.format(**kw) if kw else text


#: Notes a graph carries as keys (``auto_notes``), shown by the lab too (as "note.KEY").
NOTE_KEYS = ("one_line", "not_finite", "sym_too_long", "replayed", "budget_symbolic", "budget_fd")

#: Explanation texts the lab's step-through uses too (as "walk.KEY"): the same words in both.
WALK_KEYS = ("start", "node_head", "upstream", "local", "chain", "chain_part", "sum", "data_edge", "const_edge",
             "unused")


def lab_strings() -> dict:
    """The web lab's texts, ``{lang: {key: text}}``: the ``lab.*`` keys without their prefix, and
    the explanation's walk texts as ``walk.*`` (the step-through says what the explanation says).

    Also ``note.*`` (a graph's notes) and ``err.*`` (program errors, with ``error_keys``, the
    order :func:`translate_error` tries them in).

    >>> lab_strings()["es"]["reveal"], lab_strings()["en"]["walk.upstream"]
    ('Mostrar todo', 'upstream gradient {d} = {v}')
    """
    out: dict[str, Any] = {}
    for lang, texts in TEXTS.items():
        out[lang] = {k[4:]: v for k, v in texts.items() if k.startswith("lab.")}
        out[lang].update({"walk." + k: texts[k] for k in WALK_KEYS})
        out[lang].update({"note." + k: texts[k] for k in NOTE_KEYS})
        out[lang].update({"err." + k: texts[k] for k in ("err_line",) + _ERROR_KEYS})
    out["error_keys"] = list(_ERROR_KEYS)
    return out


# Program errors: the English message of a ProgramError is matched against the English
# templates below and rewritten with the same key in another language.
_ERROR_KEYS = ("err_unknown_name", "err_syntax", "err_not_finite", "err_empty", "err_unknown_function",
               "err_not_allowed_pl", "err_not_allowed", "err_value_number", "err_extra_value",
               "err_assigned_twice", "err_used_before", "err_not_number", "err_at_syntax",
               "err_invalid_syntax", "err_never_closed", "err_unmatched")


def _pattern(template):
    parts = re.split(r"\{(\w+)\}", template)
    out, seen = "", set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out += re.escape(part)
        elif part in seen:
            out += ".+?"
        else:
            seen.add(part)
            out += f"(?P<{part}>.+?)"
    return re.compile("^" + out + "$", re.S)


def translate_error(msg: str, lang: str) -> str:
    """A program error message (English, as :class:`ProgramError` gives it) in ``lang``.

    Messages it does not know are returned unchanged.

    >>> translate_error("unknown name 'q': give it a value, like q=1.0", "es")
    "nombre desconocido 'q': dale un valor, como q=1.0"
    >>> translate_error("line 1, column 6: syntax error: '(' was never closed", "es")
    "línea 1, columna 6: error de sintaxis: falta cerrar '('"
    """
    if lang == "en" or not isinstance(msg, str):
        return msg
    m = _pattern(TEXTS["en"]["err_line"]).match(msg)
    if m:
        return tr(lang, "err_line", line=m["line"], col=m["col"], msg=translate_error(m["msg"], lang))
    for key in _ERROR_KEYS:
        m = _pattern(TEXTS["en"][key]).match(msg)
        if m:
            kw = m.groupdict()
            if "name2" in TEXTS["en"][key]:
                kw["name2"] = kw.get("name")
            if key == "err_syntax":
                kw["msg"] = translate_error(kw["msg"], lang)
            return tr(lang, key, **kw)
    return msg
