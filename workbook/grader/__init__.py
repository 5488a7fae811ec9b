"""The grader: each kata's tests in a harness of its own, the learner's code in a sandboxed student process.

The trusted side, imported as ``workbook.grader.X``:

- ``preprocessor``: ``GradeKatas``, the nbgrader step that replaces ``Execute`` (``notebooks/nbgrader_config.py``);
- ``autograde``: grading a notebook: the allow-list, a kata tree per kata, the runner, the grade cells;
- ``allowlist``: what a kata's code may import and use, read before it runs (a friendly first message);
- ``runner``: ``python -m workbook.grader.runner``, each kata's harness in a forked child of one warm process;
- ``sandbox``: starting untrusted code with limits, behind bubblewrap where the machine has it;
- ``harness``: starting the student process in the sandbox, and what it may do with the harness's objects.

``inside/``, what a student process runs and all of the workbook it sees (read-only), started there as
top-level modules (``import student``) with only that folder on ``sys.path``:

- ``inside/channel``: the data-only channel between them (data by value, given objects as mirrors, the rest as handles);
- ``inside/student``: the student process, built from source text, holding no test and no reference.

``pytest --isolate`` runs the suite this way; ``autograde`` grades notebooks with it. ``inside`` imports nothing
outside its folder but the standard library, NumPy and msgpack; the trusted modules are never imported there.
"""
