"""The learner's loop: ``day5 watch`` (``watch``), the progress table at the end of a run (``summary``), and the
time and memory limits a graded test runs under (``limits``, which the grader's sandbox and runner use too)."""
