"""Optional: the implementation under test against PyTorch itself, step for step (not graded).

Run them with ``pytest -k day5 --torch`` where torch is installed. The graded katas
compare with the reference; these tests show that the reference, and yours, are PyTorch.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbook import implementation



@pytest.fixture(scope="module")
def torch(request):
    if not request.config.getoption("torch"):
        pytest.skip("compares with PyTorch only when asked: pytest --torch")
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def impl(request):
    return lambda module: implementation.load(request.config.getoption("impl"), module)


def twins(torch, parameter, rng, shapes=((2, 3), (4,))):
    """The same random start as our parameters and as torch tensors."""
    start = [rng.normal(size=shape) for shape in shapes]
    return [parameter(x) for x in start], [torch.tensor(x, requires_grad=True) for x in start]


def run_both(torch, ours, theirs, optimizers, rng, steps=10):
    for _ in range(steps):
        for p, t in zip(ours, theirs):
            g = rng.normal(size=p.data.shape)
            p.grad[...] = g
            t.grad = torch.tensor(g)
        for optimizer in optimizers:
            optimizer.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)


@given(st.floats(1e-3, 0.5), st.floats(0, 0.99), st.floats(0, 0.1), st.booleans(), st.integers(0, 2**32 - 1))
def test_sgd_is_torch_sgd(torch, impl, parameter, lr, momentum, weight_decay, nesterov, seed):
    nesterov = nesterov and momentum > 0
    rng = np.random.default_rng(seed)
    ours, theirs = twins(torch, parameter, rng)
    options = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
    run_both(torch, ours, theirs, [impl("optim").SGDOptimizer(ours, **options), torch.optim.SGD(theirs, **options)], rng)


@given(
    st.floats(1e-4, 0.1), st.tuples(st.floats(0, 0.99), st.floats(0, 0.9999)), st.floats(1e-10, 1e-3),
    st.floats(0, 0.1), st.booleans(), st.integers(0, 2**32 - 1),
)
def test_adam_is_torch_adam_and_adamw(torch, impl, parameter, lr, betas, eps, weight_decay, decoupled, seed):
    rng = np.random.default_rng(seed)
    ours, theirs = twins(torch, parameter, rng)
    options = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    torch_optimizer = (torch.optim.AdamW if decoupled else torch.optim.Adam)(theirs, **options)
    run_both(torch, ours, theirs, [impl("optim").AdamOptimizer(ours, decoupled=decoupled, **options), torch_optimizer], rng)


@given(st.floats(1e-3, 10), st.floats(0.01, 100), st.integers(0, 2**32 - 1))
def test_clip_grad_norm_is_torch_clip_grad_norm(torch, impl, parameter, max_norm, scale, seed):
    rng = np.random.default_rng(seed)
    ours, theirs = twins(torch, parameter, rng)
    for p, t in zip(ours, theirs):
        p.grad[...] = rng.normal(size=p.data.shape) * scale
        t.grad = torch.tensor(p.grad.copy())
    norm = impl("losses").clip_grad_norm(ours, max_norm)
    assert norm == pytest.approx(torch.nn.utils.clip_grad_norm_(theirs, max_norm).item(), rel=1e-12)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@given(st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_cross_entropy_and_its_gradient_are_torchs(torch, impl, vocab, seed):
    rng = np.random.default_rng(seed)
    logits, targets = rng.normal(scale=3, size=(2, 3, vocab)), rng.integers(0, vocab, size=(2, 3))
    targets[rng.random(targets.shape) < 0.3] = -100  # torch's default ignore_index
    targets[0, 0] = 0  # at least one position counts
    loss_fn = impl("losses").CrossEntropyLoss(ignore_index=-100)
    loss = loss_fn(logits, targets)
    tensor = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tensor.reshape(-1, vocab), torch.tensor(targets).reshape(-1))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), tensor.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("name, options", [
    ("SGD", dict(lr=0.0, momentum=0.9)),  # a warm-up schedule starts at lr = 0
    ("SGD", dict(lr=0.1, momentum=1.0)),  # momentum >= 1 is allowed
    ("SGD", dict(lr=0.01, momentum=1.5, nesterov=True)),
    ("Adam", dict(lr=0.0)),
    ("Adam", dict(lr=0.1, eps=0.0)),  # the gradients here are never 0, so no 0 / 0
    ("AdamW", dict(lr=0.1, eps=0.0, weight_decay=0.1)),
])
def test_the_edges_of_torchs_hyper_parameters(torch, impl, parameter, name, options):
    rng = np.random.default_rng(0)
    ours, theirs = twins(torch, parameter, rng)
    optim = impl("optim")
    mine = optim.SGDOptimizer(ours, **options) if name == "SGD" else optim.AdamOptimizer(ours, decoupled=name == "AdamW", **options)
    run_both(torch, ours, theirs, [mine, getattr(torch.optim, name)(theirs, **options)], rng)


def test_clip_grad_norm_to_zero_zeroes_the_gradients_as_torch_does(torch, impl, parameter):
    rng = np.random.default_rng(0)
    ours, theirs = twins(torch, parameter, rng)
    for p, t in zip(ours, theirs):
        p.grad[...] = rng.normal(size=p.data.shape)
        t.grad = torch.tensor(p.grad.copy())
    norm = impl("losses").clip_grad_norm(ours, 0.0)
    assert norm == pytest.approx(torch.nn.utils.clip_grad_norm_(theirs, 0.0).item(), rel=1e-12)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
