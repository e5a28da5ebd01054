"""Kyoso's benchmark suite: a prefecture-scale data set and the measures of docs/issue 6.

``python manage.py generate_bench_data`` builds the data (``bench.generate``);
``python -m bench.run`` runs every measure against it and writes ``bench/RESULTS.md``. Each
measure lives in its own module and returns ``bench.results.Figure`` rows; none of them
asserts on speed.
"""
