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
    Kata(
        slug="data_loader",
        title="DataLoader",
        module="data",
        names=("train_val_split", "DataLoader"),
        tests="tests/day5/test_05_data_loader.py",
        points=10,
        note="study_notes/02_training_loop.md#dataloader",
        hints=(
            "id 목록을 seq_len + 1 길이의 창(window)으로 자릅니다. 창 w는 w * seq_len에서 시작하고, inputs = 창[:-1], targets = 창[1:].",
            "창의 개수는 (len(ids) - 1) // seq_len입니다. shuffle이면 __init__에서 만든 하나의 Generator로 epoch마다 새 순서를 뽑으세요(매번 새로 seed하면 epoch마다 같은 순서).",
            "ids = [5, 8, 2, 9, 4, 7, 1, 3, 6], seq_len=4 -> 창 2개: inputs [[5, 8, 2, 9], [4, 7, 1, 3]], targets [[8, 2, 9, 4], [7, 1, 3, 6]].",
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
            "softmax([1, 2, 3]) ≈ [0.0900, 0.2447, 0.6652]; log_softmax([1e4, 0]) == [0, -1e4] (정확히).",
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
            "손실은 정답 토큰의 -log 확률의 평균입니다: -log_softmax(logits)[..., target]. check_targets로 먼저 입력을 검사하세요.",
            "기울기는 (softmax - onehot) / N입니다. N은 평균에 들어간 위치의 수이고, ignore_index 위치의 기울기는 0입니다.",
            "logits = zeros((1, 4)), target = [2] -> loss = log 4 ≈ 1.3863, perplexity = 4, backward() = [[0.25, 0.25, -0.75, 0.25]].",
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
            "모든 기울기를 하나의 벡터로 이어 붙였을 때의 L2 노름(global norm)을 구하고, max_norm보다 크면 모두 같은 비율로 줄입니다.",
            "비율은 max_norm / (norm + 1e-6)이고 p.grad *= scale로 제자리(in place)에서 바꿉니다. 돌려주는 값은 자르기 *전*의 노름입니다.",
            "grad가 [3, 0]과 [0, 4]이면 norm = 5; max_norm = 1이면 grad는 약 [0.6, 0]과 [0, 0.8]이 되고 5.0을 돌려줍니다.",
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
            "한 걸음은 p.data -= lr * g입니다. momentum이 있으면 속도 v = momentum * v + g를 쌓아 g 대신 씁니다.",
            "weight decay는 g에 weight_decay * p를 더합니다(momentum보다 먼저). nesterov이면 g + momentum * v로 걷습니다. 속도는 매개변수마다 따로, 0에서 시작합니다.",
            "f(x) = x²/2(기울기 x), x0 = 1, lr = 0.1, momentum = 0.9: x1 = 0.9, x2 = 0.9 - 0.1 * (0.9 * 1 + 0.9) = 0.72.",
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
            "m은 기울기의, v는 기울기 제곱의 지수이동평균입니다. 둘 다 0에서 시작하므로 1 - beta**t로 나눠 편향을 보정합니다.",
            "t는 step마다 한 번(매개변수마다가 아니라) 늘립니다. decoupled(AdamW)이면 기울기에 더하지 말고 p *= 1 - lr * weight_decay로 먼저 줄입니다.",
            "첫 걸음은 모든 좌표에서 -lr * g / (|g| + eps)입니다: g = 0.5, lr = 0.1이면 p는 약 0.1만큼 줄어듭니다.",
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
            "배치마다: logits = model(inputs), loss = loss_fn(logits, targets), model.backward(loss_fn.backward()), (clip), optimizer.step(), optimizer.zero_grad().",
            "model.backward는 grad에 *더합니다*. zero_grad를 빼먹으면 기울기가 배치마다 쌓입니다. evaluate의 평균은 배치가 아니라 토큰 수로 가중합니다.",
            "train은 tokenizer.encode(text) -> DataLoader(shuffle=True, seed) -> AdamOptimizer(model.parameters(), lr) -> epoch마다 train_epoch 손실의 평균을 모읍니다.",
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
            "greedy는 np.argmax(같으면 가장 작은 id), temperature는 logits / T, sample은 softmax 확률로 rng.choice를 씁니다.",
            "temperature 0은 0으로 나누지 말고 greedy 하나만 0, 나머지는 -inf로 두세요. logit이 -inf인 id는 확률 0이라 절대 뽑히지 않습니다.",
            "apply_temperature([1, 2, 4], 2) == [0.5, 1, 2]; apply_temperature([1, 2, 4], 0) == [-inf, -inf, 0]; greedy([1, 3, 3, 0.5]) == 1.",
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
            "두 필터 모두 남길 logit은 그대로 두고 나머지를 -inf로 바꿉니다. 높은 순서는 np.argsort(-logits, kind='stable')로 구합니다.",
            "top-p는 확률을 큰 순서로 누적해서 처음으로 p 이상이 되는 토큰까지 *포함*합니다. 그래서 적어도 하나는 남습니다.",
            "확률 [0.5, 0.3, 0.15, 0.05]에서 p = 0.6이면 id 0, 1이 남고(0.5 < 0.6 <= 0.8), p = 0.9이면 id 0, 1, 2가 남습니다.",
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
            "한 토큰씩: model(np.array([ids[-context_size:]]))[0, -1]이 다음 토큰의 logits입니다. 고른 id를 붙이고 다시 묻습니다.",
            "sample 전략은 temperature -> top-k -> top-p 순서로 거른 뒤 self.rng로 뽑습니다. stop_ids의 id가 나오면 (그 id까지 넣고) 멈춥니다.",
            "generate(model, tokenizer, 'The quick', max_length=20)은 프롬프트 토큰을 포함해 모두 20개, 즉 새 토큰 20 - len(encode('The quick'))개입니다.",
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
