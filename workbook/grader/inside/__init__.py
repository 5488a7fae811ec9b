"""What runs inside a student process, and all of the workbook that the process sees (read-only).

``student`` is the process itself, ``channel`` the data-only channel it and the harness speak.
There they are started as top-level modules (``import student``) with only this folder on
``sys.path``, so they import nothing outside it but the standard library, NumPy and msgpack;
the harness imports ``channel`` as ``workbook.grader.inside.channel``.
"""
