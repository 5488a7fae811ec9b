"""The catalogue of realistic learner bugs, kata by kata.

Each entry is a mistake people make when they write the kata: an edit (or a few) of
the reference's solution regions in ``solutions/day5``, the way a learner would
describe what they wrote, and the diagnosis a learner should read when a test catches
it. Each edit's old text must occur exactly once in its file and lie inside one of the
kata's regions, so the catalogue notices when the reference changes (``day5 mutants``
fails on such an entry; fix the snippet).

An *equivalent* rewrite is not a bug, however odd it looks; ``REJECTED`` lists the
ones considered and why they are not in the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str  # "<kata slug>-<n>"
    kata: str  # the kata's slug (workbook/katas.py)
    bug: str  # what the learner wrote, as they would say it
    diagnosis: str  # what the learner should read (the failing test's message says the same)
    edits: tuple[tuple[str, str], ...]  # (old, new) source snippets

    def applied_to(self, text: str) -> str:
        for old, new in self.edits:
            text = text.replace(old, new, 1)
        return text


CATALOGUE: list[Mutant] = []


def bug(kata: str, description: str, diagnosis: str, *edits: tuple[str, str]) -> None:
    n = sum(m.kata == kata for m in CATALOGUE) + 1
    CATALOGUE.append(Mutant(f"{kata}-{n}", kata, description, diagnosis, tuple(edits)))


# --- kata 1: CharacterTokenizer -------------------------------------------------

K = "character_tokenizer"
CHAR_FIT_END = "*sorted(set(text))]:\n            self.token_to_id.setdefault(token, len(self.token_to_id))\n        self.id_to_token = {i: token for token, i in self.token_to_id.items()}\n"
bug(K, "the vocabulary holds only the characters of the text; I forgot the reserved tokens",
    "예약 토큰(unk_token, special_tokens)이 어휘의 맨 앞(id 0, 1, ...)에 와야 합니다",
    ("for token in [*self.reserved_tokens, *sorted(set(text))]:", "for token in sorted(set(text)):"))
bug(K, "characters are numbered in the order they first appear",
    "문자는 처음 나온 순서가 아니라 정렬한 순서로 번호를 붙입니다",
    ("[*self.reserved_tokens, *sorted(set(text))]", "[*self.reserved_tokens, *dict.fromkeys(text)]"))
bug(K, "characters are numbered by frequency, like the word tokenizer",
    "문자는 빈도가 아니라 정렬한 순서로 번호를 붙입니다",
    ("[*self.reserved_tokens, *sorted(set(text))]", "[*self.reserved_tokens, *sorted(set(text), key=text.count, reverse=True)]"))
bug(K, "fit fills token_to_id but leaves id_to_token as it was",
    "fit은 token_to_id와 id_to_token을 둘 다 새로 채워야 합니다 (id_to_token이 token_to_id의 역)",
    (CHAR_FIT_END, CHAR_FIT_END.replace("        self.id_to_token = {i: token for token, i in self.token_to_id.items()}\n", "")))
bug(K, "fit adds the new ids to the old id_to_token instead of replacing it",
    "fit을 다시 하면 이전 어휘가 남지 않아야 합니다: id_to_token도 새로 만드세요",
    (CHAR_FIT_END, CHAR_FIT_END.replace("self.id_to_token = {", "self.id_to_token.update({").replace(".items()}", ".items()})")))
bug(K, "fit adds to the vocabulary of an earlier fit instead of replacing it",
    "fit을 다시 하면 이전 어휘가 남지 않아야 합니다: token_to_id를 예약 토큰부터 새로 만드세요",
    ("        self.token_to_id = {}\n        for token in [*self.reserved_tokens, *sorted(set(text))]:",
     "        for token in [*self.reserved_tokens, *sorted(set(text))]:"))
bug(K, "ids are numbered from 1",
    "id는 0부터 빈틈없이 붙습니다",
    ("        for token in [*self.reserved_tokens, *sorted(set(text))]:\n            self.token_to_id.setdefault(token, len(self.token_to_id))",
     "        for token in [*self.reserved_tokens, *sorted(set(text))]:\n            self.token_to_id.setdefault(token, len(self.token_to_id) + 1)"))
bug(K, "a character that is also a reserved token is numbered again",
    "이미 예약된 문자는 다시 넣지 않습니다 (id가 두 개가 되거나 빈 id가 생김)",
    ("        for token in [*self.reserved_tokens, *sorted(set(text))]:\n            self.token_to_id.setdefault(token, len(self.token_to_id))",
     "        for token in [*self.reserved_tokens, *sorted(set(text))]:\n            self.token_to_id[token] = len(self.token_to_id)"))
bug(K, "id_to_token is a list of the tokens (a negative id wraps around)",
    "id_to_token은 {id: token} dict입니다; 목록이면 -1 같은 id가 오류 없이 마지막 토큰이 됩니다",
    (CHAR_FIT_END, CHAR_FIT_END.replace("{i: token for token, i in self.token_to_id.items()}", "list(self.token_to_id)")))
bug(K, "an unknown character becomes id 0, unk_token or not",
    "unk_token이 없으면 모르는 문자는 id 0이 아니라 그 문자를 담은 오류입니다",
    ("        unknown = self.token_to_id.get(self.unk_token)\n        ids = []\n        for position, char",
     "        unknown = 0\n        ids = []\n        for position, char"))
bug(K, "encode ignores unk_token: an unknown character is always an error",
    "unk_token이 있으면 모르는 문자는 unk_token의 id가 됩니다",
    ("token_id = self.token_to_id.get(char, unknown)", "token_id = self.token_to_id.get(char)"))
bug(K, "encode skips a character it does not know",
    "모르는 문자를 건너뛰면 안 됩니다: unk_token의 id, 또는 그 문자를 담은 오류",
    ("        unknown = self.token_to_id.get(self.unk_token)\n        ids = []\n        for position, char in enumerate(check_type(\"text\", text, str)):\n            token_id = self.token_to_id.get(char, unknown)\n            if token_id is None:\n",
     "        unknown = self.token_to_id.get(self.unk_token)\n        ids = []\n        for position, char in enumerate(check_type(\"text\", text, str)):\n            token_id = self.token_to_id.get(char, unknown)\n            if token_id is None:\n                continue\n"))
bug(K, "the error for an unknown character does not say which one",
    "모르는 문자 오류의 메시지에 그 문자를 넣으세요",
    ('f"character {char!r} at position {position} is not in the vocabulary"\n                    " (fit on text that contains it, or set unk_token)"',
     '"a character is not in the vocabulary"'))
bug(K, "decode skips an id it does not know",
    "모르는 id는 건너뛰지 말고 그 id를 담은 오류로",
    ('return "".join(self.id_to_token[i] for i in as_id_list(ids))', 'return "".join(self.id_to_token.get(i, "") for i in as_id_list(ids))'))
bug(K, "decode looks ids up in the list of tokens (a negative id wraps around)",
    "모르는 id(음수 포함)는 오류입니다: 토큰 목록의 인덱스로 쓰면 -1이 마지막 토큰이 됩니다",
    ('return "".join(self.id_to_token[i] for i in as_id_list(ids))',
     'tokens = list(self.token_to_id)\n            return "".join(tokens[i] for i in as_id_list(ids))'))
bug(K, "the vocabulary is built from the lower-cased text",
    "대소문자를 바꾸지 마세요: decode(encode(s))가 s 그대로여야 합니다",
    ("[*self.reserved_tokens, *sorted(set(text))]", "[*self.reserved_tokens, *sorted(set(text.lower()))]"))
bug(K, "decode turns an id outside the vocabulary into the character with that code (chr)",
    "어휘에 없는 id는 chr(id) 같은 글자가 아니라 그 id를 담은 오류입니다",
    ('return "".join(self.id_to_token[i] for i in as_id_list(ids))', 'return "".join(self.id_to_token.get(i, chr(i)) for i in as_id_list(ids))'))

# --- kata 2: WordTokenizer ------------------------------------------------------

K = "word_tokenizer"
WORD_FIT_LOOP = "        for token in [*self.reserved_tokens, *words]:\n            if len(self.token_to_id) == self.max_vocab:\n                break\n            self.token_to_id.setdefault(token, len(self.token_to_id))"
bug(K, "tokenize splits on white space only",
    "문장부호는 단어와 따로 토큰입니다: WORD_PATTERN.findall을 쓰세요",
    ('return WORD_PATTERN.findall(check_type("text", text, str))', "return text.split()"))
bug(K, "tokenize keeps only the words and drops punctuation",
    "문장부호도 토큰입니다: WORD_PATTERN.findall을 쓰세요",
    ('return WORD_PATTERN.findall(check_type("text", text, str))', r'return re.findall(r"\w+", text)'))
bug(K, "tokenize lower-cases the text",
    "대소문자를 바꾸지 마세요: tokenize는 WORD_PATTERN이 찾은 그대로 돌려줍니다",
    ('return WORD_PATTERN.findall(check_type("text", text, str))', "return WORD_PATTERN.findall(text.lower())"))
bug(K, "min_freq keeps only words seen more than min_freq times",
    "min_freq번 나온 단어도 들어갑니다 (n >= min_freq)",
    ("if n >= self.min_freq", "if n > self.min_freq"))
bug(K, "equally frequent words come in reverse alphabetical order",
    "빈도가 같으면 단어 오름차순입니다: key=(-빈도, 단어)",
    ("key=lambda w: (-counts[w], w))", "key=lambda w: (counts[w], w), reverse=True)"))
bug(K, "the vocabulary is Counter.most_common(): ties in the order the words first appear",
    "빈도가 같으면 처음 나온 순서가 아니라 단어 오름차순입니다 (most_common은 동점을 정렬하지 않습니다)",
    ("words = sorted((w for w, n in counts.items() if n >= self.min_freq), key=lambda w: (-counts[w], w))",
     "words = [w for w, n in counts.most_common() if n >= self.min_freq]"))
bug(K, "max_vocab counts only the words, not the reserved tokens",
    "max_vocab은 예약 토큰까지 포함한 전체 어휘 크기입니다",
    ("            if len(self.token_to_id) == self.max_vocab:\n                break\n            self.token_to_id.setdefault(token, len(self.token_to_id))",
     "            if self.max_vocab is not None and len(self.token_to_id) - len(self.reserved_tokens) == self.max_vocab:\n                break\n            self.token_to_id.setdefault(token, len(self.token_to_id))"))
bug(K, "the vocabulary stops only once it holds more than max_vocab tokens",
    "어휘는 max_vocab개를 넘지 않습니다 (max_vocab개가 되면 멈추세요)",
    ("            if len(self.token_to_id) == self.max_vocab:\n                break\n            self.token_to_id.setdefault(token, len(self.token_to_id))",
     "            if self.max_vocab is not None and len(self.token_to_id) > self.max_vocab:\n                break\n            self.token_to_id.setdefault(token, len(self.token_to_id))"))
bug(K, "the vocabulary holds only the words; I forgot the reserved tokens",
    "예약 토큰(unk_token, special_tokens)이 어휘의 맨 앞(id 0, 1, ...)에 와야 합니다",
    (WORD_FIT_LOOP, WORD_FIT_LOOP.replace("[*self.reserved_tokens, *words]", "words")))
bug(K, "a word that is also a reserved token is numbered again",
    "이미 예약된 토큰과 같은 단어는 다시 넣지 않습니다 (id가 겹치거나 빈 id가 생김)",
    (WORD_FIT_LOOP, WORD_FIT_LOOP.replace("self.token_to_id.setdefault(token, len(self.token_to_id))", "self.token_to_id[token] = len(self.token_to_id)")))
bug(K, "an unknown word becomes id 0, unk_token or not",
    "unk_token이 없으면 모르는 단어는 id 0이 아니라 그 단어를 담은 오류입니다",
    ("        unknown = self.token_to_id.get(self.unk_token)\n        ids = []\n        for word in",
     "        unknown = 0\n        ids = []\n        for word in"))
bug(K, "encode skips a word it does not know when there is no unk_token",
    "unk_token이 없으면 모르는 단어는 건너뛰지 말고 그 단어를 담은 오류로",
    ('raise ValueError(f"word {word!r} is not in the vocabulary (set unk_token to allow it)")', "continue"))
bug(K, "decode puts a space before every token, punctuation too",
    "문장부호 앞에는 빈칸을 넣지 않습니다",
    ("if parts and not PUNCTUATION.fullmatch(token):", "if parts:"))
bug(K, "decode puts no space before a token that is not alphanumeric (str.isalnum)",
    "빈칸을 뺄 토큰은 문장부호(PUNCTUATION)뿐입니다: 'x_1'도 단어입니다",
    ("if parts and not PUNCTUATION.fullmatch(token):", "if parts and token.isalnum():"))
bug(K, "decode turns an unknown id into unk_token",
    "모르는 id는 <unk>가 아니라 그 id를 담은 오류입니다",
    ("                token = self.id_to_token[i]", "                token = self.id_to_token.get(i, self.unk_token)"))
bug(K, "max_vocab cuts the words with Counter.most_common before the ties are sorted",
    "동점을 (빈도 내림차순, 단어 오름차순)으로 정렬한 *다음* 자릅니다: most_common(n)은 동점 중 먼저 나온 단어를 고릅니다",
    ("w for w, n in counts.items() if n >= self.min_freq", "w for w, n in counts.most_common(self.max_vocab) if n >= self.min_freq"))

# --- kata 3: get_pair_counts, merge_pair ------------------------------------------

K = "bpe_basics"
bug(K, "pairs are counted two by two, without overlap",
    "이웃한 쌍은 겹쳐서 셉니다: zip(ids, ids[1:])",
    ("return Counter(zip(ids, ids[1:]))", "return Counter(zip(ids[::2], ids[1::2]))"))
bug(K, "each pair is counted once, however often it occurs",
    "쌍마다 나온 횟수를 셉니다 (있다/없다가 아니라)",
    ("return Counter(zip(ids, ids[1:]))", "return dict.fromkeys(zip(ids, ids[1:]), 1)"))
bug(K, "the loop over positions stops one pair early",
    "마지막 쌍까지 셉니다: 쌍의 수는 len(ids) - 1",
    ("return Counter(zip(ids, ids[1:]))", "return Counter((ids[i], ids[i + 1]) for i in range(len(ids) - 2))"))
bug(K, "get_pair_counts returns Counter.most_common(), a list",
    "get_pair_counts는 {(a, b): 횟수} dict를 돌려줍니다",
    ("return Counter(zip(ids, ids[1:]))", "return Counter(zip(ids, ids[1:])).most_common()"))
bug(K, "after a merge the scan moves one step, so overlapping occurrences merge too",
    "병합한 쌍은 두 칸을 건너뜁니다: [1, 1, 1] -> [9, 1]",
    ("            merged.append(new_id)\n            i += 2", "            merged.append(new_id)\n            i += 1"))
bug(K, "the last id is lost when it is not part of a merge",
    "마지막 id도 남겨야 합니다: 쌍이 아니면 그대로 붙이세요",
    ("    while i < len(ids):\n        if ids[i] == first", "    while i < len(ids) - 1:\n        if ids[i] == first"))
bug(K, "merge_pair edits the list it is given",
    "merge_pair는 새 목록을 돌려주고 입력 ids는 바꾸지 않습니다",
    ("    first, second = check_merge(ids, pair, new_id)\n    merged = []\n    i = 0\n    while i < len(ids):\n        if ids[i] == first and i + 1 < len(ids) and ids[i + 1] == second:\n            merged.append(new_id)\n            i += 2\n        else:\n            merged.append(ids[i])\n            i += 1\n    return merged",
     "    merged = ids\n    i = 0\n    while i < len(merged) - 1:\n        if (merged[i], merged[i + 1]) == tuple(pair):\n            merged[i : i + 2] = [new_id]\n        i += 1\n    return merged"))
bug(K, "the pair is matched in either order",
    "쌍 (a, b)는 a 다음에 b일 때만입니다 (순서가 있습니다)",
    ("if ids[i] == first and i + 1 < len(ids) and ids[i + 1] == second:",
     "if i + 1 < len(ids) and {ids[i], ids[i + 1]} == {first, second}:"))
bug(K, "a merge is found by its first id only",
    "쌍의 두 id가 모두 맞아야 병합합니다",
    ("if ids[i] == first and i + 1 < len(ids) and ids[i + 1] == second:", "if ids[i] == first and i + 1 < len(ids):"))
bug(K, "merge_pair scans from the right",
    "왼쪽부터 훑습니다: [1, 1, 1] -> [9, 1]",
    ("    first, second = check_merge(ids, pair, new_id)\n    merged = []\n    i = 0\n    while i < len(ids):\n        if ids[i] == first and i + 1 < len(ids) and ids[i + 1] == second:\n            merged.append(new_id)\n            i += 2\n        else:\n            merged.append(ids[i])\n            i += 1\n    return merged",
     "    first, second = check_merge(ids, pair, new_id)\n    merged = []\n    i = len(ids) - 1\n    while i >= 0:\n        if ids[i] == second and i > 0 and ids[i - 1] == first:\n            merged.append(new_id)\n            i -= 2\n        else:\n            merged.append(ids[i])\n            i -= 1\n    return merged[::-1]"))
bug(K, "merge_pair compares (ids[i], ids[i + 1]) with the pair as given, so a list pair (read from JSON) merges nothing",
    "pair가 list나 배열이어도 병합합니다: first, second = pair로 꺼내 비교하세요",
    ("    first, second = check_merge(ids, pair, new_id)\n    merged = []", "    check_merge(ids, pair, new_id)\n    merged = []"),
    ("if ids[i] == first and i + 1 < len(ids) and ids[i + 1] == second:", "if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:"))

# --- kata 4: SimpleBPETokenizer -----------------------------------------------------

K = "bpe_tokenizer"
bug(K, "special tokens are matched in the order given, not the longest first",
    "특수 토큰이 같은 자리에서 시작하면 가장 긴 것이 이깁니다",
    ("alternatives = sorted(self.special_tokens, key=len, reverse=True)", "alternatives = list(self.special_tokens)"))
bug(K, "special tokens go into the regular expression unescaped",
    "특수 토큰은 regex.escape로 감싸야 합니다 ('<|endoftext|>'의 |는 정규식에서 '또는')",
    ('"|".join(map(regex.escape, alternatives))', '"|".join(alternatives)'))
bug(K, "split drops the special tokens (no capture group)",
    "특수 토큰도 조각으로 남아야 합니다: regex.split의 패턴을 괄호로 감싸세요",
    ('regex.split("(" + "|".join(map(regex.escape, alternatives)) + ")", text)', 'regex.split("|".join(map(regex.escape, alternatives)), text)'))
bug(K, "split runs the pattern over the special tokens too",
    "특수 토큰은 pattern으로 자르지 않고 한 조각으로 둡니다",
    ("if part in self.special_tokens or self.compiled_pattern is None:", "if self.compiled_pattern is None:"))
bug(K, "split keeps the empty strings regex.split leaves",
    "split 결과에 빈 조각이 없어야 합니다",
    ("return check_lossless(list(filter(None, pieces)), text, self.pattern)", "return check_lossless(pieces, text, self.pattern)"))
bug(K, "a tie goes to the pair with the smallest ids",
    "동점이면 바이트열 (vocab[a], vocab[b])이 사전순으로 가장 큰 쌍입니다",
    ("key=lambda p: (vocab[p[0]], vocab[p[1]], -p[0], -p[1])", "key=lambda p: (-p[0], -p[1])"))
bug(K, "a tie goes to the pair with the greatest ids, not the greatest bytes",
    "동점은 id가 아니라 바이트열로 가립니다: 병합된 id 256이 b'b'보다 작은 b'aa'일 수 있습니다",
    ("key=lambda p: (vocab[p[0]], vocab[p[1]], -p[0], -p[1])", "key=lambda p: (p[0], p[1])"))
bug(K, "a tie compares the bytes of the first id only",
    "동점이면 두 id의 바이트열을 모두 비교합니다: (vocab[a], vocab[b])",
    ("key=lambda p: (vocab[p[0]], vocab[p[1]], -p[0], -p[1])", "key=lambda p: (vocab[p[0]], -p[0], -p[1])"))
bug(K, "each distinct piece is counted once, however often it occurs",
    "같은 조각이 여러 번 나오면 그 쌍도 그만큼 셉니다 (조각의 빈도를 곱하세요)",
    ("counts[pair] += n * freqs[w]", "counts[pair] += n"),
    ("counts[p] -= n * freqs[w]", "counts[p] -= n"),
    ("counts[p] += n * freqs[w]", "counts[p] += n"))
bug(K, "the special tokens' text is trained on like any other",
    "특수 토큰은 학습에서 빼야 합니다: 특수 토큰의 바이트는 병합되지 않습니다",
    ("        for token in self.special_tokens:\n            del pieces[token]", "        pass"))
bug(K, "training runs over the whole text, across piece boundaries",
    "쌍은 split()이 나눈 조각의 경계를 넘지 않습니다",
    ("pieces = Counter(self.split(text))", "pieces = Counter([text])"))
bug(K, "a tie goes to the first of the tied pairs counted",
    "동점이면 바이트열 (vocab[a], vocab[b])이 사전순으로 가장 큰 쌍입니다: 먼저 센 쌍이 아니라",
    ("pair = max(tied, key=lambda p: (vocab[p[0]], vocab[p[1]], -p[0], -p[1]))", "pair = tied[0]"))
bug(K, "a merge adds the merged words' new pairs but never takes their old pairs out",
    "병합된 단어의 옛 쌍은 빼야 합니다: (x, a)와 (b, y)는 병합 뒤에 줄어듭니다",
    ("                for p, n in get_pair_counts(old).items():\n                    counts[p] -= n * freqs[w]\n                    if counts[p] == 0:\n                        del counts[p]  # gone from the text (it may come back just below)\n", ""))
bug(K, "a pair whose count falls to 0 stays among the candidates",
    "횟수가 0이 된 쌍은 후보에서 빼야 합니다: 남은 쌍이 없으면 학습을 멈춥니다",
    ("                    if counts[p] == 0:\n                        del counts[p]  # gone from the text (it may come back just below)\n", ""))
bug(K, "the words a merge creates are not noted as holding their new pairs",
    "병합으로 생긴 쌍(new_id를 담은 쌍)을 가진 단어도 where에 적어야 합니다: 'aaab' 같은 긴 토큰",
    ("                    where[p].add(w)\n", ""))
bug(K, "training goes on after the last pair is merged (max of no counts)",
    "더 병합할 쌍이 없으면 오류 없이 멈춥니다: while counts and ...",
    ("        while counts and len(merges) < n_merges:", "        while len(merges) < n_merges:"))
bug(K, "merges learned are added to those of an earlier training",
    "train은 이전 병합을 버리고 새로 배웁니다",
    ("        self._set_merges(merges)\n        ### END SOLUTION", "        self._set_merges([*self.merges, *merges])\n        ### END SOLUTION"))
bug(K, "train fills self.merges itself and never calls _set_merges, so vocab is stale",
    "train이 끝나면 self._set_merges(merges)를 부르세요: vocab에 병합된 토큰의 바이트가 들어갑니다",
    ("        self._set_merges(merges)\n        ### END SOLUTION", "        self.merges = {pair: 256 + k for k, pair in enumerate(merges)}\n        ### END SOLUTION"))
bug(K, "encode merges the leftmost learned pair first, not the earliest learned",
    "encode는 가장 먼저 배운 병합(가장 작은 새 id)부터 적용합니다",
    ("                pair = min(zip(piece_ids, piece_ids[1:]), key=lambda p: self.merges.get(p, math.inf))\n                if pair not in self.merges:\n                    break",
     "                pair = next((p for p in zip(piece_ids, piece_ids[1:]) if p in self.merges), None)\n                if pair is None:\n                    break"))
bug(K, "encode treats a special token's text as ordinary bytes",
    "특수 토큰은 바이트로 쪼개지 않고 자기 id 하나로 encode합니다",
    ("            if piece in self.special_tokens:\n                ids.append(self.special_tokens[piece])\n                continue\n", ""))
bug(K, "encode stops merging when two ids are left",
    "남은 id가 둘이어도 병합할 쌍이 있으면 병합합니다: while len(ids) > 1",
    ("            while len(piece_ids) > 1:", "            while len(piece_ids) > 2:"))
bug(K, "encode applies the latest-learned merge first",
    "encode는 가장 먼저 배운 병합(가장 작은 새 id)부터 적용합니다: 늦게 배운 병합은 앞의 병합으로 만든 id를 씁니다",
    ("pair = min(zip(piece_ids, piece_ids[1:]), key=lambda p: self.merges.get(p, math.inf))",
     "pair = max(zip(piece_ids, piece_ids[1:]), key=lambda p: self.merges.get(p, -1))"))
bug(K, "decode_bytes skips an id it does not know",
    "모르는 id는 건너뛰지 말고 그 id를 담은 오류로",
    ('return b"".join(self.vocab[i] for i in as_id_list(ids))', 'return b"".join(self.vocab.get(i, b"") for i in as_id_list(ids))'))
bug(K, "decode decodes each token on its own",
    "토큰 하나가 UTF-8 문자의 일부일 수 있습니다: 바이트를 모두 이은 다음 한 번에 decode하세요",
    ('return self.decode_bytes(ids).decode("utf-8", errors="replace")',
     'return "".join(self.decode_bytes([i]).decode("utf-8", errors="replace") for i in ids)'))
bug(K, "decode is strict about invalid UTF-8",
    "올바르지 않은 UTF-8은 오류가 아니라 U+FFFD입니다: errors='replace'",
    ('return self.decode_bytes(ids).decode("utf-8", errors="replace")', 'return self.decode_bytes(ids).decode("utf-8")'))
bug(K, "decode_bytes turns an id outside the vocabulary into the byte id % 256",
    "어휘에 없는 id는 바이트로 바꾸지 말고 그 id를 담은 오류로",
    ('return b"".join(self.vocab[i] for i in as_id_list(ids))', 'return b"".join(self.vocab.get(i, bytes([i % 256])) for i in as_id_list(ids))'))

# --- kata 5: train_val_split, DataLoader ---------------------------------------------

K = "data_loader"
bug(K, "the validation part is the first ids, not the last",
    "검증 부분은 맨 뒤의 id입니다 (섞지 않은 앞부분이 학습)",
    ("return ids[:-n_val], ids[-n_val:]", "return ids[n_val:], ids[:n_val]"))
bug(K, "the number of validation ids is rounded down",
    "검증 id의 수는 round(len * val_fraction)입니다 (내림이 아니라 반올림)",
    ("n_val = round(len(ids) * val_fraction)", "n_val = int(len(ids) * val_fraction)"))
bug(K, "every position starts a window (windows overlap by all but one token)",
    "창은 겹치지 않습니다: 창 w는 w * seq_len에서 시작합니다",
    ("self.starts = np.arange(n_windows) * seq_len", "self.starts = np.arange(len(self.ids) - seq_len)"))
bug(K, "windows do not share their border token (stride seq_len + 1)",
    "이웃한 창은 토큰 하나를 같이 씁니다: 창 w는 w * seq_len에서 시작합니다",
    ("n_windows = (len(self.ids) - 1) // seq_len", "n_windows = len(self.ids) // (seq_len + 1)"),
    ("self.starts = np.arange(n_windows) * seq_len", "self.starts = np.arange(n_windows) * (seq_len + 1)"))
bug(K, "the number of windows is len(ids) // seq_len",
    "창의 개수는 (len(ids) - 1) // seq_len입니다: 창 하나는 seq_len + 1개의 id를 씁니다",
    ("n_windows = (len(self.ids) - 1) // seq_len", "n_windows = len(self.ids) // seq_len"))
bug(K, "the targets are the inputs themselves",
    "targets는 inputs를 한 칸 민 것입니다: targets[t]는 inputs[t] 다음 토큰",
    ("yield windows[:, :-1], windows[:, 1:]", "yield windows[:, :-1], windows[:, :-1]"))
bug(K, "inputs and targets are swapped",
    "inputs = 창[:-1], targets = 창[1:] (targets가 한 칸 뒤)",
    ("yield windows[:, :-1], windows[:, 1:]", "yield windows[:, 1:], windows[:, :-1]"))
bug(K, "shuffle draws every epoch from a generator seeded anew, so each epoch has the same order",
    "Generator는 __init__에서 한 번만 만드세요: 매번 새로 seed하면 epoch마다 순서가 같습니다",
    ('self.rng = np.random.default_rng(check_integer("seed", seed, 0, optional=True))', 'self.seed = check_integer("seed", seed, 0, optional=True)'),
    ("starts = self.rng.permutation(self.starts) if self.shuffle else self.starts",
     "starts = np.random.default_rng(self.seed).permutation(self.starts) if self.shuffle else self.starts"))
bug(K, "the seed is not used: the generator is unseeded",
    "shuffle은 seed로 만든 Generator를 씁니다: 같은 seed면 같은 순서",
    ('self.rng = np.random.default_rng(check_integer("seed", seed, 0, optional=True))', "self.rng = np.random.default_rng()"))
bug(K, "shuffle shuffles the token ids instead of the windows",
    "섞는 것은 창의 순서입니다; 토큰을 섞으면 창이 원문의 연속 구간이 아닙니다",
    ("starts = self.rng.permutation(self.starts) if self.shuffle else self.starts",
     "starts = self.starts\n        if self.shuffle:\n            self.ids = self.rng.permutation(self.ids)"))
bug(K, "shuffle is ignored",
    "shuffle=True이면 epoch마다 창의 순서를 섞습니다",
    ("starts = self.rng.permutation(self.starts) if self.shuffle else self.starts", "starts = self.starts"))
bug(K, "drop_last is ignored by len()",
    "drop_last이면 모자란 마지막 배치는 없습니다: len도 그것을 셉니다",
    ("return full + int(rest > 0 and not self.drop_last)", "return full + int(rest > 0)"))
bug(K, "len() rounds down, so the last smaller batch is never yielded",
    "drop_last가 아니면 작은 마지막 배치도 냅니다: 배치 수는 올림",
    ("return full + int(rest > 0 and not self.drop_last)", "return full"))
bug(K, "batch b takes the windows b .. b + batch_size (batches overlap)",
    "배치 b는 창 b * batch_size부터 batch_size개입니다",
    ("starts[b * self.batch_size : (b + 1) * self.batch_size, None]", "starts[b : b + self.batch_size, None]"))
bug(K, "the ids are kept as given instead of through as_token_ids",
    "token_ids는 as_token_ids로 검사하고 int64 배열로 바꾸세요",
    ("self.ids = as_token_ids(token_ids)", "self.ids = np.asarray(token_ids)"))
bug(K, "one pair of arrays is filled again for every batch",
    "배치마다 새 배열을 내세요: 한 배열을 다시 채우면 앞서 받은 배치가 다음 배치로 바뀝니다",
    ("        offsets = np.arange(self.seq_len + 1)\n", "        offsets = np.arange(self.seq_len + 1)\n        buffer = np.empty((self.batch_size, self.seq_len + 1), np.int64)\n"),
    ("            yield windows[:, :-1], windows[:, 1:]",
     "            buffer[: len(windows)] = windows\n            yield buffer[: len(windows), :-1], buffer[: len(windows), 1:]"))
bug(K, "drop_last refuses exactly one full batch",
    "창이 꼭 batch_size개면 꽉 찬 배치 하나입니다: 오류는 창이 batch_size보다 *적을* 때만",
    ("if drop_last and n_windows < batch_size:", "if drop_last and n_windows <= batch_size:"))

# --- kata 6: softmax, log_softmax --------------------------------------------------

K = "softmax"
bug(K, "softmax exponentiates the logits without subtracting the maximum",
    "exp(1e4)는 inf입니다: 먼저 최댓값을 빼세요 (z - z.max(axis, keepdims=True))",
    ("exp = np.exp(z - z.max(axis=axis, keepdims=True))", "exp = np.exp(z)"))
bug(K, "softmax subtracts the maximum of the whole array, not of each row",
    "최댓값은 행마다(axis를 따라) 빼야 합니다: 전체 최댓값을 빼면 작은 행이 0/0이 됩니다",
    ("exp = np.exp(z - z.max(axis=axis, keepdims=True))", "exp = np.exp(z - z.max())"))
bug(K, "softmax divides by the sum over the whole array",
    "합은 axis를 따라 (행마다) 구합니다: 각 행이 확률분포",
    ("return exp / exp.sum(axis=axis, keepdims=True)", "return exp / exp.sum()"))
bug(K, "softmax sums without keepdims",
    "keepdims=True로 모양을 맞추세요: 그렇지 않으면 (B, V) / (B,)가 틀리게 broadcast됩니다",
    ("return exp / exp.sum(axis=axis, keepdims=True)", "return exp / exp.sum(axis=axis)"))
bug(K, "softmax ignores the axis argument",
    "axis 인자를 따르세요 (기본은 마지막 축)",
    ("exp = np.exp(z - z.max(axis=axis, keepdims=True))\n    return exp / exp.sum(axis=axis, keepdims=True)",
     "exp = np.exp(z - z.max(axis=-1, keepdims=True))\n    return exp / exp.sum(axis=-1, keepdims=True)"))
bug(K, "softmax subtracts the maximum in place, changing the caller's array",
    "입력 배열을 제자리에서 바꾸지 마세요 (z -= ...는 호출한 쪽의 logits를 바꿉니다)",
    ("exp = np.exp(z - z.max(axis=axis, keepdims=True))", "z -= z.max(axis=axis, keepdims=True)\n    exp = np.exp(z)"))
bug(K, "softmax works in float32",
    "float64로 계산하세요: float32는 유효숫자가 7자리뿐입니다",
    ("    z = check_logits(logits, axis)\n    exp = np.exp(", "    z = check_logits(logits, axis).astype(np.float32)\n    exp = np.exp("))
bug(K, "log_softmax is the log of softmax",
    "log(softmax)는 softmax가 0으로 underflow하면 -inf입니다: shifted - log(sum(exp(shifted)))",
    ("    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))",
     "    return np.log(np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True))"))
bug(K, "log_softmax does not subtract the maximum",
    "log_softmax도 먼저 최댓값을 빼야 합니다: exp(1e4)는 inf",
    ("    shifted = z - z.max(axis=axis, keepdims=True)\n", "    shifted = z\n"))
bug(K, "log_softmax returns z - log(sum(exp(z - max))), forgetting the max",
    "log_softmax = (z - max) - log(sum(exp(z - max))): 빼낸 최댓값을 결과에도 반영하세요",
    ("return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))", "return z - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))"))
bug(K, "log_softmax ignores the axis argument",
    "axis 인자를 따르세요 (기본은 마지막 축)",
    ("    shifted = z - z.max(axis=axis, keepdims=True)\n    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))",
     "    shifted = z - z.max(axis=-1, keepdims=True)\n    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))"))

# --- kata 7: cross_entropy, perplexity, CrossEntropyLoss --------------------------------

K = "cross_entropy"
bug(K, "cross_entropy returns the sum, not the mean",
    "손실은 정답 토큰의 -log 확률의 평균입니다 (합이 아니라)",
    ("return float(-picked[counted].mean())", "return float(-picked[counted].sum())"))
bug(K, "cross_entropy averages over every position, ignored ones too",
    "ignore_index 위치는 평균에서 뺍니다: 분모는 센 위치의 수",
    ("return float(-picked[counted].mean())", "return float(-(picked * counted).sum() / picked.size)"))
bug(K, "cross_entropy takes the log of softmax",
    "log(softmax)는 큰 logits에서 log 0 = -inf입니다: log_softmax를 쓰세요",
    ("picked = np.take_along_axis(log_softmax(logits), safe[..., None], axis=-1)[..., 0]",
     "picked = np.take_along_axis(np.log(softmax(logits)), safe[..., None], axis=-1)[..., 0]"))
bug(K, "cross_entropy forgets the minus sign",
    "손실은 -log p(정답)입니다: 0 이상",
    ("return float(-picked[counted].mean())", "return float(picked[counted].mean())"))
bug(K, "perplexity is 2 ** loss",
    "손실은 자연로그로 쟀으므로 perplexity = exp(loss)입니다",
    ("return math.exp(loss) if loss < LARGEST_EXPONENT", "return 2**loss if loss < LARGEST_EXPONENT"))
bug(K, "backward forgets to divide by N",
    "기울기는 (softmax - onehot) / N입니다: 평균을 냈으니 N으로 나눕니다",
    ("return (grad / len(rows)).reshape(probs.shape)", "return grad.reshape(probs.shape)"))
bug(K, "backward divides by every position, ignored ones too",
    "N은 평균에 들어간 위치의 수입니다: ignore_index 위치는 세지 않습니다",
    ("return (grad / len(rows)).reshape(probs.shape)", "return (grad / counted.size).reshape(probs.shape)"))
bug(K, "backward leaves the softmax at ignored positions",
    "ignore_index 위치의 기울기는 0입니다",
    ("        grad[~counted.ravel()] = 0\n", ""))
bug(K, "backward subtracts 1 in place from the probabilities it saved",
    "backward는 저장한 softmax를 바꾸면 안 됩니다: 두 번 불러도 같은 기울기 (copy하세요)",
    ("grad = probs.reshape(-1, probs.shape[-1]).copy()", "grad = probs.reshape(-1, probs.shape[-1])"))
bug(K, "backward subtracts 1 at the target columns of every row",
    "1을 빼는 곳은 행마다 그 행의 정답 하나입니다: grad[rows, targets]",
    ("grad[rows, targets.ravel()[rows]] -= 1", "grad[:, targets.ravel()[rows]] -= 1"))
bug(K, "the layer remembers only its first call",
    "backward는 마지막 호출의 기울기입니다: forward마다 저장을 새로 하세요",
    ("self._saved = softmax(logits), targets, counted", "self._saved = self._saved or (softmax(logits), targets, counted)"))
bug(K, "the layer's forward ignores ignore_index",
    "층(CrossEntropyLoss)의 forward도 ignore_index를 넘겨야 합니다",
    ("return cross_entropy(logits, targets, self.ignore_index)", "return cross_entropy(logits, targets)"))
bug(K, "the layer saves every position as counted",
    "ignore_index 위치는 backward에서도 빠집니다: counted를 저장하세요",
    ("self._saved = softmax(logits), targets, counted", "self._saved = softmax(logits), targets, np.ones_like(counted)"))
bug(K, "backward before any call fails with a TypeError from unpacking None",
    "forward 전에 backward를 부르면 무엇을 해야 하는지 말하는 RuntimeError입니다",
    ('        if self._saved is None:\n            raise RuntimeError("call the loss on (logits, targets) before backward()")\n', ""))
bug(K, "cross_entropy returns the loss of every position (no mean)",
    "cross_entropy는 평균 하나(float)를 돌려줍니다",
    ("return float(-picked[counted].mean())", "return -picked[counted]"))
bug(K, "perplexity is math.exp(loss), which overflows for a huge loss",
    "exp가 넘치는 손실(약 709.78 초과)의 perplexity는 OverflowError가 아니라 inf입니다 (torch.exp처럼)",
    ("return math.exp(loss) if loss < LARGEST_EXPONENT else math.inf", "return math.exp(loss)"))

# --- kata 8: clip_grad_norm --------------------------------------------------------

K = "gradient_clipping"
bug(K, "each gradient is clipped to max_norm on its own",
    "노름은 모든 기울기를 이어 붙인 하나의 벡터의 노름(global norm)입니다: 같은 비율로 줄이세요",
    ("    norm = float(np.linalg.norm([np.linalg.norm(p.grad) for p in params])) if params else 0.0\n    scale = max_norm / (norm + 1e-6)\n    if scale < 1:\n        for p in params:\n            p.grad *= scale\n    return norm",
     "    norm = float(np.linalg.norm([np.linalg.norm(p.grad) for p in params])) if params else 0.0\n    for p in params:\n        scale = max_norm / (np.linalg.norm(p.grad) + 1e-6)\n        if scale < 1:\n            p.grad *= scale\n    return norm"))
bug(K, "returns the norm after clipping",
    "돌려주는 값은 자르기 *전*의 노름입니다 (torch와 같이)",
    ("    return norm\n    ### END SOLUTION", "    return min(norm, max_norm)\n    ### END SOLUTION"))
bug(K, "the gradients are replaced by new arrays instead of scaled in place",
    "p.grad *= scale로 제자리에서 바꾸세요: 모델이 같은 배열을 쥐고 있습니다",
    ("            p.grad *= scale", "            p.grad = p.grad * scale"))
bug(K, "short gradients are scaled up to max_norm",
    "노름이 max_norm 이하이면 기울기를 그대로 둡니다 (늘리지 않습니다)",
    ("    if scale < 1:\n        for p in params:\n            p.grad *= scale", "    for p in params:\n        p.grad *= scale"))
bug(K, "the scale is max_norm / norm, without the 1e-6",
    "비율은 max_norm / (norm + 1e-6)입니다 (torch와 같이; 노름 0에서도 나눗셈이 안전)",
    ("scale = max_norm / (norm + 1e-6)", "scale = max_norm / norm if norm else 1.0"))
bug(K, "the 1e-6 is added to the ratio instead of the norm",
    "1e-6은 분모의 노름에 더합니다: max_norm / (norm + 1e-6)",
    ("scale = max_norm / (norm + 1e-6)", "scale = max_norm / norm + 1e-6 if norm else 1.0"))
bug(K, "a generator of parameters is read twice (empty the second time)",
    "params는 generator일 수 있습니다: list(params)로 한 번만 읽으세요",
    ("    params = check_grads(params)\n", "    check_grads(params)\n"))
bug(K, "the global norm is the sum of the gradients' norms",
    "global norm은 노름들의 합이 아니라 sqrt(각 노름의 제곱의 합)입니다",
    ("norm = float(np.linalg.norm([np.linalg.norm(p.grad) for p in params])) if params else 0.0",
     "norm = float(sum(np.linalg.norm(p.grad) for p in params))"))
bug(K, "the global norm is the sum of squares, without the square root",
    "global norm = sqrt(모든 기울기 제곱의 합): 제곱근을 빼먹지 마세요",
    ("norm = float(np.linalg.norm([np.linalg.norm(p.grad) for p in params])) if params else 0.0",
     "norm = float(sum(np.sum(p.grad**2) for p in params))"))
bug(K, "the norm is the largest gradient entry",
    "L2 노름입니다: 가장 큰 값이 아니라 sqrt(제곱의 합)",
    ("norm = float(np.linalg.norm([np.linalg.norm(p.grad) for p in params])) if params else 0.0",
     "norm = float(max((np.abs(p.grad).max(initial=0.0) for p in params), default=0.0))"))
bug(K, "max_norm 0 is refused",
    "max_norm = 0은 torch처럼 모든 기울기를 0으로 만듭니다: 음수만 오류",
    ('check_number("max_norm", max_norm, "[0, inf]")', 'check_number("max_norm", max_norm, "(0, inf]")'))

# --- kata 9: SGDOptimizer --------------------------------------------------------

K = "sgd"
bug(K, "weight decay is added to the step, after the momentum",
    "weight decay는 momentum보다 먼저 기울기에 더합니다: g = g + weight_decay * p",
    ("g = p.grad + self.weight_decay * p.data", "g = p.grad"),
    ("            p.data -= self.lr * g\n", "            p.data -= self.lr * (g + self.weight_decay * p.data)\n"))
bug(K, "weight decay is subtracted from the gradient",
    "weight decay는 기울기에 weight_decay * p를 *더합니다*",
    ("g = p.grad + self.weight_decay * p.data", "g = p.grad - self.weight_decay * p.data"))
bug(K, "the velocity is an average: v = momentum * v + (1 - momentum) * g",
    "torch의 SGD는 v = momentum * v + g입니다 ((1 - momentum)을 곱하지 않습니다)",
    ("v[...] = self.momentum * v + g", "v[...] = self.momentum * v + (1 - self.momentum) * g"))
bug(K, "nesterov is ignored",
    "nesterov이면 g + momentum * v로 걷습니다",
    ("g = g + self.momentum * v if self.nesterov else v", "g = v"))
bug(K, "the velocity is a new local array each step (never stored)",
    "속도는 step 사이에 남아야 합니다: v[...] = ...로 저장한 배열을 바꾸세요 (v = ...는 지역 변수만 바꿉니다)",
    ("v[...] = self.momentum * v + g", "v = self.momentum * v + g"))
bug(K, "nesterov looks ahead with the old velocity",
    "nesterov는 새로 갱신한 v로: g + momentum * v_new",
    ("                v[...] = self.momentum * v + g\n                g = g + self.momentum * v if self.nesterov else v",
     "                ahead = g + self.momentum * v if self.nesterov else None\n                v[...] = self.momentum * v + g\n                g = ahead if self.nesterov else v"))
bug(K, "weight decay is added to the gradient in place",
    "step은 p.grad를 바꾸지 않습니다: g = p.grad + ...로 새 배열을 만드세요",
    ("g = p.grad + self.weight_decay * p.data", "g = p.grad\n            g += self.weight_decay * p.data"))
bug(K, "all parameters share one velocity",
    "속도는 매개변수마다 따로입니다",
    ("self.velocities = [np.zeros_like(p.data) for p in self.params]", "self.velocities = [np.zeros(np.broadcast_shapes(*(p.data.shape for p in self.params)))] * len(self.params)"))
bug(K, "weight decay is ignored",
    "weight_decay이면 g에 weight_decay * p를 더합니다",
    ("g = p.grad + self.weight_decay * p.data", "g = p.grad"))
bug(K, "momentum is ignored",
    "momentum이 있으면 속도 v = momentum * v + g로 걷습니다",
    ("            if self.momentum:\n                v[...]", "            if False:\n                v[...]"))
bug(K, "the step is p += lr * g",
    "기울기의 반대 방향으로 걷습니다: p -= lr * g",
    ("            p.data -= self.lr * g\n", "            p.data += self.lr * g\n"))
bug(K, "a momentum of 1 or more is refused",
    "momentum >= 0이면 받습니다 (torch처럼): 1 미만으로 막지 마세요",
    ('check_number("momentum", momentum, "[0, inf)")', 'check_number("momentum", momentum, "[0, 1)")'))

# --- kata 10: AdamOptimizer -------------------------------------------------------

K = "adam"
bug(K, "no bias correction",
    "m과 v는 0에서 시작합니다: 1 - beta**t로 나눠 편향을 보정하세요 (첫 걸음이 약 lr)",
    ("            denominator = np.sqrt(v) / math.sqrt(correction2) + self.eps\n            p.data -= (self.lr / correction1) * (m / denominator)",
     "            p.data -= self.lr * m / (np.sqrt(v) + self.eps)"))
bug(K, "only m is bias-corrected",
    "v도 1 - beta2**t로 보정합니다",
    ("denominator = np.sqrt(v) / math.sqrt(correction2) + self.eps", "denominator = np.sqrt(v) + self.eps"))
bug(K, "eps inside the square root",
    "eps는 제곱근 밖에서 더합니다: sqrt(v_hat) + eps",
    ("denominator = np.sqrt(v) / math.sqrt(correction2) + self.eps", "denominator = np.sqrt(v / correction2 + self.eps)"))
bug(K, "eps added before the bias correction",
    "eps는 보정한 sqrt(v_hat)에 더합니다: (sqrt(v) + eps) / sqrt(1 - beta2**t)가 아닙니다",
    ("denominator = np.sqrt(v) / math.sqrt(correction2) + self.eps", "denominator = (np.sqrt(v) + self.eps) / math.sqrt(correction2)"))
bug(K, "t is counted per parameter",
    "t는 step마다 한 번 늘립니다 (매개변수마다가 아니라)",
    ("        self.t += 1\n        correction1 = 1 - self.beta1**self.t\n        correction2 = 1 - self.beta2**self.t\n        for p, m, v in zip(self.params, self.m, self.v):\n",
     "        for p, m, v in zip(self.params, self.m, self.v):\n            self.t += 1\n            correction1 = 1 - self.beta1**self.t\n            correction2 = 1 - self.beta2**self.t\n"))
bug(K, "t is increased after the bias correction (t = 0 on the first step)",
    "첫 step에서 t = 1입니다: 보정 전에 t를 늘리세요",
    ("        self.t += 1\n        correction1 = 1 - self.beta1**self.t\n        correction2 = 1 - self.beta2**self.t\n",
     "        correction1 = 1 - self.beta1**self.t\n        correction2 = 1 - self.beta2**self.t\n        self.t += 1\n"))
bug(K, "beta1 and beta2 swapped",
    "betas = (beta1, beta2): beta1은 m, beta2는 v",
    ("self.beta1, self.beta2 = betas", "self.beta2, self.beta1 = betas"))
bug(K, "AdamW decays the weights after the Adam step",
    "decoupled이면 Adam 걸음 *전에* p *= 1 - lr * weight_decay",
    ("            if self.decoupled:\n                p.data *= 1 - self.lr * self.weight_decay\n            else:\n                g = g + self.weight_decay * p.data",
     "            if not self.decoupled:\n                g = g + self.weight_decay * p.data"),
    ("            p.data -= (self.lr / correction1) * (m / denominator)\n",
     "            p.data -= (self.lr / correction1) * (m / denominator)\n            if self.decoupled:\n                p.data *= 1 - self.lr * self.weight_decay\n"))
bug(K, "AdamW decays by weight_decay, not lr * weight_decay",
    "decoupled weight decay는 p *= 1 - lr * weight_decay입니다",
    ("p.data *= 1 - self.lr * self.weight_decay", "p.data *= 1 - self.weight_decay"))
bug(K, "decoupled is ignored: the decay always goes into the gradient",
    "decoupled=True(AdamW)이면 기울기에 더하지 말고 p *= 1 - lr * weight_decay",
    ("            if self.decoupled:\n                p.data *= 1 - self.lr * self.weight_decay\n            else:\n                g = g + self.weight_decay * p.data",
     "            g = g + self.weight_decay * p.data"))
bug(K, "m and v are new local arrays each step (never stored)",
    "m과 v는 step 사이에 남아야 합니다: m[...] = ...로 저장한 배열을 바꾸세요",
    ("m[...] = self.beta1 * m + (1 - self.beta1) * g", "m = self.beta1 * m + (1 - self.beta1) * g"),
    ("v[...] = self.beta2 * v + (1 - self.beta2) * g * g", "v = self.beta2 * v + (1 - self.beta2) * g * g"))
bug(K, "m and v share one buffer",
    "m과 v는 따로 저장합니다 (같은 배열을 쓰면 서로 덮어씁니다)",
    ("self.v = [np.zeros_like(p.data) for p in self.params]", "self.v = self.m"))
bug(K, "L2 weight decay is added to the gradient in place",
    "step은 p.grad를 바꾸지 않습니다: g = g + weight_decay * p로 새 배열을",
    ("                g = g + self.weight_decay * p.data", "                g += self.weight_decay * p.data"))
bug(K, "v is the average of |g|, not of g squared",
    "v는 기울기 *제곱*의 지수이동평균입니다",
    ("v[...] = self.beta2 * v + (1 - self.beta2) * g * g", "v[...] = self.beta2 * v + (1 - self.beta2) * np.abs(g)"))
bug(K, "eps 0 is refused",
    "eps = 0도 받습니다 (torch처럼 eps >= 0)",
    ('check_number("eps", eps, "[0, inf)")', 'check_number("eps", eps, "(0, inf)")'))

# --- kata 11: train_epoch, evaluate, train ----------------------------------------------

K = "training_loop"
bug(K, "no zero_grad: gradients pile up from batch to batch",
    "model.backward는 grad에 *더합니다*: step 뒤에 optimizer.zero_grad()",
    ("        optimizer.step()\n        optimizer.zero_grad()\n        losses.append(loss)", "        optimizer.step()\n        losses.append(loss)"))
bug(K, "zero_grad between backward and step",
    "zero_grad는 step *뒤에*: backward 직후에 부르면 step이 0 기울기로 걷습니다",
    ("        model.backward(loss_fn.backward())\n", "        model.backward(loss_fn.backward())\n        optimizer.zero_grad()\n"),
    ("        optimizer.step()\n        optimizer.zero_grad()\n        losses.append(loss)", "        optimizer.step()\n        losses.append(loss)"))
bug(K, "clipping after the step",
    "자르기는 backward와 step *사이*입니다",
    ("        if max_grad_norm is not None:\n            clip_grad_norm(model.parameters(), max_grad_norm)\n        optimizer.step()\n",
     "        optimizer.step()\n        if max_grad_norm is not None:\n            clip_grad_norm(model.parameters(), max_grad_norm)\n"))
bug(K, "max_grad_norm is ignored",
    "max_grad_norm이 주어지면 step 전에 clip_grad_norm(model.parameters(), max_grad_norm)",
    ("        if max_grad_norm is not None:\n            clip_grad_norm(model.parameters(), max_grad_norm)\n", ""))
bug(K, "clipping always at 1.0",
    "자르는 값은 max_grad_norm입니다 (1.0 고정이 아니라)",
    ("            clip_grad_norm(model.parameters(), max_grad_norm)\n", "            clip_grad_norm(model.parameters(), 1.0)\n"))
bug(K, "train_epoch returns the last loss only",
    "train_epoch는 step마다의 손실 목록을 돌려줍니다",
    ("    return losses\n    ### END SOLUTION", "    return [loss]\n    ### END SOLUTION"))
bug(K, "evaluate averages the batch losses",
    "evaluate의 평균은 배치가 아니라 토큰 수로 가중합니다 (작은 마지막 배치)",
    ("        total += loss * targets.size\n        count += targets.size", "        total += loss\n        count += 1"))
bug(K, "evaluate runs backward like the training loop",
    "evaluate는 아무것도 바꾸지 않습니다: backward를 부르지 마세요 (grad가 쌓입니다)",
    ("        loss = cross_entropy(model(inputs), targets)\n",
     "        loss_fn = CrossEntropyLoss()\n        loss = loss_fn(model(inputs), targets)\n        model.backward(loss_fn.backward())\n"))
bug(K, "evaluate returns the perplexity of the last batch",
    "perplexity는 전체 평균 손실의 exp입니다",
    ("    return mean, perplexity(mean)", "    return mean, perplexity(loss)"))
bug(K, "train ignores the seed",
    "train은 DataLoader(shuffle=True, seed=seed)로 섞습니다",
    ("shuffle=True, seed=seed)", "shuffle=True)"))
bug(K, "train does not shuffle",
    "train은 섞은 DataLoader(shuffle=True, seed)를 씁니다",
    ("shuffle=True, seed=seed)", "shuffle=False, seed=seed)"))
bug(K, "train ignores lr",
    "AdamOptimizer(model.parameters(), lr=lr): lr을 넘기세요",
    ("optimizer = AdamOptimizer(model.parameters(), lr=lr)", "optimizer = AdamOptimizer(model.parameters())"))
bug(K, "train does not pass max_grad_norm on",
    "train은 train_epoch에 max_grad_norm을 넘깁니다",
    ("train_epoch(model, loader, optimizer, max_grad_norm)", "train_epoch(model, loader, optimizer)"))
bug(K, "train records each epoch's last loss, not its mean",
    "train은 epoch마다 train_epoch 손실의 *평균*을 모읍니다",
    ("float(np.mean(train_epoch(model, loader, optimizer, max_grad_norm)))", "float(train_epoch(model, loader, optimizer, max_grad_norm)[-1])"))
bug(K, "train makes a new optimizer every epoch (Adam's state is lost)",
    "optimizer는 한 번만 만드세요: Adam의 m, v, t는 epoch를 넘어 이어집니다",
    ("    optimizer = AdamOptimizer(model.parameters(), lr=lr)\n    return [float(np.mean(train_epoch(model, loader, optimizer, max_grad_norm))) for _ in range(epochs)]",
     "    return [float(np.mean(train_epoch(model, loader, AdamOptimizer(model.parameters(), lr=lr), max_grad_norm))) for _ in range(epochs)]"))
bug(K, "train makes a new loader every epoch (the same order each epoch)",
    "DataLoader는 한 번만 만드세요: 매 epoch 새로 만들면 같은 seed로 같은 순서가 됩니다",
    ("    return [float(np.mean(train_epoch(model, loader, optimizer, max_grad_norm))) for _ in range(epochs)]",
     "    return [float(np.mean(train_epoch(model, DataLoader(ids, batch_size, loader.seq_len, shuffle=True, seed=seed), optimizer, max_grad_norm))) for _ in range(epochs)]"))
bug(K, "train uses seq_len even when the text is shorter",
    "text가 seq_len보다 짧으면 창 길이는 len(ids) - 1입니다",
    ("max(1, min(seq_len, len(ids) - 1))", "seq_len"))
bug(K, "train fits the tokenizer on the text again",
    "train은 이미 fit한 tokenizer를 그대로 씁니다: 다시 fit하면 어휘와 id가 모델과 어긋납니다",
    ("    ids = tokenizer.encode(text)\n", "    tokenizer.fit(text)\n    ids = tokenizer.encode(text)\n"))
bug(K, "evaluate divides by the number of targets without checking that there was a batch",
    "배치가 하나도 없으면 0 / 0이 아니라 'loader'를 말하는 ValueError입니다",
    ('    if count == 0:\n        raise ValueError("the loader yielded no batch: there is no loss to average")\n', ""))

# --- kata 12: greedy, apply_temperature, sample -------------------------------------------

K = "sampling"
bug(K, "greedy returns numpy's integer, not an int",
    "greedy는 파이썬 int를 돌려줍니다: int(np.argmax(...))",
    ("return int(np.argmax(_check_logits(logits)))", "return np.argmax(_check_logits(logits))"))
bug(K, "greedy breaks a tie towards the highest id",
    "동점이면 가장 작은 id입니다 (np.argmax가 그렇게 합니다)",
    ("return int(np.argmax(_check_logits(logits)))", "return int(len(logits) - 1 - np.argmax(_check_logits(logits)[::-1]))"))
bug(K, "greedy returns the highest logit, not its id",
    "greedy는 가장 큰 logit의 *id*(위치)를 돌려줍니다",
    ("return int(np.argmax(_check_logits(logits)))", "return int(np.max(_check_logits(logits)))"))
bug(K, "temperature multiplies the logits",
    "temperature는 logits를 *나눕니다*: T < 1이면 더 뾰족하게",
    ("        scaled = logits / temperature\n", "        scaled = logits * temperature\n"))
bug(K, "temperature 0 divides by zero",
    "temperature 0은 0으로 나누지 말고 greedy 하나만 0, 나머지는 -inf",
    ("    if temperature == 0:\n        kept = np.full_like(logits, -np.inf)", "    if temperature is None:\n        kept = np.full_like(logits, -np.inf)"))
bug(K, "temperature 0 keeps every tied maximum",
    "temperature 0은 greedy(가장 작은 id의 최댓값) *하나만* 남깁니다",
    ("kept[greedy(logits)] = 0.0", "kept[logits == logits.max()] = 0.0"))
bug(K, "temperature 0 returns a one-hot vector",
    "temperature 0의 결과는 logits입니다: greedy는 0, 나머지는 확률 0이 되도록 -inf",
    ("kept = np.full_like(logits, -np.inf)", "kept = np.zeros_like(logits)"))
bug(K, "apply_temperature divides the caller's array in place",
    "입력 배열을 제자리에서 바꾸지 마세요: logits / temperature로 새 배열을",
    ("        scaled = logits / temperature\n    return _check_logits(scaled, f\"logits / temperature={temperature}\")\n",
     "        logits /= temperature\n    return logits\n"))
bug(K, "sample draws from numpy's global generator, not rng",
    "sample은 넘겨받은 rng로 뽑습니다: 같은 seed면 같은 id",
    ('rng.random(), side="right"', 'np.random.random(), side="right"'))
bug(K, "sample returns numpy's integer, not an int",
    "sample은 파이썬 int를 돌려줍니다",
    ('return int(ids[np.searchsorted(cumulative, rng.random(), side="right")])', 'return ids[np.searchsorted(cumulative, rng.random(), side="right")]'))
bug(K, "sample exponentiates without subtracting the maximum",
    "exp(logits)는 큰 logit에서 inf(작은 logit에서 0)가 됩니다: 최댓값을 빼고 exp",
    ("np.cumsum(np.exp(logits[ids] - logits.max()))", "np.cumsum(np.exp(logits[ids]))"))
bug(K, "sample returns the most probable id",
    "sample은 softmax 확률에 따라 *뽑습니다*: 가장 큰 것만 고르면 greedy",
    ('return int(ids[np.searchsorted(cumulative, rng.random(), side="right")])', "return int(ids[np.argmax(cumulative > 0.5)])"))
bug(K, "sample draws uniformly among the ids",
    "id마다 확률은 softmax(logits)입니다 (균등하지 않습니다)",
    ('return int(ids[np.searchsorted(cumulative, rng.random(), side="right")])', "return int(ids[rng.integers(len(cumulative))])"))
bug(K, "a tiny positive temperature is treated as 0 (greedy)",
    "temperature 1e-6도 logits를 나눕니다: greedy는 temperature 0일 때뿐",
    ("    if temperature == 0:\n", "    if temperature < 1e-4:\n"))
bug(K, "sample returns the place of the drawn id among those left, not the id",
    "-inf를 뺀 배열에서의 위치가 아니라 원래 id를 돌려주세요: ids[...]",
    ('return int(ids[np.searchsorted(cumulative, rng.random(), side="right")])', 'return int(np.searchsorted(cumulative, rng.random(), side="right"))'))

# --- kata 13: top_k_filter, top_p_filter -----------------------------------------------

K = "top_k_top_p"
bug(K, "top-k keeps every logit at least as high as the k-th (ties at the border all kept)",
    "정확히 k개를 남깁니다: 경계의 동점은 작은 id가 이깁니다",
    ("    filtered = np.full_like(logits, -np.inf)\n    filtered[order[:k]] = logits[order[:k]]\n    return filtered\n",
     "    kth = np.sort(logits)[::-1][min(k, len(logits)) - 1]\n    filtered = np.where(logits >= kth, logits, -np.inf)\n    return filtered\n"))
bug(K, "top-k sorts ascending and reverses (ties at the border go to the higher ids)",
    "경계의 동점은 작은 id가 이깁니다: np.argsort(-logits, kind='stable')",
    ('order = np.argsort(-logits, kind="stable")  # highest first', 'order = np.argsort(logits, kind="stable")[::-1]  # highest first'))
bug(K, "top-k keeps the k lowest",
    "top-k는 *가장 높은* k개를 남깁니다",
    ('order = np.argsort(-logits, kind="stable")  # highest first', 'order = np.argsort(logits, kind="stable")  # highest first'))
bug(K, "top-k sorts without kind='stable'",
    "동점의 순서는 np.argsort(..., kind='stable')만 지킵니다: 경계의 동점은 작은 id가 이깁니다",
    ('order = np.argsort(-logits, kind="stable")  # highest first', 'order = np.argsort(-logits)  # highest first'))
bug(K, "top-k keeps k - 1",
    "정확히 min(k, V)개를 남깁니다",
    ("filtered[order[:k]] = logits[order[:k]]", "filtered[order[: k - 1]] = logits[order[: k - 1]]"))
bug(K, "top-p drops the token that crosses p",
    "top-p는 누적 확률이 처음으로 p 이상이 되는 토큰까지 *포함*합니다",
    ("n_kept = min(int(np.searchsorted(total, p)) + 1, len(order))", "n_kept = max(int(np.searchsorted(total, p)), 1)"))
bug(K, "top-p stops when the total exceeds p, not when it reaches it",
    "누적이 정확히 p가 되면 거기서 멈춥니다 (p *이상*)",
    ("n_kept = min(int(np.searchsorted(total, p)) + 1, len(order))", 'n_kept = min(int(np.searchsorted(total, p, side="right")) + 1, len(order))'))
bug(K, "top-p adds up the probabilities in id order",
    "확률이 큰 순서로 누적합니다 (id 순서가 아니라)",
    ('order = candidates[np.argsort(-logits[candidates], kind="stable")]', "order = candidates"))
bug(K, "top-p returns the log-probabilities of the kept tokens",
    "거르기는 남긴 logit을 바꾸지 않습니다 (log 확률로 바꾸지 마세요)",
    ("filtered[order[:n_kept]] = logits[order[:n_kept]]", "filtered[order[:n_kept]] = np.log(probs[order[:n_kept]])"))
bug(K, "top-p ranks the tokens by probability without a stable sort (ties in any order)",
    "확률이 같으면 작은 id가 먼저입니다: kind='stable'",
    ('order = candidates[np.argsort(-logits[candidates], kind="stable")]', "order = candidates[np.argsort(-logits[candidates])]"))
bug(K, "top-p keeps the tokens whose own probability is at least 1 - p",
    "top-p는 확률을 큰 순서로 *누적*해서 p에 닿는 가장 작은 집합입니다",
    ("n_kept = min(int(np.searchsorted(total, p)) + 1, len(order))", "n_kept = max(int(np.sum(probs[order] >= 1 - p)), 1)"))
bug(K, "top-p keeps one token too many",
    "누적 확률이 처음으로 p 이상이 되는 토큰에서 멈춥니다 (하나 더가 아니라)",
    ("n_kept = min(int(np.searchsorted(total, p)) + 1, len(order))", "n_kept = min(int(np.searchsorted(total, p)) + 2, len(order))"))
bug(K, "top-p ranks only the above-average tokens, even when they hold less than p together",
    "평균 이상인 토큰들의 확률 합이 p에 못 미치면 더 넓은 후보에서 다시 셉니다",
    ("for bound in (1 / len(probs), (1 - p) / len(probs), 0.0):", "for bound in (1 / len(probs),):"))
bug(K, "top-p finds the first total that reaches p with np.argmax (when rounding leaves every total short of p, it keeps one token)",
    "누적 확률이 반올림으로 p에 못 미치면 모든 토큰을 남깁니다: np.argmax(total >= p)는 그때 0입니다",
    ("n_kept = min(int(np.searchsorted(total, p)) + 1, len(order))", "n_kept = int(np.argmax(total >= p)) + 1"))

# --- kata 14: TextGenerator, generate ---------------------------------------------------

K = "text_generator"
bug(K, "the whole history goes to the model, not the last context_size ids",
    "모델에는 마지막 model.context_size개의 id만 보냅니다",
    ("context = np.array([ids[-self.model.context_size :]])", "context = np.array([ids])"))
bug(K, "the first context_size ids go to the model",
    "모델에는 *마지막* context_size개의 id를 보냅니다",
    ("context = np.array([ids[-self.model.context_size :]])", "context = np.array([ids[: self.model.context_size]])"))
bug(K, "the logits of the first position are used",
    "다음 토큰의 logits는 마지막 위치의 것입니다: model(context)[0, -1]",
    ("logits = self.model(context)[0, -1]", "logits = self.model(context)[0, 0]"))
bug(K, "temperature is applied after top-p",
    "순서는 temperature -> top-k -> top-p입니다: top-p는 temperature를 적용한 확률로 거릅니다",
    ("        logits = apply_temperature(logits, temperature)\n        if top_k is not None:\n            logits = top_k_filter(logits, top_k)\n        if top_p is not None:\n            logits = top_p_filter(logits, top_p)\n",
     "        if top_k is not None:\n            logits = top_k_filter(logits, top_k)\n        if top_p is not None:\n            logits = top_p_filter(logits, top_p)\n        logits = apply_temperature(logits, temperature)\n"))
bug(K, "top_k is ignored",
    "top_k가 주어지면 top_k_filter로 거릅니다",
    ("        if top_k is not None:\n            logits = top_k_filter(logits, top_k)\n", ""))
bug(K, "top_p is ignored",
    "top_p가 주어지면 top_p_filter로 거릅니다",
    ("        if top_p is not None:\n            logits = top_p_filter(logits, top_p)\n", ""))
bug(K, "temperature is ignored",
    "sample 전략은 먼저 apply_temperature(logits, temperature)",
    ("        logits = apply_temperature(logits, temperature)\n", ""))
bug(K, "generate does not pass the options on to next_id",
    "generate는 strategy, temperature, top_k, top_p를 next_id에 넘깁니다",
    ("ids.append(self.next_id(ids, strategy, temperature, top_k, top_p))", "ids.append(self.next_id(ids, strategy))"))
bug(K, "generate passes top_k and top_p in the wrong order",
    "next_id(ids, strategy, temperature, top_k, top_p): 순서대로 (또는 이름으로) 넘기세요",
    ("ids.append(self.next_id(ids, strategy, temperature, top_k, top_p))", "ids.append(self.next_id(ids, strategy, temperature, top_p, top_k))"))
bug(K, "the stop id is left out of the text",
    "stop_ids의 id가 나오면 그 id까지 넣고 멈춥니다",
    ("            ids.append(self.next_id(ids, strategy, temperature, top_k, top_p))\n            if ids[-1] in stop_ids:\n                break",
     "            next_id = self.next_id(ids, strategy, temperature, top_k, top_p)\n            if next_id in stop_ids:\n                break\n            ids.append(next_id)"))
bug(K, "stop_ids is checked with `in` on the iterable it was given",
    "stop_ids는 generator일 수도 있습니다: set(stop_ids)로 한 번 읽어 두세요",
    ('        stop_ids = set(as_id_list(stop_ids, "stop_ids"))\n', ""))
bug(K, "stop_ids is ignored",
    "stop_ids의 id가 나오면 멈춥니다",
    ("            if ids[-1] in stop_ids:\n                break\n", ""))
bug(K, "generation stops when any id seen so far (the prompt too) is a stop id",
    "멈추는 것은 *새로 만든* id가 stop_ids에 있을 때입니다: 프롬프트의 id는 상관없습니다",
    ("            if ids[-1] in stop_ids:", "            if stop_ids & set(ids):"))
bug(K, "generate returns the ids, not the text",
    "generate는 decode한 문자열을 돌려줍니다",
    ("        return self.tokenizer.decode(ids)\n", "        return ids\n"))
bug(K, "generate returns the prompt string plus the decoded new ids",
    "결과는 tokenizer.decode(프롬프트 id + 새 id)입니다: 문자열을 이어 붙이면 단어 토크나이저에서 빈칸이 빠집니다",
    ('        ids = list(self.tokenizer.encode(check_type("prompt", prompt, str)))\n', '        ids = list(self.tokenizer.encode(check_type("prompt", prompt, str)))\n        n_prompt = len(ids)\n'),
    ("        return self.tokenizer.decode(ids)\n", "        return prompt + self.tokenizer.decode(ids[n_prompt:])\n"))
bug(K, "the one-liner counts the prompt in characters, not tokens",
    "max_length는 토큰 수입니다: 프롬프트도 len(tokenizer.encode(prompt))개로 셉니다",
    ("new_tokens = max(0, max_length - len(tokenizer.encode(prompt)))", "new_tokens = max(0, max_length - len(prompt))"))
bug(K, "the one-liner generates max_length new tokens",
    "max_length는 프롬프트를 포함한 전체 토큰 수입니다",
    ("new_tokens = max(0, max_length - len(tokenizer.encode(prompt)))", "new_tokens = max_length"))
bug(K, "the one-liner does not pass the seed on",
    "generate(seed=...)는 TextGenerator(model, tokenizer, seed)에 넘깁니다",
    ("TextGenerator(model, tokenizer, seed).generate", "TextGenerator(model, tokenizer).generate"))
bug(K, "the one-liner drops the strategy options",
    "generate의 **strategy는 TextGenerator.generate에 그대로 넘깁니다",
    (".generate(prompt, new_tokens, **strategy)", ".generate(prompt, new_tokens)"))
bug(K, "an unknown strategy samples",
    "모르는 strategy는 오류입니다 ('greedy' 또는 'sample')",
    ("        check_strategy(strategy, temperature, top_k, top_p)\n        context =", "        context ="))
bug(K, "sample draws with a generator seeded anew for every token",
    "self.rng 하나로 계속 뽑습니다: 토큰마다 새로 seed하면 매번 같은 난수",
    ("return sample(logits, self.rng)", "return sample(logits, np.random.default_rng(0))"))
bug(K, "next_id returns what the model gave for the greedy strategy as numpy's integer",
    "next_id는 파이썬 int를 돌려줍니다",
    ("            return greedy(logits)\n", "            return np.argmax(logits)\n"))
bug(K, "generate counts max_new_tokens including the prompt",
    "max_new_tokens는 *새* 토큰의 수입니다 (프롬프트 제외)",
    ("        for _ in range(max_new_tokens):", "        for _ in range(max_new_tokens - len(ids)):"))
bug(K, "top-p is applied before top-k",
    "순서는 temperature -> top-k -> top-p입니다: top-p는 top-k가 남긴 토큰의 확률로 잽니다",
    ("        if top_k is not None:\n            logits = top_k_filter(logits, top_k)\n        if top_p is not None:\n            logits = top_p_filter(logits, top_p)\n",
     "        if top_p is not None:\n            logits = top_p_filter(logits, top_p)\n        if top_k is not None:\n            logits = top_k_filter(logits, top_k)\n"))
bug(K, "a short context is padded with id 0 up to context_size",
    "context_size보다 짧은 ids는 그대로 보냅니다: id 0은 진짜 토큰이고, 모델이 자기 padding으로 채웁니다",
    ("context = np.array([ids[-self.model.context_size :]])",
     "context = np.array([[0] * (self.model.context_size - len(ids[-self.model.context_size :])) + list(ids[-self.model.context_size :])])"))
bug(K, "next_id treats a tiny temperature as greedy",
    "temperature 1e-6도 나누고 sample합니다: greedy는 strategy='greedy'나 temperature 0일 때뿐",
    ('        if strategy == "greedy":\n', '        if strategy == "greedy" or temperature < 1e-4:\n'))
bug(K, "generate leaves the option checks to next_id, so nothing checks them when no token is asked for",
    "generate는 토큰을 만들기 전에 (max_new_tokens=0이어도) check_strategy로 모든 옵션을 검사합니다",
    ("        check_strategy(strategy, temperature, top_k, top_p)\n        ids = list(", "        ids = list("))


# --- considered and rejected: equivalent rewrites, or not bugs under the contract ---------

REJECTED: list[tuple[str, str, str]] = [
    ("word_tokenizer", "max_vocab checked right after adding a token instead of before",
     "equivalent: the vocabulary stops at max_vocab tokens either way (the constructor keeps max_vocab >= the reserved tokens)"),
    ("bpe_tokenizer", "encode applies every merge once, in rank order (for pair in merges: merge_pair)",
     "equivalent: a merge only creates pairs holding its new id, which only later merges can use"),
    ("data_loader", "shuffle permutes self.starts in place each epoch (rng.shuffle)",
     "not a bug: every epoch visits every window once in a new order drawn from the one seeded generator"),
    ("data_loader", "val_fraction checked as 0 <= f <= 1",
     "equivalent: 0 and 1 leave an empty part, which is the same ValueError naming val_fraction"),
    ("cross_entropy", "cross_entropy returns a numpy float64 instead of float",
     "equivalent: numpy.float64 is a subclass of float"),
    ("cross_entropy", "backward clears the saved state (a second backward is an error)",
     "not a bug: PyTorch frees the graph after backward too"),
    ("cross_entropy", "the layer saves the logits and takes the softmax in backward",
     "equivalent unless the caller changes the logits in place between the calls, which nothing here does"),
    ("gradient_clipping", "clip when norm > max_norm instead of when max_norm / (norm + 1e-6) < 1",
     "equivalent except for norms within 1e-6 below max_norm, where the two scales differ by under 1e-6"),
    ("sgd", "the velocity starts as the first gradient (torch's own buffer initialisation)",
     "equivalent: with v = 0, the first update momentum * 0 + g is g"),
    ("sgd", "lr folded into the velocity (v = momentum * v + lr * g; p -= v)",
     "equivalent while lr stays fixed, as in every kata"),
    ("sgd", "p.data = p.data - lr * g instead of in place",
     "equivalent here: the model reads p.data through the same Parameter object"),
    ("sgd", "the momentum branch runs even when momentum is 0",
     "equivalent: v = 0 * v + g is g"),
    ("sampling", "sample searches with side='left'",
     "equivalent but for a draw of exactly 0.0 (probability 2**-53)"),
    ("sampling", "sample uses rng.choice(len(probs), p=softmax(logits))",
     "not a bug: the same draw by contract; it only differs in speed"),
    ("top_k_top_p", "top-p's shortcut ranks the tokens above (1 - p) instead of (1 - p) / V",
     "equivalent: when the candidates fall short of p the reference ranks more tokens, at last every one"),
    ("adam", "bias correction applied to m and v before the update (m_hat, v_hat arrays)",
     "equivalent up to rounding (the tests compare with rtol 1e-10)"),
    ("text_generator", "greedy strategy still applies temperature before argmax",
     "equivalent for any positive temperature"),
    ("training_loop", "max_grad_norm left to clip_grad_norm's own check, after the backward pass",
     "not the learner's to get wrong: given code checks train_epoch's arguments before its region (test_given_code.py)"),
    ("training_loop", "train_epoch calls optimizer.step() on optimizer=None (an AttributeError after the backward pass)",
     "not the learner's to get wrong: given code checks the optimizer and the model before the region (test_given_code.py)"),
]
