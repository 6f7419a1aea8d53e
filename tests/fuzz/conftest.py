"""Prints how many calls the fuzz suite made, and every failing call, at the end."""

from ._harness import COUNTS, FAILURES


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    tr = terminalreporter
    tr.section("fuzz summary")
    tr.write_line(f"fuzz: {sum(COUNTS.values())} calls in total")
    for entry, n in sorted(COUNTS.items()):
        tr.write_line(f"  {n:6d}  {entry}")
    tr.write_line(f"fuzz: {len(FAILURES)} failing calls")
    for line in FAILURES:
        tr.write_line("  " + line)
