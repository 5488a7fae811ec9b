"""Kata 2: WordTokenizer -- one token per word or punctuation mark.

Read: study_notes/01_tokenization_basics.md#word-tokenizer
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

CORPUS = "the cat saw the dog."


def fitted(day5, text, **options):
    tokenizer = day5.WordTokenizer(**options)
    tokenizer.fit(text)
    return tokenizer


# --- simple cases -------------------------------------------------------------


def test_tokenize_splits_words_and_punctuation(day5):
    assert day5.WordTokenizer().tokenize("Hello, world!") == ["Hello", ",", "world", "!"], (
        "tokenize는 WORD_PATTERN.findall(text)입니다: 문장부호도 따로 토큰이고, 대소문자는 그대로"
    )


def test_tokenize_drops_white_space_and_keeps_korean_words_whole(day5):
    assert day5.WordTokenizer().tokenize("  안녕하세요,\n세계\t!! x_1 ") == ["안녕하세요", ",", "세계", "!", "!", "x_1"]


def test_fit_orders_words_by_frequency_then_alphabetically(day5):
    tokenizer = fitted(day5, CORPUS)
    assert tokenizer.token_to_id == {"<unk>": 0, "the": 1, ".": 2, "cat": 3, "dog": 4, "saw": 5}, (
        "어휘 = 예약 토큰(<unk> 먼저) + min_freq번 *이상* 나온 단어를 (빈도 내림차순, 동점은 단어 오름차순)으로"
    )
    assert tokenizer.id_to_token == {0: "<unk>", 1: "the", 2: ".", 3: "cat", 4: "dog", 5: "saw"}
    assert tokenizer.vocab_size == 6


def test_encode_maps_unseen_words_to_unk(day5):
    assert fitted(day5, CORPUS).encode("the dog saw a cat!") == [1, 4, 5, 0, 3, 0]


def test_decode_puts_one_space_between_words_and_none_before_punctuation(day5):
    tokenizer = fitted(day5, "Hello, world! How are you?")
    assert tokenizer.decode(tokenizer.encode("Hello, world! How are you?")) == "Hello, world! How are you?", (
        "decode는 토큰 사이에 빈칸 하나, 문장부호 앞에는 빈칸 없이"
    )


def test_decode_is_lossy_white_space_and_unknown_words(day5):
    tokenizer = fitted(day5, CORPUS)
    assert tokenizer.decode(tokenizer.encode("the   dog\nsaw  a cat .")) == "the dog saw <unk> cat.", (
        "빈칸을 뺄 토큰은 문장부호(PUNCTUATION)뿐입니다: '<unk>'나 'x_1' 앞에는 빈칸을 넣습니다"
    )


def test_min_freq_drops_rare_words(day5):
    tokenizer = fitted(day5, "a b a c a b", min_freq=2)
    assert tokenizer.token_to_id == {"<unk>": 0, "a": 1, "b": 2}
    assert tokenizer.encode("a c") == [1, 0]


def test_max_vocab_counts_every_token_including_reserved_ones(day5):
    tokenizer = fitted(day5, "a b a c a b d", max_vocab=4, special_tokens=["<pad>"])
    assert tokenizer.token_to_id == {"<unk>": 0, "<pad>": 1, "a": 2, "b": 3}, (
        "max_vocab은 예약 토큰까지 포함한 전체 어휘 크기입니다: max_vocab개가 되면 멈추세요"
    )


def test_max_vocab_cuts_after_ties_are_broken(day5):
    tokenizer = fitted(day5, "zebra mango apple", max_vocab=2)
    assert tokenizer.token_to_id == {"<unk>": 0, "apple": 1}, (
        "동점을 (빈도 내림차순, 단어 오름차순)으로 먼저 정렬한 *다음* max_vocab에서 자르세요:"
        " Counter.most_common(n)은 동점 중 먼저 나온 단어를 고릅니다"
    )


def test_a_word_that_is_also_a_reserved_token_is_not_added_twice(day5):
    tokenizer = fitted(day5, "UNK a UNK b", unk_token="UNK")
    assert tokenizer.token_to_id == {"UNK": 0, "a": 1, "b": 2}, "이미 예약된 토큰과 같은 단어는 다시 넣지 않습니다 (id가 겹치거나 빈 id가 생김)"
    assert tokenizer.id_to_token == {0: "UNK", 1: "a", 2: "b"}


def test_without_unk_token_an_unseen_word_is_an_error_naming_it(day5):
    tokenizer = fitted(day5, CORPUS, unk_token=None)
    assert tokenizer.token_to_id["the"] == 0
    with pytest.raises((KeyError, ValueError)) as error:
        tokenizer.encode("the zebra")
    assert "zebra" in str(error.value)


# --- edge cases and bad input -------------------------------------------------


def test_empty_text(day5):
    tokenizer = fitted(day5, "")
    assert tokenizer.token_to_id == {"<unk>": 0}
    assert tokenizer.encode("  \n ") == []
    assert tokenizer.decode([]) == ""


def test_unknown_id_is_an_error_naming_it(day5, refuses_id):
    refuses_id(lambda ids: fitted(day5, CORPUS).decode([1, *ids]), 999)


# --- laws (hypothesis) --------------------------------------------------------


@given(st.text())
def test_decode_keeps_the_token_sequence(day5, text):
    tokenizer = fitted(day5, text)
    assert tokenizer.tokenize(tokenizer.decode(tokenizer.encode(text))) == tokenizer.tokenize(text)


@given(st.lists(st.sampled_from("a b c d e f . ,".split()), max_size=40), st.integers(1, 3), st.integers(1, 8))
def test_vocabulary_keeps_the_most_frequent_words_within_the_limits(day5, words, min_freq, max_vocab):
    tokenizer = fitted(day5, " ".join(words), min_freq=min_freq, max_vocab=max_vocab)
    counts = {w: words.count(w) for w in set(words)}
    expected = sorted((w for w in counts if counts[w] >= min_freq), key=lambda w: (-counts[w], w))
    assert list(tokenizer.token_to_id) == ["<unk>", *expected][:max_vocab]


WORDS = ["ox", "ant", "yak", "bee", ".", "!", "cat", "elk"]


@given(st.permutations(WORDS), st.lists(st.sampled_from(WORDS), max_size=10), st.integers(1, 9))
def test_a_smaller_max_vocab_keeps_a_prefix_of_the_full_vocabulary(day5, first_seen, more, max_vocab):
    text = " ".join(first_seen + more)  # every word once, in any order, then a few again: many ties
    full = list(fitted(day5, text).token_to_id)
    assert list(fitted(day5, text, max_vocab=max_vocab).token_to_id) == full[:max_vocab], (
        "max_vocab은 완성된 순서(빈도 내림차순, 동점은 단어 오름차순)의 앞에서 자릅니다: 자른 다음 정렬하지 마세요"
    )


@given(st.text(max_size=40), st.integers(0, 300))
def test_only_the_ids_of_the_vocabulary_decode(day5, refuses_id, text, offset):
    tokenizer = fitted(day5, text)
    refuses_id(tokenizer.decode, tokenizer.vocab_size + offset)


@given(st.text(), st.text())
def test_every_string_encodes_to_valid_ids(day5, training_text, text):
    tokenizer = fitted(day5, training_text)
    ids = tokenizer.encode(text)
    assert len(ids) == len(tokenizer.tokenize(text))
    assert all(0 <= i < tokenizer.vocab_size for i in ids)


@given(st.text())
def test_save_then_load_gives_the_same_tokenizer(day5, tmp_path_factory, text):
    tokenizer = fitted(day5, text, min_freq=2, max_vocab=50, special_tokens=["<pad>"])
    path = tmp_path_factory.mktemp("word") / "tokenizer.json"
    tokenizer.save(path)
    loaded = day5.WordTokenizer.load(path)
    assert (loaded.min_freq, loaded.max_vocab) == (2, 50)
    assert loaded.token_to_id == tokenizer.token_to_id
    assert loaded.encode(text) == tokenizer.encode(text)
