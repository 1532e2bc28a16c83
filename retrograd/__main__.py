"""``python -m retrograd``: the command line (see ``retrograd --help``)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
