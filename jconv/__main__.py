"""``python -m jconv``: shapes, explain, draw and demo (see ``python -m jconv --help``)."""

from jconv._teaching.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
