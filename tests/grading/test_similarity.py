"""``day5 similarity`` on a synthetic class made from the release notebook and the reference.

- cam writes her own answers to katas 3, 5 and 6; dee copies them, renaming variables,
  reordering lines and definitions, changing comments and layout: the pair is flagged;
- pat pastes the reference into every kata, disguised the same way: flagged against it;
- ada and bo answer katas 3, 5 and 6 their own way, each unlike the other, cam and the
  reference: never flagged;
- cy and ed hand in the release untouched: an empty answer is no answer, not "alike";
- eve pastes the reference with a syntax error in kata 3: compared on tokens, still flagged.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys

import pytest

from benchmarks.similarity import disguise, fill, write_class
from workbook.classroom import similarity
from workbook.classroom.similarity_report import DEFAULT_THRESHOLD, run


@pytest.fixture(scope="module", autouse=True)
def needs_nbformat():
    """Skip without nbformat, checked when the tests run: importing it at collection costs seconds."""
    pytest.importorskip("nbformat")


OWN_KATAS = ("bpe_basics", "data_loader", "softmax")

# Three independent, correct answers per kata: (get_pair_counts, merge_pair), (softmax,
# log_softmax), (train_val_split, __init__, __len__, __iter__), in the cell's stub order.
CAM = {
    "bpe_basics": (
        """
        counts = {}
        for i in range(len(ids) - 1):
            pair = (ids[i], ids[i + 1])
            counts[pair] = counts.get(pair, 0) + 1
        return counts
        """,
        """
        out = []
        skip = False
        for i, x in enumerate(ids):
            if skip:
                skip = False
                continue
            if i + 1 < len(ids) and (x, ids[i + 1]) == tuple(pair):
                out.append(new_id)
                skip = True
            else:
                out.append(x)
        return out
        """,
    ),
    "softmax": (
        """
        x = np.asarray(logits, dtype=float)
        m = np.max(x, axis=axis, keepdims=True)
        e = np.exp(x - m)
        return e / np.sum(e, axis=axis, keepdims=True)
        """,
        """
        x = np.asarray(logits, dtype=float)
        m = np.max(x, axis=axis, keepdims=True)
        return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
        """,
    ),
    "data_loader": (
        """
        if not 0 < val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
        ids = as_token_ids(token_ids)
        cut = len(ids) - round(len(ids) * val_fraction)
        if cut <= 0 or cut >= len(ids):
            raise ValueError(f"val_fraction={val_fraction} leaves an empty part of {len(ids)} ids")
        return ids[:cut], ids[cut:]
        """,
        """
        for name, value in (("batch_size", batch_size), ("seq_len", seq_len)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.data = as_token_ids(token_ids)
        self.n = (len(self.data) - 1) // seq_len
        if self.n == 0:
            raise ValueError("too few token ids for one window")
        if drop_last and self.n < batch_size:
            raise ValueError("drop_last, but there is no full batch")
        self.batch_size = batch_size
        self.seq_len = seq_len
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = np.random.default_rng(seed)
        """,
        """
        if self.drop_last:
            return self.n // self.batch_size
        return math.ceil(self.n / self.batch_size)
        """,
        """
        order = list(range(self.n))
        if self.shuffle:
            order = self.generator.permutation(self.n).tolist()
        for k in range(len(self)):
            chosen = order[k * self.batch_size : (k + 1) * self.batch_size]
            rows = [self.data[w * self.seq_len : (w + 1) * self.seq_len + 1] for w in chosen]
            batch = np.stack(rows)
            yield batch[:, :-1], batch[:, 1:]
        """,
    ),
}

ADA = {
    "bpe_basics": (
        """
        counts = defaultdict(int)
        for left, right in zip(ids[:-1], ids[1:]):
            counts[left, right] += 1
        return dict(counts)
        """,
        """
        result = list(ids)
        i = 0
        while i < len(result) - 1:
            if (result[i], result[i + 1]) == tuple(pair):
                result[i : i + 2] = [new_id]
            i += 1
        return result
        """,
    ),
    "softmax": (
        "return np.exp(log_softmax(logits, axis))",
        """
        z = np.asarray(logits, dtype=float)
        return z - np.logaddexp.reduce(z, axis=axis, keepdims=True)
        """,
    ),
    "data_loader": (
        """
        ids = as_token_ids(token_ids)
        n_val = int(round(val_fraction * ids.size)) if 0 < val_fraction < 1 else 0
        if n_val in (0, ids.size):
            raise ValueError(f"val_fraction={val_fraction} must lie in (0, 1) and leave both parts non-empty")
        return tuple(np.split(ids, [ids.size - n_val]))
        """,
        """
        self.batch_size = positive("batch_size", batch_size)
        ids = as_token_ids(token_ids)
        count = (ids.size - 1) // positive("seq_len", seq_len)
        if count < 1:
            raise ValueError(f"too few ids ({ids.size}) for one window of {seq_len + 1}")
        if drop_last and count < batch_size:
            raise ValueError("no full batch with drop_last")
        self.windows = np.lib.stride_tricks.sliding_window_view(ids, seq_len + 1)[::seq_len][:count]
        self.shuffle, self.drop_last = shuffle, drop_last
        self.random = np.random.default_rng(seed)
        """,
        "return len(self.windows) // self.batch_size if self.drop_last else -(-len(self.windows) // self.batch_size)",
        """
        index = np.arange(len(self.windows))
        if self.shuffle:
            self.random.shuffle(index)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = self.windows[index[start : start + self.batch_size]].astype(np.int64)
            yield batch[:, :-1], batch[:, 1:]
        """,
    ),
}
ADA_HELPER = '''

def positive(name, value):
    """``value`` if it is a positive integer, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value
'''

BO = {
    "bpe_basics": (
        "return Counter(tuple(ids[i : i + 2]) for i in range(len(ids) - 1))",
        """
        merged = []
        just_merged = False
        for token in ids:
            if merged and not just_merged and (merged[-1], token) == tuple(pair):
                merged[-1] = new_id
                just_merged = True
            else:
                merged.append(token)
                just_merged = False
        return merged
        """,
    ),
    "softmax": (
        """
        shifted = np.asarray(logits) - np.amax(logits, axis=axis, keepdims=True)
        weights = np.exp(shifted)
        weights /= weights.sum(axis=axis, keepdims=True)
        return weights
        """,
        """
        top = np.amax(logits, axis=axis, keepdims=True)
        log_total = np.log(np.exp(np.subtract(logits, top)).sum(axis=axis, keepdims=True))
        return np.subtract(logits, top) - log_total
        """,
    ),
}

# dee's kata 3: cam's code with other names, two lines swapped, definitions in the other
# order, other comments and docstrings, other layout.
DEE_BPE_BASICS = '''
def merge_pair(ids: Sequence[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Merge the pair."""
    skip_next = False
    result = []   # merged ids
    for idx, tok in enumerate(ids):
        if skip_next:
            skip_next = False; continue
        # look ahead by one
        if idx+1 < len(ids) and (tok, ids[idx+1]) == tuple(pair):
            result.append(new_id); skip_next = True
        else:
            result.append(tok)
    return result


def get_pair_counts(ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """Count pairs."""
    tally = {}
    for j in range(len(ids)-1):
        p = (ids[j], ids[j+1])  # neighbours
        tally[p] = tally.get(p, 0)+1
    return tally
'''


@pytest.fixture(scope="module")
def cells():
    return similarity.course_cells()


@pytest.fixture(scope="module")
def report(cells, tmp_path_factory):
    """The class, and what ``run`` made of it: ``(scores by kata, output folder)``."""
    rng = random.Random(0)

    def own(answers, extra=None):
        written = {slug: fill(cells[slug][0], *bodies) for slug, bodies in answers.items()}
        if extra:
            written |= {slug: code + text for slug, (code, text) in extra(written).items()}
        return written

    cam = own(CAM)
    dee = {"bpe_basics": DEE_BPE_BASICS} | {slug: disguise(cam[slug], cells[slug][0], rng) for slug in ("data_loader", "softmax")}
    pat = {slug: disguise(reference, release, rng) for slug, (release, reference) in cells.items()}
    eve = {"bpe_basics": cells["bpe_basics"][1].replace("while i < len(ids):", "while i < len(ids)")}
    students = {
        "ada": own(ADA, lambda written: {"data_loader": (written["data_loader"], ADA_HELPER)}),
        "bo": own(BO), "cam": cam, "cy": {}, "dee": dee, "ed": {}, "eve": eve, "pat": pat,
    }
    folder = write_class(tmp_path_factory.mktemp("course"), students)
    scores = run(folder, folder / "similarity", DEFAULT_THRESHOLD, log=lambda _: None)
    return {kata.kata: kata for kata in scores}, folder / "similarity"


def score(report, slug: str, a: str, b: str) -> float | None:
    kata = report[0][slug]
    value = kata.matrix[kata.names.index(a), kata.names.index(b)]
    return None if value != value else round(float(value), 3)


@pytest.mark.parametrize("slug", OWN_KATAS)
def test_copies_with_new_names_order_comments_and_layout_are_flagged(report, slug):
    value = score(report, slug, "cam", "dee")
    assert value >= DEFAULT_THRESHOLD


def test_the_pasted_reference_is_flagged_in_every_kata(report, cells):
    values = {slug: score(report, slug, "pat", similarity.REFERENCE) for slug in cells}
    assert min(values.values()) >= DEFAULT_THRESHOLD, values


def test_a_cell_that_does_not_parse_is_compared_on_tokens(report):
    eve = report[0]["bpe_basics"].answers["eve"]
    assert eve.tree is None and eve.tokens.starts
    assert score(report, "bpe_basics", "eve", similarity.REFERENCE) >= DEFAULT_THRESHOLD
    assert score(report, "bpe_basics", "eve", "ada") < DEFAULT_THRESHOLD


@pytest.mark.parametrize("slug", OWN_KATAS)
def test_independent_answers_are_not_flagged(report, slug):
    independent = ["ada", "cam", similarity.REFERENCE] + (["bo"] if slug in BO else [])
    values = {(a, b): score(report, slug, a, b) for i, a in enumerate(independent) for b in independent[i + 1 :]}
    assert max(values.values()) < DEFAULT_THRESHOLD, values


def test_untouched_stubs_are_no_answer_not_alike(report, cells):
    for slug in cells:
        assert report[0][slug].answers["cy"].empty
        assert score(report, slug, "cy", "ed") is None
        assert score(report, slug, "cy", similarity.REFERENCE) is None


def test_the_csv_has_every_pair_and_the_report_the_flagged_ones(report, cells):
    _, out = report
    with (out / "similarity.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    students = 8
    assert len(rows) == len(cells) * (students + students * (students - 1) // 2)
    assert set(rows[0]) == {"kata", "student_a", "student_b", "score"}
    row = next(r for r in rows if r["kata"] == "bpe_basics" and {r["student_a"], r["student_b"]} == {"cam", "dee"})
    assert float(row["score"]) == score(report, "bpe_basics", "cam", "dee")
    assert all(r["score"] == "" for r in rows if "cy" in (r["student_a"], r["student_b"]))

    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "a reviewing aid, not a verdict" in page
    assert "<h3>cam and dee:" in page or "<h3>dee and cam:" in page
    assert "<h3>pat and reference:" in page
    assert "skip_next = False" in page  # the code, side by side
    assert "<h3>ada and bo:" not in page


def day5(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbook.cli", *args], capture_output=True, text=True, timeout=120)


def test_bad_arguments_are_refused_before_any_work(tmp_path):
    missing = day5("similarity", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr
    empty = day5("similarity", str(tmp_path))
    assert empty.returncode == 2 and "holds no submissions" in empty.stderr
    (tmp_path / "a.ipynb").write_text("{}")
    threshold = day5("similarity", str(tmp_path), "--threshold", "1.5")
    assert threshold.returncode == 2 and "must lie in [0, 1]" in threshold.stderr
    assert not (tmp_path / "similarity").exists()


def test_a_plain_folder_of_notebooks_and_a_broken_file(tmp_path, report):
    _, out = report
    folder = out.parent / "submitted"
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in ("cam", "dee", "cy"):
        (plain / f"{name}.ipynb").write_bytes((folder / name / "day5" / "day5.ipynb").read_bytes())
    (plain / "zed.ipynb").write_text("not json")
    result = day5("similarity", str(plain), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "zed.ipynb: not a readable notebook" in result.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "similarity.csv").open(newline="")))
    flagged = {(r["student_a"], r["student_b"]) for r in rows if r["kata"] == "bpe_basics" and r["score"] and float(r["score"]) >= DEFAULT_THRESHOLD}
    assert flagged == {("cam", "dee")}
