"""What maintainers generate and check from ``solutions/``: the learner's stubs (``stubs``), the notebooks
(``course``), ``day5 verify`` (``verify``) and the catalogue of learner bugs behind ``day5 mutants`` (``mutants``)."""
