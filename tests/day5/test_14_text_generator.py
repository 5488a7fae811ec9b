"""Kata 14: TextGenerator and the course's one-liner ``generate``.

Read: study_notes/04_text_generation.md#text-generator
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

ALPHABET = "abcde"


class TableModel:
    """A stand-in model whose next-token logits depend on the last token only: ``table[last id]``.

    It records every context it is shown (``contexts``) and its length (``seen``).
    """

    context_size = 3

    def __init__(self, table):
        self.table = np.asarray(table, dtype=np.float64)
        self.seen = []
        self.contexts = []

    def __call__(self, ids):
        self.seen.append(ids.shape[1])
        self.contexts.append(np.asarray(ids).tolist())
        return self.table[ids]


# a -> b -> c -> d -> e -> a, with every other token far less likely
CYCLE = np.full((5, 5), -5.0) + 10 * np.roll(np.eye(5), 1, axis=1)


@pytest.fixture(scope="module")
def tokenizer(reference):
    tokenizer = reference("tokenizers").CharacterTokenizer()
    tokenizer.fit(ALPHABET)
    return tokenizer


# --- simple cases -------------------------------------------------------------


def test_greedy_generation_follows_the_most_likely_chain(day5, tokenizer):
    generator = day5.TextGenerator(TableModel(CYCLE), tokenizer)
    assert generator.generate("a", 7, strategy="greedy") == "abcdeabc", (
        "한 토큰씩: model(np.array([ids[-context_size:]]))[0, -1]이 다음 토큰의 logits; 고른 id를 붙이고 max_new_tokens번 묻고,"
        " 모두 decode한 문자열을 돌려줍니다"
    )


def test_the_result_is_the_prompt_then_max_new_tokens_more(day5, tokenizer):
    text = day5.TextGenerator(TableModel(np.zeros((5, 5))), tokenizer, seed=0).generate("ab", 10)
    assert len(text) == 12 and text.startswith("ab") and set(text) <= set(ALPHABET)
    assert day5.TextGenerator(TableModel(CYCLE), tokenizer).generate("cab", 0) == "cab"


def test_next_id_asks_the_model_about_the_last_position(day5, tokenizer):
    generator = day5.TextGenerator(TableModel(CYCLE), tokenizer)
    assert generator.next_id([0, 1, 3], strategy="greedy") == 4, "다음 토큰의 logits는 마지막 위치의 것입니다"  # after d comes e
    assert type(generator.next_id([2], strategy="greedy")) is int, "next_id는 파이썬 int를 돌려줍니다 (greedy(logits), np.argmax가 아니라)"


def test_a_long_prompt_reaches_the_model_cut_to_its_context(day5, tokenizer):
    model = TableModel(CYCLE)
    day5.TextGenerator(model, tokenizer).generate("abcdeabcdeabcde", 4, strategy="greedy")
    assert model.seen == [3, 3, 3, 3], "모델에는 마지막 model.context_size개의 id만 보냅니다: ids[-context_size:]"


def test_a_short_context_reaches_the_model_as_it_is(day5, tokenizer):
    model = TableModel(CYCLE)
    day5.TextGenerator(model, tokenizer).generate("c", 3, strategy="greedy")
    assert model.contexts == [[[2]], [[2, 3]], [[2, 3, 4]]], (
        "context_size보다 짧은 ids는 그대로 모델에 보냅니다: id 0으로 채우지 마세요 (0은 진짜 토큰 'a'입니다;"
        " 모델은 모자란 앞자리를 자기 padding 토큰으로 채웁니다)"
    )


def test_generation_stops_after_a_stop_id(day5, tokenizer):
    generator = day5.TextGenerator(TableModel(CYCLE), tokenizer)
    stop = tokenizer.token_to_id["d"]
    assert generator.generate("a", 50, strategy="greedy", stop_ids=[stop]) == "abcd", "stop_ids의 id가 나오면 그 id까지 넣고 멈춥니다"
    assert generator.generate("a", 50, strategy="greedy", stop_ids=iter([stop])) == "abcd", (
        "stop_ids는 generator일 수도 있습니다: set(stop_ids)로 한 번 읽어 두세요"
    )
    assert generator.generate("ad", 3, strategy="greedy", stop_ids=[stop]) == "adeab", (
        "멈추는 것은 *새로 만든* id가 stop_ids에 있을 때입니다: 프롬프트의 id는 상관없습니다"
    )


def test_the_same_seed_gives_the_same_text(day5, tokenizer):
    model = TableModel(np.zeros((5, 5)))
    texts = [day5.TextGenerator(model, tokenizer, seed=s).generate("a", 30) for s in (1, 1, 2)]
    assert texts[0] == texts[1] != texts[2], "self.rng 하나로 계속 뽑습니다: 같은 seed면 같은 글, 다른 seed면 다른 글 (토큰마다 새로 seed하지 마세요)"


def test_temperature_zero_top_k_one_and_tiny_top_p_are_greedy(day5, tokenizer):
    table = np.random.default_rng(0).normal(size=(5, 5))
    greedy = day5.TextGenerator(TableModel(table), tokenizer).generate("a", 20, strategy="greedy")
    for options in ({"temperature": 0}, {"top_k": 1}, {"top_p": 1e-9}):
        assert day5.TextGenerator(TableModel(table), tokenizer, seed=3).generate("a", 20, **options) == greedy, (
            f"{options}는 greedy와 같아야 합니다: generate는 temperature, top_k, top_p를 next_id에 (이름이나 올바른 순서로) 넘기고,"
            " next_id는 셋을 모두 적용합니다"
        )


def test_top_k_and_top_p_limit_what_is_sampled(day5, tokenizer):
    table = np.tile([3.0, 2.0, 1.0, 0.0, -1.0], (5, 1))  # after any token: a > b > c > d > e
    generator = day5.TextGenerator(TableModel(table), tokenizer, seed=0)
    assert set(generator.generate("a", 200, top_k=2)[1:]) == {"a", "b"}
    assert set(generator.generate("a", 200, top_p=0.9)[1:]) == {"a", "b", "c"}  # 0.64 + 0.24 < 0.9 <= 0.96
    assert set(generator.generate("a", 200, temperature=5.0, top_k=3, top_p=0.5)[1:]) == {"a", "b"}, (
        "순서는 temperature -> top-k -> top-p입니다: top-p는 temperature를 적용한 확률로 거릅니다"
    )


def test_top_k_filters_before_top_p(day5, tokenizer):
    flat = np.zeros((5, 5))  # five equally likely tokens
    text = day5.TextGenerator(TableModel(flat), tokenizer, seed=0).generate("a", 100, top_k=2, top_p=0.5)
    assert set(text[1:]) == {"a"}, (
        "순서는 temperature -> top-k -> top-p입니다: top-k가 남긴 두 토큰의 확률은 0.5씩이니 top_p=0.5는 첫 토큰 하나만 남깁니다"
        " (top-p를 먼저 하면 0.2씩 세 토큰)"
    )


def test_a_tiny_temperature_still_samples(day5, tokenizer):
    tied = np.tile([5.0, 5.0, -5.0, -5.0, -5.0], (5, 1))  # after any token: a and b tie
    text = day5.TextGenerator(TableModel(tied), tokenizer, seed=0).generate("a", 60, temperature=1e-6)
    assert set(text[1:]) == {"a", "b"}, (
        "temperature=1e-6도 logits를 나누고 sample합니다: greedy는 temperature 0일 때뿐 (동점인 a와 b가 모두 나와야 합니다)"
    )


def test_the_course_one_liner_runs_as_written(day5, reference):
    CharacterTokenizer, MiniLanguageModel = reference("tokenizers").CharacterTokenizer, reference("model").MiniLanguageModel
    generate = day5.generate
    tokenizer = CharacterTokenizer()
    tokenizer.fit("The quick brown fox jumps over the lazy dog.")
    model = MiniLanguageModel(vocab_size=tokenizer.vocab_size)

    text = generate(model, tokenizer, "The quick", max_length=20)

    assert isinstance(text, str) and len(text) == 20 and text.startswith("The quick"), (
        "max_length는 프롬프트를 포함한 전체 토큰 수입니다: 새 토큰은 max_length - len(tokenizer.encode(prompt))개"
    )


def test_generation_with_a_word_tokenizer_decodes_all_ids_together(day5, reference):
    words = reference("tokenizers").WordTokenizer()
    words.fit("the cat sat")  # <unk> 0, cat 1, sat 2, the 3
    table = np.full((4, 4), -5.0)
    table[3, 1] = table[1, 2] = table[2, 3] = 5.0  # the -> cat -> sat -> the
    text = day5.TextGenerator(TableModel(table), words).generate("the cat", 3, strategy="greedy")
    assert text == "the cat sat the cat", (
        "결과는 tokenizer.decode(프롬프트 id + 새 id)입니다: 문자열을 이어 붙이면 단어 토크나이저에서 빈칸이 빠집니다"
    )
    text = day5.generate(TableModel(table), words, "the cat", max_length=4, strategy="greedy")
    assert text == "the cat sat the", "max_length는 토큰 수입니다: 프롬프트도 len(tokenizer.encode(prompt))개로 셉니다 (글자 수가 아니라)"


def test_the_one_liner_passes_its_strategy_on(day5, tokenizer):
    flat = TableModel(np.zeros((5, 5)))  # every token equally likely: only greedy or top_k=1 give "aaa..."
    assert day5.generate(flat, tokenizer, "b", max_length=8, strategy="greedy") == "baaaaaaa", (
        "generate의 **strategy는 TextGenerator.generate에 그대로 넘깁니다"
    )
    assert day5.generate(flat, tokenizer, "b", max_length=8, top_k=1, seed=0) == "baaaaaaa", (
        "generate의 **strategy는 TextGenerator.generate에 그대로 넘깁니다"
    )
    assert day5.generate(TableModel(CYCLE), tokenizer, "b", max_length=6, strategy="greedy") == "bcdeab"
    assert day5.generate(TableModel(CYCLE), tokenizer, "abcdeab", max_length=6) == "abcdeab"  # already long enough
    seeded = [day5.generate(TableModel(np.zeros((5, 5))), tokenizer, "a", max_length=30, seed=9) for _ in range(2)]
    assert seeded[0] == seeded[1], "generate(seed=...)는 TextGenerator(model, tokenizer, seed)에 넘깁니다: 같은 seed면 같은 글"


# --- errors -------------------------------------------------------------------


def test_an_empty_prompt_is_an_error(day5, tokenizer):
    with pytest.raises(ValueError, match="prompt"):
        day5.TextGenerator(TableModel(CYCLE), tokenizer).generate("", 5)


def test_an_unknown_strategy_is_an_error(day5, tokenizer):
    with pytest.raises(ValueError, match="strategy"):
        day5.TextGenerator(TableModel(CYCLE), tokenizer).generate("a", 5, strategy="beam")
    with pytest.raises(ValueError, match="strategy"):
        day5.TextGenerator(TableModel(CYCLE), tokenizer).next_id([0], strategy="beam")


@pytest.mark.parametrize("options, name", [({"strategy": "beam"}, "strategy"), ({"top_p": 1.5}, "top_p"),
                                           ({"temperature": -1.0}, "temperature"), ({"top_k": 0}, "top_k")])
def test_options_are_checked_even_when_no_token_is_asked_for(day5, tokenizer, options, name):
    with pytest.raises(ValueError, match=name):
        text = day5.TextGenerator(TableModel(CYCLE), tokenizer).generate("a", 0, **options)
        pytest.fail(f"generate('a', 0, **{options}) returned {text!r}: 토큰을 하나도 만들지 않을 때도 먼저 check_strategy로 모든 옵션을 검사합니다")


def test_a_negative_max_new_tokens_is_an_error(day5, tokenizer):
    with pytest.raises(ValueError, match="max_new_tokens"):
        day5.TextGenerator(TableModel(CYCLE), tokenizer).generate("a", -1)


# --- laws (hypothesis) --------------------------------------------------------


@given(st.text(ALPHABET, min_size=1, max_size=12), st.integers(0, 15), st.integers(0, 2**32 - 1))
def test_generation_extends_the_prompt_by_exactly_max_new_tokens(day5, tokenizer, prompt, n, seed):
    table = np.random.default_rng(seed).normal(size=(5, 5))
    text = day5.TextGenerator(TableModel(table), tokenizer, seed=seed).generate(prompt, n, top_k=3)
    assert text.startswith(prompt) and len(text) == len(prompt) + n


@given(st.text(ALPHABET, min_size=1, max_size=6), st.integers(1, 6))
def test_the_model_sees_the_last_context_size_ids_unpadded(day5, tokenizer, prompt, n):
    model = TableModel(CYCLE)
    text = day5.TextGenerator(model, tokenizer).generate(prompt, n, strategy="greedy")
    ids = tokenizer.encode(text)
    expected = [[ids[:end][-TableModel.context_size :]] for end in range(len(prompt), len(prompt) + n)]
    assert model.contexts == expected, "모델에는 마지막 context_size개의 id를, 더 짧으면 채우지 않고 그대로 보냅니다"


@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.floats(0.2, 0.9), st.sampled_from([0.3, 1.0, 3.0]))  # k, p that cut
def test_every_sampled_id_survives_temperature_then_top_k_then_top_p(day5, reference, tokenizer, seed, k, p, temperature):
    generation = reference("generation")
    table = np.random.default_rng(seed).normal(size=(5, 5)) / 2  # close logits: the order of the filters matters more often
    allowed = [
        set(np.flatnonzero(np.isfinite(generation.top_p_filter(generation.top_k_filter(
            generation.apply_temperature(row, temperature), k), p))))
        for row in table
    ]
    text = day5.TextGenerator(TableModel(table), tokenizer, seed=seed).generate("a", 8, temperature=temperature, top_k=k, top_p=p)
    ids = tokenizer.encode(text)
    assert all(new in allowed[last] for last, new in zip(ids, ids[1:])), (
        "뽑힌 id는 temperature -> top_k_filter -> top_p_filter를 이 순서로 거친 뒤에도 남은 것이어야 합니다"
    )


@given(st.text(ALPHABET, min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_greedy_generation_never_depends_on_the_seed(day5, tokenizer, prompt, seed):
    table = np.random.default_rng(0).normal(size=(5, 5))
    texts = {day5.TextGenerator(TableModel(table), tokenizer, seed=s).generate(prompt, 8, strategy="greedy") for s in (seed, 0)}
    assert len(texts) == 1
