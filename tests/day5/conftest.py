"""What several kata files share; the implementation itself comes from the ``day5`` fixture."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def parameter(reference):
    """``parameter(data, grad)``: a float64 ``Parameter`` of the reference model (given code)."""
    Parameter = reference("model").Parameter

    def make(data, grad=None):
        p = Parameter(np.array(data, dtype=np.float64))
        if grad is not None:
            p.grad[...] = grad
        return p

    return make


@pytest.fixture(scope="session")
def step_alongside(parameter):
    """``step_alongside(Ours, Theirs, options, seed, rtol, atol)``: the two optimizer classes,
    from the same random start and with the same random gradients, agree after each of 5 steps."""

    def run(ours_class, theirs_class, options, seed, rtol, atol):
        rng = np.random.default_rng(seed)
        start = [rng.normal(size=(2, 3)), rng.normal(size=4)]
        ours, theirs = [parameter(x) for x in start], [parameter(x) for x in start]
        optimizers = ours_class(ours, **options), theirs_class(theirs, **options)
        for _ in range(5):
            for p, q in zip(ours, theirs):
                p.grad[...] = q.grad[...] = rng.normal(size=p.data.shape)
            for optimizer in optimizers:
                optimizer.step()
            for p, q in zip(ours, theirs):
                np.testing.assert_allclose(p.data, q.data, rtol=rtol, atol=atol)

    return run


@pytest.fixture(scope="session")
def refuses_id():
    """``refuses_id(decode, i)``: ``decode([i])`` of an id outside the vocabulary is an error naming ``i``."""

    def check(decode, i):
        with pytest.raises((KeyError, ValueError)) as error:
            text = decode([i])
            pytest.fail(f"decode([{i}]) returned {text!r}: 어휘에 없는 id는 글자로 바꾸지 말고 그 id를 담은 오류로")
        assert str(i) in str(error.value), f"모르는 id 오류의 메시지에 그 id({i})를 넣으세요"

    return check


@pytest.fixture(scope="session")
def accepts():
    """``accepts(call, why)``: ``call()``'s result; an error it raises fails the test with ``why`` (the allowed input)."""

    def run(call, why):
        try:
            return call()
        except (ValueError, TypeError, ArithmeticError) as error:
            pytest.fail(f"{type(error).__name__}: {error}: {why}")

    return run
