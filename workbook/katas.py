"""The kata manifest: every kata of Day 5, in learning order.

One place lists what a learner does and in which order. The progress table, the
consistency check and the 50_eval scripts all read it.
"""

from __future__ import annotations

import re
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
            "vocabulary는 reserved token(unk_token, special_tokens) 다음에 text의 서로 다른 문자를 정렬해서 번호를 붙인 표입니다.",
            "token_to_id와 id_to_token을 둘 다 채우세요. 모르는 문자는 unk_token이 있으면 그 id, 없으면 그 문자를 담은 오류입니다.",
            "CharacterTokenizer(unk_token='<unk>')로 'hello'를 fit하면 token_to_id == {'<unk>': 0, 'e': 1, 'h': 2, 'l': 3, 'o': 4}이고 encode('hi') == [2, 0]입니다.",
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
            "WORD_PATTERN.findall로 단어와 문장부호를 나누고(tokenize), 빈도(Counter)로 vocabulary를 만듭니다.",
            "정렬 기준은 (빈도 내림차순, 단어 오름차순)이고, max_vocab은 reserved token까지 포함한 vocabulary 전체의 크기입니다.",
            "'the cat saw the dog.' -> <unk>=0, the=1, .=2, cat=3, dog=4, saw=5(빈도 1끼리는 사전순: '.' < 'cat'); decode([1, 4, 2]) == 'the dog.'",
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
            "이웃한 두 id의 쌍을 셉니다: zip(ids, ids[1:]). merge는 왼쪽부터 한 번 훑으며 쌍을 새 id로 바꾸고, 입력 list는 그대로 둡니다.",
            "쌍을 merge했으면 두 칸(i += 2), 아니면 원소를 그대로 넣고 한 칸(i += 1) 나아갑니다. 그래서 겹치는 쌍은 한 번만 merge됩니다: [1, 1, 1] -> [9, 1].",
            "merge_pair([1, 1, 1, 1, 1], (1, 1), 9): i=0 쌍 -> 9, i=2 쌍 -> 9, i=4 마지막 원소 -> 1, 결과 [9, 9, 1]. get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}.",
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
            "id 0-255는 byte, k번째 merge는 id 256+k입니다. 가장 자주 나오는 쌍을 merge하기를 반복하고, 끝나면 self._set_merges(merges)를 부르세요.",
            "빈도가 같으면 (vocab[a], vocab[b]) byte string 쌍이 사전순으로 가장 큰 쌍입니다. 쌍은 split()이 나눈 piece 경계와 special token을 넘지 않습니다.",
            "'aaabdaaabac'로 vocab_size=259까지 학습하면 merges는 (97, 97), (256, 97), (257, 98)입니다(둘째는 (256, 97)과 (97, 98)이 2번씩 동점, b'aa' > b'a'). encode 결과는 [258, 100, 258, 97, 99].",
        ),
    ),
    Kata(
        slug="data_loader",
        title="DataLoader",
        module="data",
        names=("train_val_split", "DataLoader"),
        tests="tests/day5/test_05_data_loader.py",
        points=10,
        note="study_notes/02_training_loop.md#dataloader",
        hints=(
            "id 목록을 seq_len + 1개짜리 window로 자릅니다. window w는 w * seq_len에서 시작하고, inputs = window[:-1], targets = window[1:]. train_val_split은 섞지 않고 뒤쪽 round(len(ids) * val_fraction)개를 validation으로 뗍니다.",
            "window 개수는 (len(ids) - 1) // seq_len입니다. shuffle이면 __init__에서 만든 Generator 하나로 epoch마다 새 순서를 뽑으세요(매번 새로 seed하면 모든 epoch가 같은 순서).",
            "ids = [5, 8, 2, 9, 4, 7, 1, 3, 6], seq_len=4 -> window 2개(token 4를 공유): inputs [[5, 8, 2, 9], [4, 7, 1, 3]], targets [[8, 2, 9, 4], [7, 1, 3, 6]].",
        ),
    ),
    Kata(
        slug="softmax",
        title="Softmax and log-softmax",
        module="losses",
        names=("softmax", "log_softmax"),
        tests="tests/day5/test_06_softmax.py",
        points=10,
        note="study_notes/03_loss_and_optimization.md#softmax",
        hints=(
            "softmax(z) = exp(z) / sum(exp(z))를 마지막 축(axis)을 따라 계산합니다. keepdims=True로 모양을 맞추세요.",
            "exp(1e4)는 inf입니다. 먼저 최댓값을 빼세요(z - z.max(axis, keepdims=True)). log_softmax는 log(softmax)가 아니라 shifted - log(sum(exp(shifted)))입니다.",
            "softmax([1, 2, 3]) ≈ [0.0900, 0.2447, 0.6652]; softmax([1e4, 0]) == [1, 0]; log_softmax([0, -800]) == [0, -800] (log(softmax)라면 [0, -inf]).",
        ),
    ),
    Kata(
        slug="cross_entropy",
        title="Cross-entropy and perplexity",
        module="losses",
        names=("cross_entropy", "perplexity", "CrossEntropyLoss"),
        tests="tests/day5/test_07_cross_entropy.py",
        points=15,
        note="study_notes/03_loss_and_optimization.md#cross-entropy",
        hints=(
            "loss는 정답 token의 -log 확률의 평균입니다: -log_softmax(logits)[..., target]. check_targets로 먼저 입력을 검사하세요.",
            "gradient는 (softmax - onehot) / N입니다. N은 평균에 들어간 위치의 수이고, ignore_index 위치의 gradient는 0입니다.",
            "logits = zeros((2, 4)), targets = [2, 0] -> loss = log 4 ≈ 1.3863, perplexity = 4, backward() = [[0.125, 0.125, -0.375, 0.125], [-0.375, 0.125, 0.125, 0.125]] (/ N이 없으면 두 배). targets = [2, -100], ignore_index=-100이면 N = 1: [[0.25, 0.25, -0.75, 0.25], [0, 0, 0, 0]].",
        ),
    ),
    Kata(
        slug="gradient_clipping",
        title="Gradient clipping",
        module="losses",
        names=("clip_grad_norm",),
        tests="tests/day5/test_08_gradient_clipping.py",
        points=10,
        note="study_notes/03_loss_and_optimization.md#gradient-clipping",
        hints=(
            "모든 gradient를 하나의 벡터로 이어 붙였을 때의 L2 norm(global norm)을 구하고, max_norm보다 크면 모두 같은 비율로 줄입니다.",
            "비율은 max_norm / (norm + 1e-6)이고 p.grad *= scale로 제자리에서 바꿉니다. 돌려주는 값은 자르기 *전*의 norm입니다.",
            "grad가 [3, 0]과 [0, 4]이면 norm = 5; max_norm = 1이면 grad는 약 [0.6, 0]과 [0, 0.8]이 되고 5.0을 돌려줍니다(parameter마다 자르면 [1, 0]과 [0, 1]).",
        ),
    ),
    Kata(
        slug="sgd",
        title="SGD with momentum",
        module="optim",
        names=("SGDOptimizer",),
        tests="tests/day5/test_09_sgd.py",
        points=10,
        note="study_notes/03_loss_and_optimization.md#sgd",
        hints=(
            "한 step은 p.data -= lr * g입니다. momentum이 있으면 속도(velocity) v = momentum * v + g를 쌓아 g 대신 씁니다.",
            "weight decay는 g에 weight_decay * p를 더합니다(momentum보다 먼저). nesterov이면 g + momentum * v로 나아갑니다. 속도는 parameter마다 따로, __init__에서 0으로 만들어 유지합니다.",
            "f(x) = x²/2(gradient x), x0 = 1, lr = 0.1, momentum = 0.9: x1 = 0.9, x2 = 0.9 - 0.1 * (0.9 * 1 + 0.9) = 0.72(속도를 step마다 새로 만들면 0.81). nesterov=True이면 x1 = 0.81, x2 = 0.5751.",
        ),
    ),
    Kata(
        slug="adam",
        title="Adam and AdamW",
        module="optim",
        names=("AdamOptimizer",),
        tests="tests/day5/test_10_adam.py",
        points=15,
        note="study_notes/03_loss_and_optimization.md#adam",
        hints=(
            "m은 gradient의, v는 gradient 제곱의 지수이동평균입니다. 둘 다 0에서 시작하므로 1 - beta**t로 나눠 bias correction을 합니다.",
            "t는 step()마다 한 번(parameter마다가 아니라) 늘립니다. decoupled(AdamW)이면 gradient에 더하지 말고 p *= 1 - lr * weight_decay로 먼저 줄입니다.",
            "x0 = 1, lr = 0.1, gradient 0.5 다음 -0.25: x1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8) ≈ 0.9, x2 ≈ 0.873366. bias correction이 없으면 x1 ≈ 0.684(약 3.16 lr만큼).",
        ),
    ),
    Kata(
        slug="training_loop",
        title="The training loop",
        module="training",
        names=("train_epoch", "evaluate", "train"),
        tests="tests/day5/test_11_training_loop.py",
        points=20,
        note="study_notes/02_training_loop.md#training-loop",
        hints=(
            "batch마다: logits = model(inputs), loss = loss_fn(logits, targets), model.backward(loss_fn.backward()), (clip), optimizer.step(), optimizer.zero_grad().",
            "model.backward는 grad에 *더합니다*: zero_grad를 빼먹으면 gradient가 batch마다 쌓입니다. evaluate는 forward와 loss만, 평균은 batch가 아니라 token 수(targets.size)로 가중합니다. train은 DataLoader(shuffle=True, seed)와 AdamOptimizer(model.parameters(), lr)를 loop 밖에서 한 번만 만듭니다.",
            "evaluate: window 4, 4, 1개짜리 batch의 loss가 1.0, 1.0, 4.0이면 (4 * 1 + 4 * 1 + 1 * 4) / 9 ≈ 1.333이고 perplexity는 e^1.333 ≈ 3.79입니다(batch 평균 2.0은 틀림). train_epoch는 batch마다의 loss list(길이 len(loader))를 돌려줍니다.",
        ),
    ),
    Kata(
        slug="sampling",
        title="Greedy, temperature, sampling",
        module="generation",
        names=("greedy", "apply_temperature", "sample"),
        tests="tests/day5/test_12_sampling.py",
        points=10,
        note="study_notes/04_text_generation.md#greedy-temperature-sampling",
        hints=(
            "greedy는 np.argmax(같으면 가장 작은 id), temperature는 logits / T, sample은 inverse CDF: 확률의 누적합 totals와 u = rng.random()으로 np.searchsorted(totals, u, side='right').",
            "temperature 0은 0으로 나누지 말고 greedy 자리 하나만 0, 나머지는 -inf로 두세요. logit이 -inf인 id는 확률 0이라 절대 뽑히지 않습니다. 받은 rng를 쓰고, 결과는 int(...)로.",
            "apply_temperature([1, 2, 4], 2) == [0.5, 1, 2]; apply_temperature([1, 2, 4], 0) == [-inf, -inf, 0]; greedy([1, 3, 3, 0.5]) == 1; 확률 [0.25, 0.75]의 totals = [0.25, 1.0]에서 u = 0.1이면 id 0, u = 0.6이면 id 1.",
        ),
    ),
    Kata(
        slug="top_k_top_p",
        title="Top-k and top-p filtering",
        module="generation",
        names=("top_k_filter", "top_p_filter"),
        tests="tests/day5/test_13_top_k_top_p.py",
        points=15,
        note="study_notes/04_text_generation.md#top-k-top-p",
        hints=(
            "두 filter 모두 남길 logit은 그대로 두고 나머지를 -inf로 바꿉니다. 높은 순서는 np.argsort(-logits, kind='stable')로 구합니다.",
            "top-p는 확률을 큰 순서로 누적해서 처음으로 p 이상이 되는 token까지 *포함*합니다. 그래서 적어도 하나는 남습니다.",
            "top_k_filter([5, 1, 1, 1], 2) == [5, 1, -inf, -inf](경계의 동점은 낮은 id). 확률 [0.5, 0.3, 0.15, 0.05]에서 p = 0.6이면 id 0, 1이 남고(0.5 < 0.6 <= 0.8), p = 0.9이면 id 0, 1, 2가 남습니다.",
        ),
    ),
    Kata(
        slug="text_generator",
        title="Text generation",
        module="generation",
        names=("TextGenerator", "generate"),
        tests="tests/day5/test_14_text_generator.py",
        points=15,
        note="study_notes/04_text_generation.md#text-generator",
        hints=(
            "한 token씩: model(np.array([ids[-context_size:]]))[0, -1]이 다음 token의 logits입니다. 고른 id를 붙이고 다시 묻습니다.",
            "sample 전략은 temperature -> top-k -> top-p 순서로 거른 뒤 self.rng로 뽑습니다. stop_ids의 id가 나오면 (그 id까지 붙이고) 멈춥니다.",
            "generate(model, tokenizer, 'The quick', max_length=20)은 prompt를 포함해 모두 20 token입니다: CharacterTokenizer라면 새 token 20 - 9 = 11개, 결과 20문자. prompt가 이미 더 길면 새 token 0개.",
        ),
    ),
)


def kata_for_test_file(name: str) -> Kata | None:
    """The kata whose tests live in the file called ``name`` (a base name), or that
    shares its number: an instructor's private ``test_04_more.py`` belongs to kata 4."""
    number = re.match(r"test_\d\d_", name)
    return next((kata for kata in KATAS if number and kata.test_file.startswith(number.group())), None)


def kata_for_slug(slug: str) -> Kata:
    try:
        return next(kata for kata in KATAS if kata.slug == slug)
    except StopIteration:
        raise KeyError(f"no kata {slug!r}; the katas are {', '.join(kata.slug for kata in KATAS)}") from None


def kata_for_name(qualified_name: str) -> Kata | None:
    """The kata a learner finishes by writing ``qualified_name`` (``"Class.method"`` or a function)."""
    owner = qualified_name.split(".")[0]
    return next((kata for kata in KATAS if owner in kata.names), None)
