"""nbgrader's settings for the Day 5 course; run nbgrader from this folder.

    nbgrader generate_assignment day5    # source/day5 -> release/day5 (solutions cleared)
    nbgrader autograde day5              # submitted/<student>/day5 -> autograded/, gradebook.db
    nbgrader export                      # gradebook.db -> grades.csv
"""

c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = "day5"

# Seconds one cell may run. The slowest grade cell takes about 4 s with the reference
# on 2 cores; past the limit the kernel is interrupted, that cell scores 0 and
# grading goes on with the next cell.
c.Execute.timeout = 60
