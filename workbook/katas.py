"""The kata manifest: every kata of Day 5, in learning order.

One place lists what a learner does and in which order. The progress table, the
consistency check and the notebook builder all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Kata:
    slug: str
    title: str
    module: str  # the module of solutions/day5/ and exercises/day5/ that holds the kata
    names: tuple[str, ...]  # the top-level names whose marked regions the learner writes
    tests: str  # the test file, relative to the repository root
    points: int
    note: str  # study-note section: "file.md#anchor"
    hints: tuple[str, ...]  # from the idea, to the usual pitfall, to a worked value

    @property
    def test_file(self) -> str:
        return PurePosixPath(self.tests).name


KATAS: tuple[Kata, ...] = (
    Kata(
        slug="character_tokenizer",
        title="Character tokenizer",
        module="tokenizers",
        names=("CharacterTokenizer",),
        tests="tests/day5/test_01_character_tokenizer.py",
        points=10,
        note="study_notes/01_tokenization_basics.md#character-tokenizer",
        hints=(
            "어휘(vocabulary)는 예약 토큰(reserved_tokens) 다음에 text의 서로 다른 문자를 정렬해서 번호를 붙인 표입니다.",
            "token_to_id와 id_to_token을 둘 다 채우세요. 모르는 문자는 unk_token이 있으면 그 id, 없으면 그 문자를 담은 오류입니다.",
            "CharacterTokenizer(unk_token='<unk>')로 'hello'를 fit하면 token_to_id == {'<unk>': 0, 'e': 1, 'h': 2, 'l': 3, 'o': 4}.",
        ),
    ),
    Kata(
        slug="word_tokenizer",
        title="Word tokenizer",
        module="tokenizers",
        names=("WordTokenizer",),
        tests="tests/day5/test_02_word_tokenizer.py",
        points=10,
        note="study_notes/01_tokenization_basics.md#word-tokenizer",
        hints=(
            "WORD_PATTERN.findall로 단어와 문장부호를 나누고, 빈도(Counter)로 어휘를 만듭니다.",
            "정렬 기준은 (빈도 내림차순, 단어 오름차순)이고, max_vocab은 예약 토큰까지 포함한 전체 크기입니다.",
            "'the cat saw the dog.' -> <unk>=0, the=1, .=2, cat=3, dog=4, saw=5; decode([1, 4, 2]) == 'the dog.'",
        ),
    ),
    Kata(
        slug="bpe_basics",
        title="BPE: pair counts and merge",
        module="tokenizers",
        names=("get_pair_counts", "merge_pair"),
        tests="tests/day5/test_03_bpe_basics.py",
        points=10,
        note="study_notes/01_tokenization_basics.md#bpe-pair-counts-and-merge",
        hints=(
            "이웃한 두 id의 쌍을 셉니다: zip(ids, ids[1:]). 병합은 왼쪽부터 한 번 훑으며 쌍을 새 id로 바꿉니다.",
            "병합한 쌍은 두 칸을 건너뜁니다. 그래서 겹치는 쌍은 한 번만 병합됩니다: [1, 1, 1] -> [9, 1].",
            "get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}; merge_pair([1, 2, 3, 1, 2], (1, 2), 4) == [4, 3, 4]",
        ),
    ),
    Kata(
        slug="bpe_tokenizer",
        title="Byte-level BPE tokenizer",
        module="tokenizers",
        names=("SimpleBPETokenizer",),
        tests="tests/day5/test_04_bpe_tokenizer.py",
        points=20,
        note="study_notes/01_tokenization_basics.md#byte-level-bpe",
        hints=(
            "id 0-255는 바이트, k번째 병합은 id 256+k. 가장 자주 나오는 쌍을 병합하고, 끝나면 self._set_merges(merges)를 부르세요.",
            "동점이면 (vocab[a], vocab[b]) 바이트열이 사전순으로 가장 큰 쌍입니다. 쌍은 split()이 나눈 조각 경계와 특수 토큰을 넘지 않습니다.",
            "'aaabdaaabac'로 vocab_size=259까지 학습하면 merges는 (97, 97), (256, 97), (257, 98)이고 encode 결과는 [258, 100, 258, 97, 99]입니다.",
        ),
    ),
)


def kata_for_test_file(name: str) -> Kata | None:
    """The kata whose tests live in the file called ``name`` (a base name)."""
    return next((kata for kata in KATAS if kata.test_file == name), None)
