"""The given NumPy model and optimizer base (not a kata, not graded): what the katas stand on.

The model is causal, its backward pass passes a finite-difference check, it adds to
``grad`` (so the loop must zero it), and bad input is a clear error.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def model_module(reference):
    return reference("model")


def tiny(model_module, **options):
    sizes = dict(vocab_size=7, context_size=3, embedding_dim=4, hidden_size=5, dtype=np.float64) | options
    return model_module.MiniLanguageModel(**sizes)


def test_logits_have_shape_batch_time_vocab_and_the_chosen_dtype(model_module):
    ids = np.array([[1, 2, 3, 4], [0, 0, 6, 5]])
    assert tiny(model_module)(ids).shape == (2, 4, 7)
    assert tiny(model_module)(ids).dtype == np.float64
    assert model_module.MiniLanguageModel(vocab_size=7)(ids).dtype == np.float32


def test_the_same_seed_gives_the_same_weights(model_module):
    first, second, other = tiny(model_module, seed=1), tiny(model_module, seed=1), tiny(model_module, seed=2)
    assert all((first.state_dict()[k] == second.state_dict()[k]).all() for k in first.state_dict())
    assert not (first.embedding.data == other.embedding.data).all()


def test_config_rebuilds_the_same_architecture(model_module):
    model = tiny(model_module)
    copy = model_module.MiniLanguageModel(**model.config, dtype=np.float64)
    copy.load_state_dict(model.state_dict())
    ids = np.array([[3, 1, 4, 1, 5]])
    assert (copy(ids) == model(ids)).all()


@given(st.lists(st.integers(0, 6), min_size=2, max_size=12), st.data())
def test_the_model_is_causal(model_module, ids, data):
    t = data.draw(st.integers(0, len(ids) - 2))
    changed = ids[: t + 1] + data.draw(st.lists(st.integers(0, 6), min_size=len(ids) - t - 1, max_size=len(ids) - t - 1))
    model = tiny(model_module)
    before, after = model(np.array([ids])), model(np.array([changed]))
    assert (before[:, : t + 1] == after[:, : t + 1]).all()


def test_a_position_reads_only_the_last_context_size_tokens(model_module):
    model = tiny(model_module)  # context_size = 3
    first, second = model(np.array([[1, 2, 3, 4]])), model(np.array([[6, 2, 3, 4]]))
    assert (first[0, 3] == second[0, 3]).all() and not (first[0, 2] == second[0, 2]).all()


@given(st.integers(0, 2**32 - 1))
def test_backward_matches_central_finite_differences(model_module, seed):
    rng = np.random.default_rng(seed)
    model = tiny(model_module, seed=seed % 1000)
    ids = rng.integers(0, 7, size=(2, 4))
    weights = rng.normal(size=(2, 4, 7))  # the loss is sum(weights * logits), so dloss/dlogits = weights
    model(ids)
    model.backward(weights)
    h = 1e-6
    for name, p in model.named_parameters().items():
        for index in [tuple(rng.integers(0, n) for n in p.data.shape) for _ in range(4)]:
            saved = p.data[index]
            p.data[index] = saved + h
            up = np.sum(weights * model(ids))
            p.data[index] = saved - h
            down = np.sum(weights * model(ids))
            p.data[index] = saved
            assert p.grad[index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7), (name, index)


def test_backward_adds_to_grad(model_module):
    model = tiny(model_module)
    ids, dlogits = np.array([[1, 2]]), np.ones((1, 2, 7))
    model(ids)
    model.backward(dlogits)
    once = [p.grad.copy() for p in model.parameters()]
    model.backward(dlogits)
    for p, g in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g)


def test_state_dict_is_a_copy_and_load_state_dict_checks_it(model_module):
    model = tiny(model_module)
    state = model.state_dict()
    state["output_bias"][:] = 1.0
    assert (model.output_bias.data == 0).all()
    model.load_state_dict(state)
    assert (model.output_bias.data == 1).all()
    with pytest.raises(KeyError, match="missing \\['output_bias'\\]"):
        model.load_state_dict({k: v for k, v in state.items() if k != "output_bias"})
    with pytest.raises(ValueError, match="embedding"):
        model.load_state_dict(state | {"embedding": np.zeros((2, 2))})


@pytest.mark.parametrize(
    "ids, error, problem",
    [
        ([1, 2, 3], ValueError, "shape"),
        ([[1.0, 2.0]], TypeError, "integers"),
        ([[1, 7]], ValueError, "token id 7"),
        ([[-1, 2]], ValueError, "token id -1"),
        (np.zeros((1, 0), dtype=int), ValueError, "time >= 1"),
    ],
)
def test_bad_input_ids_are_clear_errors(model_module, ids, error, problem):
    with pytest.raises(error, match=problem):
        tiny(model_module)(np.array(ids))


def test_backward_needs_a_forward_and_logits_shaped_gradients(model_module):
    model = tiny(model_module)
    with pytest.raises(RuntimeError, match="forward"):
        model.backward(np.zeros((1, 2, 7)))
    model(np.array([[1, 2]]))
    with pytest.raises(ValueError, match="shape"):
        model.backward(np.zeros((1, 3, 7)))


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_sizes_must_be_positive_integers(model_module, size):
    with pytest.raises(ValueError, match="hidden_size"):
        tiny(model_module, hidden_size=size)


# --- the optimizer base ---------------------------------------------------------


def test_zero_grad_resets_every_gradient_in_place(reference):
    params = [reference("model").Parameter(np.array(data)) for data in ([1.0], [1.0, 2.0])]
    for p in params:
        p.grad[...] = 3.0
    grads = [p.grad for p in params]
    reference("optim").Optimizer(params, lr=0.1).zero_grad()
    assert all(p.grad is g and (g == 0).all() for p, g in zip(params, grads))


@pytest.mark.parametrize("lr", [-0.1, -1e-300, float("nan"), float("inf")])
def test_lr_must_be_finite_and_not_negative(reference, lr):
    with pytest.raises(ValueError, match="lr"):
        reference("optim").Optimizer([reference("model").Parameter(np.array([1.0]))], lr=lr)


def test_lr_zero_is_allowed_as_in_torch(reference):
    assert reference("optim").Optimizer([reference("model").Parameter(np.array([1.0]))], lr=0).lr == 0.0  # warm-up starts at 0


def test_an_optimizer_needs_parameters(reference):
    with pytest.raises(ValueError, match="empty"):
        reference("optim").Optimizer([], lr=0.1)
