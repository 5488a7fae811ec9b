"""Kata 4: SimpleBPETokenizer -- byte-level BPE: train, encode, decode.

Read: study_notes/01_tokenization_basics.md#byte-level-bpe
"""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

EOT = "<|endoftext|>"


def trained(day5, text, vocab_size, **options):
    tokenizer = day5.SimpleBPETokenizer(**options)
    tokenizer.train(text, vocab_size)
    return tokenizer


def recount_merges(reference, pieces, n_merges):
    """The definition of BPE training, recounting every pair before every merge."""
    ops = reference("tokenizers")
    words = Counter(piece.encode("utf-8") for piece in pieces)
    words = [(list(word), n) for word, n in words.items()]
    vocab = {i: bytes([i]) for i in range(256)}
    merges = []
    for new_id in range(256, 256 + n_merges):
        counts = Counter()
        for word, n in words:
            for pair, k in ops.get_pair_counts(word).items():
                counts[pair] += k * n
        if not counts:
            break
        a, b = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]], -p[0], -p[1]))
        merges.append((a, b))
        vocab[new_id] = vocab[a] + vocab[b]
        words = [(ops.merge_pair(word, (a, b), new_id), n) for word, n in words]
    return merges


def encode_by_rank(reference, merges, piece):
    """The definition of encoding: merge the earliest-learned pair until none is left."""
    ops = reference("tokenizers")
    ids = list(piece.encode("utf-8"))
    while (pairs := [p for p in zip(ids, ids[1:]) if p in merges]):
        pair = min(pairs, key=merges.get)
        ids = ops.merge_pair(ids, pair, merges[pair])
    return ids


# --- simple cases -------------------------------------------------------------


def test_with_no_merges_ids_are_the_utf8_bytes(day5):
    tokenizer = trained(day5, "hello", 256)
    assert tokenizer.merges == {}
    assert tokenizer.vocab_size == 256
    assert tokenizer.encode("hé!") == [104, 195, 169, 33]
    assert tokenizer.decode([104, 195, 169, 33]) == "hé!", (
        "토큰 하나가 UTF-8 문자의 일부일 수 있습니다: 바이트를 모두 이은 다음 한 번에 decode하세요"
    )


def test_train_on_aaabdaaabac_by_hand(day5):
    tokenizer = trained(day5, "aaabdaaabac", 259)
    # (a,a) occurs 4 times; then (aa,a) and (a,b) tie at 2 and b"aa" > b"a"; then (aaa,b)
    assert tokenizer.merges == {(97, 97): 256, (256, 97): 257, (257, 98): 258}, (
        "병합으로 새로 생긴 쌍 (256, 97)도 후보입니다; 동점 (aa, a)와 (a, b)는 바이트열이 큰 (aa, a)"
    )
    assert tokenizer.vocab.get(258) == b"aaab", "train이 끝나면 self._set_merges(merges)를 부르세요: vocab에 병합된 토큰의 바이트"
    assert tokenizer.encode("aaabdaaabac") == [258, 100, 258, 97, 99]
    assert tokenizer.vocab_size == 259


def test_a_tie_goes_to_the_lexicographically_greatest_pair(day5):
    tie = "동점이면 바이트열 (vocab[a], vocab[b])이 사전순으로 가장 큰 쌍입니다 (두 id 모두, id가 아니라 바이트로)"
    assert trained(day5, "abcd", 257).merges == {(99, 100): 256}, tie
    assert trained(day5, "dcba", 257).merges == {(100, 99): 256}, tie
    assert trained(day5, "aab", 257).merges == {(97, 98): 256}, tie  # (a, b) > (a, a): the second id decides
    # (c, b) > (c, a) > (a, c); then (c, a) > (a, cb) compares b"c" with b"a", not 97 with 256
    assert list(trained(day5, "cacb", 261).merges) == [(99, 98), (99, 97), (257, 256)], tie
    # after (b, b) = 256, (c, bb) beats (bb, b): b"c" > b"bb" although 256 > 99
    assert list(trained(day5, "cbbb", 259).merges) == [(98, 98), (99, 256), (257, 98)], tie


def test_training_stops_cleanly_when_no_pair_is_left(day5):
    tokenizer = trained(day5, "abab", 1000)
    assert tokenizer.merges == {(97, 98): 256, (256, 256): 257}, "남은 쌍이 없으면 오류 없이 멈춥니다"
    assert tokenizer.vocab_size == 258
    assert tokenizer.encode("abab") == [257], "남은 id가 둘이어도 병합할 쌍이 있으면 병합합니다: while len(ids) > 1"


def test_training_again_replaces_the_merges(day5):
    tokenizer = trained(day5, "aaabdaaabac", 259)
    tokenizer.train("xyxyxy", 257)
    assert tokenizer.merges == {(120, 121): 256}, "train은 이전 병합을 버리고 새로 배웁니다"
    assert tokenizer.vocab[256] == b"xy" and tokenizer.vocab_size == 257, "train은 이전 병합을 버리고 새로 배웁니다"


def test_encode_applies_merges_in_the_order_learned(day5):
    tokenizer = day5.SimpleBPETokenizer.from_merges([(98, 99), (97, 98)])
    assert tokenizer.encode("abc") == [97, 256], "encode는 가장 먼저 배운 병합(가장 작은 새 id)부터 적용합니다 (왼쪽부터가 아니라)"
    assert tokenizer.encode("ab") == [257]


def test_decode_joins_the_bytes_of_merged_tokens(day5):
    tokenizer = trained(day5, "aaabdaaabac", 259)
    assert tokenizer.decode_bytes([258, 100, 257]) == b"aaabdaaa"
    assert tokenizer.decode([258, 100, 257]) == "aaabdaaa"


# --- pre-tokenization and special tokens --------------------------------------


def test_split_without_a_pattern_keeps_the_text_whole(day5):
    assert day5.SimpleBPETokenizer().split("ab cd") == ["ab cd"]


def test_split_with_the_gpt2_pattern(day5):
    tokenizer = day5.SimpleBPETokenizer(pattern=day5.GPT2_PATTERN)
    assert tokenizer.split("Hello world, it's 2024!  ") == ["Hello", " world", ",", " it", "'s", " 2024", "!", "  "]


def test_split_cuts_out_special_tokens(day5):
    tokenizer = day5.SimpleBPETokenizer(pattern=day5.GPT2_PATTERN, special_tokens=[EOT])
    assert tokenizer.split(f"hi{EOT} there{EOT}") == ["hi", EOT, " there", EOT], (
        "특수 토큰은 한 조각으로 잘라 냅니다: regex.escape로 감싼 대안을 괄호로 묶어 regex.split, 특수 토큰은 pattern으로 자르지 않습니다"
    )


def test_pairs_never_cross_a_pre_token(day5):
    tokenizer = trained(day5, "ab ab ab", 300, pattern=day5.GPT2_PATTERN)
    # pieces: "ab", " ab", " ab" -- (b, space) is never a pair
    assert tokenizer.merges == {(97, 98): 256, (32, 256): 257}, "쌍은 split()이 나눈 조각의 경계를 넘지 않습니다"


def test_a_repeated_piece_counts_as_often_as_it_occurs(day5):
    # pieces "xy", " ab", " ab", " ab": (a, b) and (space, a) occur 3 times, (x, y) once
    tokenizer = trained(day5, "xy ab ab ab", 257, pattern=day5.GPT2_PATTERN)
    assert tokenizer.merges == {(97, 98): 256}, "같은 조각이 여러 번 나오면 그 쌍도 그만큼 셉니다 (조각의 빈도를 곱하세요)"


@pytest.mark.parametrize(
    "text, pattern",
    [("babaab", True), ("bb b bb", True), ("the cat sat on the mat. " * 8, True), ("abcab" * 12 + "ba" * 9, False)],
    ids=["babaab", "bb b bb", "the cat sat x8", "abcab x12 ba x9"],
)
def test_counts_fall_after_a_merge_on_repetitive_text(day5, reference, text, pattern):
    options = {"pattern": day5.GPT2_PATTERN if pattern else None}
    tokenizer = trained(day5, text, 300, **options)
    pieces = reference("tokenizers").SimpleBPETokenizer(**options).split(text)
    assert list(tokenizer.merges) == recount_merges(reference, pieces, 300 - 256), (
        "병합 뒤에는 쌍의 횟수가 바뀝니다: 매 병합 전에 모든 쌍을 다시 센 것과 같아야 합니다"
        " (낡은 횟수로 병합하거나, 줄어든 쌍을 버리지 마세요)"
    )


def test_special_tokens_take_the_ids_after_the_merges(day5):
    tokenizer = trained(day5, "aaabdaaabac", 260, special_tokens=[EOT])
    assert len(tokenizer.merges) == 3, "vocab_size는 바이트 256개, 병합, 특수 토큰을 모두 셉니다: 병합 수 = vocab_size - 256 - 특수 토큰 수"
    assert tokenizer.special_tokens == {EOT: 259}
    assert tokenizer.vocab_size == 260


def test_special_tokens_encode_to_their_own_id_and_are_never_merged(day5):
    text = ("hello" + EOT) * 3
    tokenizer = trained(day5, text, 300, special_tokens=[EOT])
    eot = tokenizer.special_tokens[EOT]
    vocab = tokenizer.vocab
    assert all(vocab[i] in b"hello" for i in tokenizer.merges.values()), "특수 토큰은 학습에서 뺍니다: 그 바이트는 병합되지 않습니다"
    assert tokenizer.encode(text) == [tokenizer.encode("hello")[0], eot] * 3, (
        "특수 토큰은 바이트로 쪼개지 않고 자기 id 하나로; encode는 조각마다(반복되는 조각도 매번) id를 이어 붙입니다"
    )
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_the_longest_special_token_wins_where_two_start_together(day5):
    tokenizer = day5.SimpleBPETokenizer(special_tokens=["<a>", "<a><b>"])
    assert "" not in tokenizer.split("x<a><b>y<a>"), "split 결과에 빈 조각이 없어야 합니다 (regex.split이 남기는 빈 문자열을 빼세요)"
    assert tokenizer.split("x<a><b>y<a>") == ["x", "<a><b>", "y", "<a>"], (
        "특수 토큰이 같은 자리에서 시작하면 가장 긴 것이 이깁니다 (길이 내림차순으로 찾으세요)"
    )
    assert tokenizer.encode("<a><b><a>") == [257, 256]


def test_a_special_token_in_the_text_is_found_even_without_training(day5):
    tokenizer = day5.SimpleBPETokenizer(special_tokens=[EOT, "<pad>"])
    assert tokenizer.encode(f"a{EOT}<pad>") == [97, 256, 257]


# --- edge cases ---------------------------------------------------------------


def test_empty_text(day5):
    tokenizer = trained(day5, "", 300)
    assert tokenizer.merges == {}
    assert tokenizer.encode("") == []
    assert tokenizer.decode([]) == ""


@pytest.mark.parametrize("text", ["안녕하세요 안녕", "🙂🙂🙂 👋🏽", "line\r\nline\r\n", "nul\x00nul\x00"])
def test_korean_emoji_crlf_and_nul_round_trip(day5, text):
    tokenizer = trained(day5, text, 270)
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert len(ids) < len(text.encode("utf-8"))


def test_invalid_utf8_decodes_with_the_replacement_character(day5):
    tokenizer = trained(day5, "héllo", 256)
    assert tokenizer.decode([104, 195]) == "h\ufffd"
    assert tokenizer.decode_bytes([104, 195]) == b"h\xc3"
    assert tokenizer.decode([0xFF, 0xFE]) == "\ufffd\ufffd"


# --- bad input ----------------------------------------------------------------


def test_vocab_size_below_256_is_an_error(day5):
    with pytest.raises(ValueError):
        trained(day5, "hello", 255)


def test_vocab_size_must_leave_room_for_special_tokens(day5):
    with pytest.raises(ValueError):
        trained(day5, "hello", 256, special_tokens=[EOT])


def test_unknown_id_is_an_error_naming_it(day5, refuses_id):
    tokenizer = trained(day5, "hello", 256)
    for decode in (tokenizer.decode, tokenizer.decode_bytes):
        refuses_id(lambda ids: decode([104, *ids]), 4000)


def test_a_lone_surrogate_cannot_be_encoded(day5):
    with pytest.raises(ValueError):
        trained(day5, "hello", 256).encode("a\ud800")


# --- laws (hypothesis) --------------------------------------------------------

texts = st.text(max_size=60)
small_alphabet = st.text(alphabet="ab c\n", max_size=60)
patterns = st.sampled_from([None, "gpt2"])


def options(day5, pattern, special):
    return {"pattern": day5.GPT2_PATTERN if pattern else None, "special_tokens": [EOT] if special else []}


@given(small_alphabet, st.integers(256, 270), st.booleans(), st.integers(0, 300))
def test_only_the_ids_of_the_vocabulary_decode(day5, refuses_id, text, vocab_size, special, offset):
    tokenizer = trained(day5, text, vocab_size + special, **options(day5, None, special))
    for decode in (tokenizer.decode_bytes, tokenizer.decode):
        refuses_id(decode, tokenizer.vocab_size + offset)


@given(texts, texts, st.integers(256, 300), patterns, st.booleans())
def test_decode_inverts_encode_for_every_string(day5, training_text, text, vocab_size, pattern, special):
    tokenizer = trained(day5, training_text, vocab_size + special, **options(day5, pattern, special))
    for s in (text, training_text):
        assert tokenizer.decode(tokenizer.encode(s)) == s


@given(texts, st.integers(256, 300), patterns)
def test_encoding_is_never_longer_than_the_utf8_bytes(day5, text, vocab_size, pattern):
    tokenizer = trained(day5, text, vocab_size, **options(day5, pattern, False))
    assert len(tokenizer.encode(text)) <= len(text.encode("utf-8"))


@given(st.one_of(small_alphabet, texts), st.integers(256, 320), patterns, st.booleans())
def test_training_learns_the_merges_that_recounting_every_pair_learns(
    day5, reference, text, vocab_size, pattern, special
):
    opts = options(day5, pattern, special)
    tokenizer = trained(day5, text, vocab_size + special, **opts)
    pieces = [p for p in reference("tokenizers").SimpleBPETokenizer(**opts).split(text) if p != EOT]
    assert list(tokenizer.merges) == recount_merges(reference, pieces, vocab_size - 256)
    assert list(tokenizer.merges.values()) == list(range(256, 256 + len(tokenizer.merges)))


@given(small_alphabet, small_alphabet, patterns)
def test_encode_merges_by_rank(day5, reference, training_text, text, pattern):
    tokenizer = trained(day5, training_text, 280, **options(day5, pattern, False))
    pieces = reference("tokenizers").SimpleBPETokenizer(**options(day5, pattern, False)).split(text)
    expected = [i for piece in pieces for i in encode_by_rank(reference, tokenizer.merges, piece)]
    assert tokenizer.encode(text) == expected


@given(texts, patterns, st.booleans())
def test_split_loses_nothing(day5, text, pattern, special):
    pieces = day5.SimpleBPETokenizer(**options(day5, pattern, special)).split(text + EOT + text)
    assert "".join(pieces) == text + EOT + text
    assert "" not in pieces, "split 결과에 빈 조각이 없어야 합니다 (regex.split이 남기는 빈 문자열을 빼세요)"
    if special:
        assert pieces.count(EOT) == 1


@given(texts)
def test_with_the_gpt2_pattern_every_token_lies_within_one_piece(day5, text):
    tokenizer = trained(day5, text, 290, pattern=day5.GPT2_PATTERN)
    pieces = [piece.encode("utf-8") for piece in tokenizer.split(text)]
    vocab = tokenizer.vocab
    assert all(any(vocab[i] in piece for piece in pieces) for i in tokenizer.merges.values())


@given(texts, st.integers(256, 300), patterns, st.booleans())
def test_training_is_deterministic_and_vocab_matches_merges(day5, text, vocab_size, pattern, special):
    opts = options(day5, pattern, special)
    first, second = (trained(day5, text, vocab_size + special, **opts) for _ in range(2))
    assert first.merges == second.merges
    vocab = first.vocab
    for (a, b), new_id in first.merges.items():
        assert vocab[new_id] == vocab[a] + vocab[b]


@given(texts, texts, patterns, st.booleans())
def test_save_then_load_gives_the_same_encodings(day5, tmp_path_factory, training_text, text, pattern, special):
    opts = options(day5, pattern, special)
    tokenizer = trained(day5, training_text, 290, **opts)
    path = tmp_path_factory.mktemp("bpe") / "tokenizer.json"
    tokenizer.save(path)
    loaded = day5.SimpleBPETokenizer.load(path)
    assert loaded.merges == tokenizer.merges and loaded.special_tokens == tokenizer.special_tokens
    assert loaded.encode(text + EOT) == tokenizer.encode(text + EOT)
