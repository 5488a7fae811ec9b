"""The grader's two processes per kata: the harness (tests, reference) and the student process (the learner's code).

- ``channel``: the data-only channel between them (data by value, given objects as mirrors, the rest as handles);
- ``student``: the student process, built from source text, holding no test and no reference;
- ``harness``: starting it in the sandbox, and what it may do with the harness's objects.

``pytest --isolate`` runs the suite this way; ``workbook.autograde`` grades notebooks with it.
This package is all of the workbook that a student process sees, so it imports nothing outside itself there.
"""
