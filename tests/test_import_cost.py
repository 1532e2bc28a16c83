"""`import retrograd` stays light: the optional heavy libraries load only where they are used."""

import subprocess
import sys


def test_import_retrograd_loads_no_optional_heavy_library():
    code = ("import sys, retrograd\n"
            "heavy = ('sympy', 'matplotlib', 'tqdm', 'torch', 'sklearn', 'scipy')\n"
            "print(','.join(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import retrograd imported: {out.stdout.strip()}"


def test_symbolic_checks_still_load_sympy_when_used():
    code = ("import sys, retrograd as rg\n"
            "text = str(rg.learn.program('J = (2 + 3*w)**2', w=3.0).explain())\n"
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
