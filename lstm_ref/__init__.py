"""lstm_ref: a small, exact, readable NumPy reference for LSTMs and vanilla RNNs.

Modules follow the course: activations -> params -> gates (gate by gate) -> cell (one fused step) ->
sequence (forward and backpropagation through time) -> rnn (the vanilla RNN) -> gradcheck; plus
tutorial_style (the seed tutorial's original code, with its bugs). Arrays are batch-first: x (B, D) for one
step, (B, T, D) for a sequence; h and c (B, H). Fused gate order (i, f, g, o), as in PyTorch.
"""

from .activations import (
    sigmoid,
    sigmoid_derivative,
    sigmoid_derivative_from_output,
    tanh,
    tanh_derivative,
    tanh_derivative_from_output,
)
from .params import LSTMParams, RNNParams, as_generator
from .gates import candidate, cell_update, concat_input, forget_gate, hidden_state, input_gate, output_gate
from .cell import LSTMStepCache, lstm_step, lstm_step_backward
from .sequence import LSTMCache, lstm_backward, lstm_forward
from .rnn import RNNCache, RNNStepCache, rnn_backward, rnn_forward, rnn_step, rnn_step_backward
from .gradcheck import numerical_gradient, relative_error
from . import tutorial_style  # the seed tutorial's code, kept as a module: lstm_ref.tutorial_style.<name>

# The training side: losses, optimisers, toy tasks and a small training loop.
from .losses import log_softmax, mean_squared_error, softmax, softmax_cross_entropy
from .optim import SGD, Adam, clip_by_global_norm, global_norm
from .tasks import TaskBatch, SentenceBatch, adding_problem, copy_task, sentence_completion, toy_regression
from .training import (
    ADDING_DEMO, AddingDemoResult, Readout, SequenceModel, TrainingHistory, adding_demo, evaluate,
    load_gap_sweep, loss_and_gradients, train,
)
