"""nbgrader's settings for the Day 5 course; run nbgrader from this folder.

    nbgrader generate_assignment day5    # source/day5 -> release/day5 (solutions cleared)
    nbgrader autograde day5              # submitted/<student>/day5 -> autograded/, gradebook.db
    nbgrader export                      # gradebook.db -> grades.csv
"""

import warnings

# nbgrader 0.9's gradebook triggers three harmless SQLAlchemy warnings on every autograde
warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")

c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = "day5"

# Autograding never runs a student's kernel: nbgrader's Execute step is replaced by the
# workbook's grader (workbook/grader/autograde.py), which runs each kata's tests in a harness of
# their own and the kata's cell in a sandboxed student process that holds no test and no
# reference (docs/threat-model.md). The other steps are nbgrader's own.
c.Autograde.autograde_preprocessors = [
    "workbook.grader.preprocessor.GradeKatas",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A kata's tests may take ten times what the reference's take on this machine (measured
# once, then cached), and at least this many seconds; past it the kata scores 0 and the
# others are graded as usual. c.GradeKatas.relative_timeout = 0 makes it a flat limit.
c.GradeKatas.timeout = 60
