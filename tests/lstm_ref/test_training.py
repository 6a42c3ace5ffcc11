"""The training loop: whole-model gradients by finite differences, learning, clipping, callbacks, errors."""

import functools

import numpy as np
import pytest

from lstm_ref.gradcheck import numerical_gradient, relative_error
from lstm_ref.optim import SGD, Adam
from lstm_ref.tasks import adding_problem, copy_task, sentence_completion, toy_regression
from lstm_ref.training import (
    ADDING_DEMO, Readout, SequenceModel, TrainingHistory, adding_demo, evaluate, loss_and_gradients, train,
)

# Small batches of every kind the model supports: MSE on the last step and on every step, cross-entropy on
# the last step and on every step.
SMALL_TASKS = {
    "mse-last": lambda: adding_problem(3, 5, rng=0),
    "mse-every": lambda: toy_regression(input_size=3, rng=1),
    "xent-every": lambda: copy_task(3, 2, rng=2, num_symbols=2, alphabet_size=2),
    "xent-last": lambda: sentence_completion(3, 1, rng=3),
}


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
@pytest.mark.parametrize("make_batch", SMALL_TASKS.values(), ids=SMALL_TASKS.keys())
def test_whole_model_gradients_match_finite_differences(kind, make_batch):
    batch = make_batch()
    model = SequenceModel.for_task(kind, batch, hidden_size=4, rng=5)
    # Push the weights away from the small initial values so every gate and tanh works off its linear part.
    for array in model.parameters().values():
        array *= 3.0
    loss, grads = loss_and_gradients(model, batch)
    assert loss == pytest.approx(evaluate(model, batch), rel=1e-15)
    assert set(grads) == {"cell.W", "cell.b", "readout.W", "readout.b"}
    for name, array in model.parameters().items():
        numeric = numerical_gradient(lambda: evaluate(model, batch), array, 1e-6)
        error = relative_error(grads[name], numeric)
        assert error < 1e-6, f"{kind} {name}: relative error {error:.1e} against finite differences"


def test_readout_reads_the_last_step_or_every_step():
    rng = np.random.default_rng(0)
    hs = rng.normal(size=(2, 3, 4))
    last = Readout.init(4, 5, every_step=False, rng=1)
    every = Readout(last.W, last.b, every_step=True)
    np.testing.assert_allclose(last.forward(hs), hs[:, -1] @ last.W.T + last.b, rtol=1e-15)
    assert every.forward(hs).shape == (2, 3, 5)
    np.testing.assert_allclose(every.forward(hs)[:, -1], last.forward(hs), rtol=1e-15)
    # Reading only h_T: no gradient reaches the earlier steps through the readout.
    dhs, _ = last.backward(np.ones((2, 5)), hs)
    assert np.all(dhs[:, :-1] == 0) and np.any(dhs[:, -1] != 0)


def test_parameters_are_the_models_own_arrays():
    model = SequenceModel.init("lstm", 2, 3, 1, rng=0)
    params = model.parameters()
    assert params["cell.W"] is model.cell.W and params["readout.b"] is model.readout.b
    assert model.cell.W.shape == (12, 5) and model.readout.W.shape == (1, 3)
    assert SequenceModel.init("rnn", 2, 3, 1, rng=0).cell.W.shape == (3, 5)


def test_same_seed_same_training_run():
    histories = []
    for _ in range(2):
        model = SequenceModel.init("lstm", 2, 8, 1, rng=4)
        histories.append(train(model, functools.partial(adding_problem, 16, 6), 20, Adam(lr=1e-2), rng=9))
    assert histories[0].loss == histories[1].loss
    other = train(SequenceModel.init("lstm", 2, 8, 1, rng=4), functools.partial(adding_problem, 16, 6), 20,
                  Adam(lr=1e-2), rng=10)
    assert other.loss != histories[0].loss


def test_lstm_memorises_the_tutorials_toy_regression():
    batch = toy_regression(rng=0)
    model = SequenceModel.for_task("lstm", batch, hidden_size=16, rng=0)
    history = train(model, batch, 200, Adam(lr=1e-2))
    assert len(history.loss) == 200 and history.step[-1] == 200
    final = evaluate(model, batch)
    assert final < 1e-3 * batch.baseline_loss, (
        f"the LSTM should fit 4 targets almost exactly in 200 Adam steps; its loss is {final:.2e}, "
        f"{final / batch.baseline_loss:.1e} of the baseline")
    assert history.loss[0] > 10 * history.loss[-1]


def test_both_models_learn_a_short_adding_problem():
    # With the two markers at most 4 steps apart, even the vanilla RNN can learn the task quickly.
    held_out = adding_problem(500, 4, rng=100)
    for kind in ("lstm", "rnn"):
        model = SequenceModel.for_task(kind, held_out, hidden_size=16, rng=1)
        train(model, functools.partial(adding_problem, 32, 4), 400, Adam(lr=1e-2), clip=1.0, rng=2)
        ratio = evaluate(model, held_out) / held_out.baseline_loss
        assert ratio < 0.2, f"{kind} should learn the adding problem at T = 4; held-out ratio {ratio:.3f}"


def test_clipping_bounds_every_update():
    # With plain SGD the update is -lr * g, so clipping g to norm 0.01 bounds each step's length by lr * 0.01.
    batch = adding_problem(8, 5, rng=3)
    model = SequenceModel.for_task("rnn", batch, 6, rng=3)
    for array in model.parameters().values():
        array *= 5.0  # large weights: large gradients, so the clip is active
    before = {name: array.copy() for name, array in model.parameters().items()}
    history = train(model, batch, 1, SGD(lr=0.5), clip=0.01)
    moved = np.sqrt(sum(np.sum((array - before[name]) ** 2) for name, array in model.parameters().items()))
    assert history.grad_norm[0] > 0.01, "the test needs a gradient longer than the clip"
    assert moved == pytest.approx(0.5 * 0.01, rel=1e-9)


def test_callback_is_called_every_k_steps_and_can_stop_training():
    calls = []
    model = SequenceModel.init("rnn", 2, 4, 1, rng=0)
    task = functools.partial(adding_problem, 4, 3)
    history = train(model, task, 25, Adam(), callback=lambda step, loss: calls.append((step, loss)),
                    callback_every=10, rng=0)
    assert [step for step, _ in calls] == [10, 20, 25]
    assert [loss for _, loss in calls] == [history.loss[9], history.loss[19], history.loss[24]]
    stopped = train(model, task, 100, Adam(), callback=lambda step, loss: step >= 6, callback_every=3, rng=0)
    assert stopped.step == [1, 2, 3, 4, 5, 6]


def test_train_accepts_a_list_of_batches_and_says_when_they_run_out():
    batches = [adding_problem(4, 3, rng=seed) for seed in range(3)]
    model = SequenceModel.for_task("lstm", batches[0], 4, rng=0)
    history = train(model, batches, 3, SGD(lr=0.1))
    assert isinstance(history, TrainingHistory) and len(history.grad_norm) == 3
    assert all(norm > 0 for norm in history.grad_norm)
    with pytest.raises(ValueError, match="ran out of batches"):
        train(model, batches, 4, SGD(lr=0.1))


def test_a_model_built_for_another_task_is_refused_clearly():
    batch = copy_task(2, 3, rng=0)                     # targets at every step
    model = SequenceModel.init("lstm", batch.input_size, 4, batch.output_size, every_step=False, rng=0)
    with pytest.raises(ValueError, match="every step.*every_step=False"):
        loss_and_gradients(model, batch)
    model = SequenceModel.init("lstm", batch.input_size, 4, 3, every_step=True, rng=0)
    with pytest.raises(ValueError, match="O = 3.*output_size = 5"):
        evaluate(model, batch)
    with pytest.raises(ValueError, match="kind"):
        SequenceModel.init("gru", 2, 4, 1)
    with pytest.raises(TypeError, match="optimiser"):
        train(SequenceModel.for_task("rnn", batch, 4), batch, 1, optimiser=0.1)
    with pytest.raises(ValueError, match="steps"):
        train(SequenceModel.for_task("rnn", batch, 4), batch, 0, Adam())
    with pytest.raises(TypeError, match="task"):
        train(SequenceModel.for_task("rnn", batch, 4), 42, 1, Adam())


def test_adding_demo_runs_the_shared_setting():
    result = adding_demo("rnn", seed=0, length=6, steps=20)
    assert result.eval_steps == [ADDING_DEMO["eval_every"] * k for k in range(1, 20 // 100 + 1)] + [20]
    assert result.ratio == result.eval_ratios[-1] and result.best_ratio == min(result.eval_ratios)
    assert result.lr == ADDING_DEMO["lr"]["rnn"] and len(result.history.loss) == 20
    assert 0.5 < result.ratio < 2.0   # 20 steps teach nothing yet: about the baseline


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_the_classification_tasks_are_learnable_with_short_gaps(kind):
    # Cross-entropy training end to end: with short gaps both models solve the copy task and the sentence
    # completion (about 1-2 s each). The tasks are well posed; only long gaps separate the two models.
    tasks = {
        "sentence_completion": lambda batch, rng: sentence_completion(batch, 3, rng),
        "copy_task": lambda batch, rng: copy_task(batch, 3, rng, num_symbols=2, alphabet_size=3),
    }
    for name, make in tasks.items():
        held_out = make(500, 99)
        model = SequenceModel.for_task(kind, held_out, hidden_size=16, rng=0)
        train(model, functools.partial(make, 32), 500, Adam(lr=1e-2), clip=1.0, rng=1)
        ratio = evaluate(model, held_out) / held_out.baseline_loss
        assert ratio < 0.1, f"{kind} on {name}: held-out loss is {ratio:.3f} of the baseline after 500 steps"
