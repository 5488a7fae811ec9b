"""Kata 1: CharacterTokenizer -- one token per character.

Read: study_notes/01_tokenization_basics.md#character-tokenizer
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st


def fitted(day5, text, **options):
    tokenizer = day5.CharacterTokenizer(**options)
    tokenizer.fit(text)
    return tokenizer


# --- simple cases -------------------------------------------------------------


def test_fit_numbers_the_distinct_characters_in_sorted_order(day5):
    tokenizer = fitted(day5, "hello")
    assert tokenizer.token_to_id == {"e": 0, "h": 1, "l": 2, "o": 3}, (
        "어휘는 text의 서로 다른 문자를 *정렬한* 순서로 (처음 나온 순서나 빈도가 아니라), id 0부터 빈틈없이"
    )
    assert tokenizer.vocab_size == 4


def test_fit_keeps_upper_and_lower_case_apart(day5):
    tokenizer = fitted(day5, "Hello")
    assert tokenizer.token_to_id == {"H": 0, "e": 1, "l": 2, "o": 3}, "대소문자를 바꾸지 마세요: decode(encode(s))가 s 그대로여야 합니다"


def test_id_to_token_is_the_inverse_map(day5):
    tokenizer = fitted(day5, "hello")
    assert tokenizer.id_to_token == {0: "e", 1: "h", 2: "l", 3: "o"}, "fit은 id_to_token도 {id: token} dict로 채웁니다 (token_to_id의 역)"


def test_encode_maps_each_character_to_its_id(day5):
    assert fitted(day5, "hello").encode("hole") == [1, 3, 2, 0]


def test_decode_joins_the_characters(day5):
    assert fitted(day5, "hello").decode([1, 3, 2, 0]) == "hole"


def test_the_same_characters_give_the_same_vocabulary_in_any_order(day5):
    assert fitted(day5, "cab").token_to_id == fitted(day5, "bcaabc").token_to_id == {"a": 0, "b": 1, "c": 2}


def test_reserved_tokens_come_first_unk_then_specials(day5):
    tokenizer = fitted(day5, "hello", unk_token="<unk>", special_tokens=["<pad>", "<bos>"])
    assert tokenizer.token_to_id == {"<unk>": 0, "<pad>": 1, "<bos>": 2, "e": 3, "h": 4, "l": 5, "o": 6}, (
        "예약 토큰(unk_token, special_tokens)이 어휘의 맨 앞(id 0, 1, ...)에 와야 합니다"
    )
    assert tokenizer.decode([2, 4, 1]) == "<bos>h<pad>"


def test_unseen_character_becomes_unk_when_configured(day5):
    tokenizer = fitted(day5, "hello", unk_token="<unk>")
    assert tokenizer.encode("hi!") == [2, 0, 0]


def test_fit_again_replaces_the_vocabulary(day5):
    tokenizer = fitted(day5, "hello")
    tokenizer.fit("abc")
    again = "fit을 다시 하면 이전 어휘가 남지 않아야 합니다: token_to_id와 id_to_token을 모두 새로 만드세요"
    assert tokenizer.token_to_id == {"a": 0, "b": 1, "c": 2}, again
    assert tokenizer.id_to_token == {0: "a", 1: "b", 2: "c"}, again


# --- edge cases ---------------------------------------------------------------


def test_empty_text(day5):
    tokenizer = fitted(day5, "", unk_token="<unk>")
    assert tokenizer.token_to_id == {"<unk>": 0}
    assert tokenizer.encode("") == []
    assert tokenizer.decode([]) == ""
    assert tokenizer.encode("x") == [0]


def test_korean_emoji_crlf_and_nul_are_characters_like_any_other(day5):
    text = "안녕, 세계 👋\r\n\x00"
    tokenizer = fitted(day5, text)
    assert tokenizer.vocab_size == len(set(text)) == 10
    assert list(tokenizer.token_to_id) == sorted(set(text))
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_a_character_already_reserved_is_not_added_twice(day5):
    tokenizer = fitted(day5, "a|b", special_tokens=["|"])
    assert tokenizer.token_to_id == {"|": 0, "a": 1, "b": 2}, "이미 예약된 문자는 다시 넣지 않습니다 (id가 두 개가 되거나 빈 id가 생김)"
    assert tokenizer.encode("b|a") == [2, 0, 1]


# --- bad input ----------------------------------------------------------------


def test_unseen_character_without_unk_is_an_error_naming_it(day5):
    tokenizer = fitted(day5, "hello")
    with pytest.raises((KeyError, ValueError)) as error:
        tokenizer.encode("help")
    assert "p" in str(error.value), "모르는 문자 오류의 메시지에 그 문자를 넣으세요"


def test_unknown_id_is_an_error_naming_it(day5, refuses_id):
    tokenizer = fitted(day5, "hello")
    refuses_id(lambda ids: tokenizer.decode([0, *ids]), 4217)
    with pytest.raises((KeyError, ValueError)):
        tokenizer.decode([-1])  # not the last token: a negative id is unknown too


# --- laws (hypothesis) --------------------------------------------------------


@given(st.text())
def test_decode_inverts_encode_for_every_string(day5, text):
    tokenizer = fitted(day5, text)
    assert tokenizer.decode(tokenizer.encode(text)) == text


@given(st.text(max_size=30), st.integers(0, 300))
def test_only_the_ids_of_the_vocabulary_decode(day5, refuses_id, text, offset):
    tokenizer = fitted(day5, text, unk_token="<unk>")
    assert "".join(tokenizer.decode([i]) for i in range(tokenizer.vocab_size)) == "<unk>" + "".join(sorted(set(text)))
    refuses_id(tokenizer.decode, tokenizer.vocab_size + offset)


@given(st.text(), st.text())
def test_with_unk_every_string_encodes_to_valid_ids(day5, training_text, text):
    tokenizer = fitted(day5, training_text, unk_token="<unk>")
    ids = tokenizer.encode(text)
    assert len(ids) == len(text)
    assert all(0 <= i < tokenizer.vocab_size for i in ids)
    unknown = [i for i, char in enumerate(text) if char not in training_text]
    assert [i for i, token_id in enumerate(ids) if token_id == 0] == unknown


@given(st.text(), st.lists(st.text(min_size=2, max_size=5), max_size=3, unique=True))
def test_vocabulary_is_reserved_tokens_then_sorted_characters(day5, text, specials):
    tokenizer = fitted(day5, text, special_tokens=specials)
    assert list(tokenizer.token_to_id) == specials + sorted(set(text))
    assert list(tokenizer.token_to_id.values()) == list(range(tokenizer.vocab_size))
    assert {i: t for t, i in tokenizer.token_to_id.items()} == tokenizer.id_to_token


@given(st.text())
def test_save_then_load_gives_the_same_tokenizer(day5, tmp_path_factory, text):
    tokenizer = fitted(day5, text, unk_token="<unk>", special_tokens=["<pad>"])
    path = tmp_path_factory.mktemp("char") / "tokenizer.json"
    tokenizer.save(path)
    loaded = day5.CharacterTokenizer.load(path)
    assert loaded.token_to_id == tokenizer.token_to_id
    assert loaded.encode(text + "?") == tokenizer.encode(text + "?")
