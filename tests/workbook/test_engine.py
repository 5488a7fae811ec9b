"""The engine itself: stub generation (nbgrader's rule), the manifest, the seam."""

import doctest
import json

import pytest

from workbook import implementation
from workbook.authoring import stubs
from workbook.implementation import ROOT
from workbook.katas import KATAS, kata_for_test_file

SOURCE = '''\
import math


def area(r):
    """Area of a circle."""
    ### BEGIN SOLUTION
    return math.pi * r**2
    ### END SOLUTION


class Shape:
    def scale(self, k):
        if k < 0:
            raise ValueError(k)
        ### BEGIN SOLUTION
        self.size *= k
        return self
        ### END SOLUTION
'''


def test_a_region_becomes_nbgraders_stub_at_the_begin_lines_indentation():
    cleared = stubs.clear_solutions(SOURCE)
    assert cleared == SOURCE.replace(
        '''    ### BEGIN SOLUTION
    return math.pi * r**2
    ### END SOLUTION''', '''    # YOUR CODE HERE
    raise NotImplementedError()''').replace(
        '''        ### BEGIN SOLUTION
        self.size *= k
        return self
        ### END SOLUTION''', '''        # YOUR CODE HERE
        raise NotImplementedError()''')


def test_regions_are_owned_by_their_top_level_name():
    assert stubs.regions(SOURCE) == [("area", 6, 8), ("Shape", 15, 18)]


def test_kept_regions_lose_only_their_markers():
    kept = stubs.clear_solutions(SOURCE, keep={"Shape"})
    assert "self.size *= k\n        return self\n" in kept
    assert "SOLUTION" not in kept
    assert kept.count("raise NotImplementedError()") == 1


@pytest.mark.parametrize(
    "source, problem",
    [
        ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n", "inside the region"),
        ("def f():\n    ### END SOLUTION\n", "without"),
        ("def f():\n    ### BEGIN SOLUTION\n    pass\n", "never closed"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "top-level"),
    ],
)
def test_malformed_markers_are_reported_with_their_line(source, problem):
    with pytest.raises(ValueError, match=problem):
        stubs.regions(source)


def test_the_exercises_are_generated_from_the_solutions():
    assert stubs.drift() == []


def test_write_keeps_a_changed_file_as_bak(tmp_path):
    stubs.write(tmp_path, log=lambda _: None)
    target = tmp_path / "day5" / "tokenizers.py"
    target.write_text("my work\n", encoding="utf-8")
    stubs.write(tmp_path, backup=True, log=lambda _: None)
    assert (tmp_path / "day5" / "tokenizers.py.bak").read_text(encoding="utf-8") == "my work\n"
    assert target.read_text(encoding="utf-8") == stubs.render()["tokenizers.py"]


def test_every_kata_has_a_test_file_hints_and_a_study_note_section():
    assert len({kata.slug for kata in KATAS}) == len(KATAS)
    for kata in KATAS:
        assert (ROOT / kata.tests).is_file()
        assert kata_for_test_file(kata.test_file) is kata
        assert len(kata.hints) == 3 and kata.points > 0
        note, anchor = kata.note.split("#")
        assert note.startswith("study_notes/") and anchor


def test_the_seam_loads_each_implementation_under_its_own_name():
    stub = implementation.load("exercises", "tokenizers")
    reference = implementation.load("solutions", "tokenizers")
    assert stub is not reference
    assert implementation.is_reference("solutions") and not implementation.is_reference("exercises")
    with pytest.raises(ValueError, match="day5/__init__.py"):
        implementation.resolve("no/such/folder")


def test_every_hint_links_to_a_real_section():
    for kata in KATAS:
        note, anchor = kata.note.split("#")
        assert f'<a id="{anchor}"></a>' in (ROOT / note).read_text(encoding="utf-8"), kata.note


@pytest.mark.parametrize("note", sorted(p.name for p in (ROOT / "study_notes").glob("*.md")))
def test_every_example_in_the_study_notes_runs_on_the_reference(note):
    failed, attempted = doctest.testfile(str(ROOT / "study_notes" / note), module_relative=False, verbose=False)
    assert attempted > 0 and failed == 0


def test_the_reference_docstring_examples_run():
    modules = [path.stem for path in stubs.solution_files() if path.stem != "__init__"]
    results = [doctest.testmod(implementation.load("solutions", module)) for module in modules]
    assert sum(r.attempted for r in results) > 0 and not any(r.failed for r in results)


def test_the_tutorial_notebook_is_stored_without_outputs():
    notebook = json.loads((ROOT / "notebooks" / "tokenizer_training_tutorial.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert notebook["nbformat"] == 4 and code
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)
