"""An instructor's tools for a whole class: ``day5 grade`` (``grade_class``: parallel, resumable, sharded, into
nbgrader's gradebook) and ``day5 similarity`` (``similarity``: the measure; ``similarity_report``: the CSV and HTML)."""
