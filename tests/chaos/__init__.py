"""Chaos harness: the real skill under real gunicorn in a child process, people holding real
conversations with it over HTTP, and one dependency at a time made to hang or fail.

`scenario.run_fault` runs one fault (warm-up, fault window, recovery) and returns what was
measured; `table.markdown` turns results into the issue's table; tests/test_chaos.py asserts
the targets; `python -m bench.chaos` prints the table. See docs in each module.
"""
