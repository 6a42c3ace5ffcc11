"""The hints' words, exercise by exercise: 1. the idea, 2. the shape of each step, 3. nearly the line.

Read by ``hints.hint``. A hint never holds a line of the solution (tests/lstm_course/feedback/test_hints.py compares
every hint with the solution regions); the third says what each piece of the line is, the learner writes it.
"""

_GATE = (
    "A gate looks at the input and the previous hidden state side by side, z = [x, h_prev], and turns a weighted "
    "sum of z into {what}. Everything is done for the whole batch at once: one row per sample.",
    "Two steps. (1) Join x (B, D) and h_prev (B, H) into z of shape (B, D + H): the sizes that differ sit on "
    "axis 1, so that is the axis to join on, x first. (2) Multiply z by the transpose of {W} (which is "
    "(H, D + H)) to get (B, H), add {b} (it broadcasts over the rows), and apply {act}.",
    "The first line joins the two arrays with np.concatenate along axis 1. The second returns {act} of: z, matrix "
    "product (@), the transposed weights ({W}.T), plus {b}. Nothing else: no loop, no extra factor.",
)


def _gate(what: str, W: str, b: str, act: str) -> tuple[str, ...]:
    return tuple(text.format(what=what, W=W, b=b, act=act) for text in _GATE)


TEXTS: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------------------------------ 01_welcome
    "sigmoid": (
        "The textbook formula 1 / (1 + exp(-x)) is right on paper, but for x = -1000 it computes exp(1000), "
        "which no float can hold. Find a form in which no intermediate value is ever huge.",
        "tanh never overflows: it saturates at -1 and 1. The sigmoid is a shifted and scaled tanh of HALF the "
        "input: sigmoid(x) = 0.5 * (1 + tanh(x / 2)). Check it at x = 0 (both give 1/2).",
        "One line: return one half times (one plus np.tanh of one half of x). Use the Python float 0.5 (not "
        "np.float64) so float32 inputs stay float32.",
    ),
    "sigmoid_derivative": (
        "The sigmoid's slope is written with its own output: if s = sigmoid(x), then sigmoid'(x) = s (1 - s). Its "
        "largest value is 1/4, at x = 0.",
        "Two steps: compute s = sigmoid(x) the overflow-free way (as in the exercise above), then combine s with "
        "itself. Do not write exp(-x) / (1 + exp(-x))**2: it overflows for large negative x.",
        "First line: s from np.tanh of half of x, scaled and shifted as in sigmoid. Second line: return s times "
        "(one minus s).",
    ),
    # --------------------------------------------------------------------------------------- 02_recurrence
    "rnn_step": (
        "One step of a vanilla RNN mixes the current input and the previous state with one weight matrix, then "
        "squashes the result with tanh, so the new state lies in (-1, 1).",
        "Two steps. (1) Put x_t (B, D) and h_prev (B, H) side by side, x_t first: z is (B, D + H). (2) W is "
        "(H, D + H), one row per hidden unit: multiply z by W's transpose to get (B, H), add b, apply tanh.",
        "z comes from np.concatenate of x_t and h_prev along axis 1; the new state is np.tanh of (z, matrix "
        "product with W.T, plus b). There is no loop here: one step only.",
    ),
    "rnn_forward": (
        "Run the step of the exercise above once per time step, each time starting from the state the previous "
        "step produced. hs[:, t] is the state AFTER reading x[:, t].",
        "Set h to h0 and make an empty (B, T, H) array for hs. Then for t = 0, 1, ..., T - 1: read x[:, t] (B, D), "
        "compute the new h from it and the current h, and store it in hs[:, t].",
        "Inside `for t in range(T)`: z joins x[:, t] and h on axis 1; h becomes np.tanh of z times W.T plus b "
        "(reassign h, so the next step sees it); then hs[:, t] takes h. Return hs after the loop.",
    ),
    # ---------------------------------------------------------------------------------------- 03_gradients
    "one_step_jacobian": (
        "h_t = tanh(a_t) and a_t depends on h_{t-1} through the recurrent weights W_h (the last H columns of W). "
        "By the chain rule, dh_t/dh_{t-1} is tanh's slope times W_h: unit i's slope scales row i.",
        "Three pieces: W_h = the columns of W from input_size on, (H, H); the slope 1 - h_t**2, (B, H), written "
        "with the step's output; and one (H, H) matrix per sample, whose row i is W_h's row i times slope[b, i].",
        "Slice W from column input_size onwards; compute one minus h_t squared; give the slope a third axis "
        "([:, :, None]) so it scales the ROWS of W_h, and multiply (elementwise, *) to get (B, H, H).",
    ),
    "gradient_norms": (
        "dh_T/dh_t is a product of one-step Jacobians, from step T back to step t + 1. Build it one factor at a "
        "time going backwards, and record the size (spectral norm) of the product at each step.",
        "Start from the identity (dh_T/dh_T = I, one per sample) and record its norm in column T. Then for t = T "
        "down to 1: the step's Jacobian uses h_t, which is hs[:, t - 1]; multiply the product by it ON THE RIGHT "
        "and record the norm in column t - 1.",
        "Loop over range(T, 0, -1). In it: the Jacobian as in one_step_jacobian with the slope of hs[:, t - 1]; "
        "product = product @ that Jacobian; norms[:, t - 1] from np.linalg.norm with ord=2 over axes (1, 2).",
    ),
    # -------------------------------------------------------------------------------------------- 04_gates
    "forget_gate": _gate("a fraction between 0 (erase) and 1 (keep) for each entry of the cell state",
                         "W_f", "b_f", "sigmoid"),
    "input_gate": _gate("a fraction between 0 and 1: how much of the candidate to write", "W_i", "b_i", "sigmoid"),
    "candidate": _gate("a new value between -1 and 1 to write into the memory (it may be negative)", "W_g", "b_g",
                       "np.tanh"),
    "output_gate": _gate("a fraction between 0 and 1: how much of the squashed memory to show", "W_o", "b_o",
                         "sigmoid"),
    "cell_update": (
        "The new memory keeps part of the old one and writes part of the candidate: the forget gate f decides "
        "what of c_prev stays, the input gate i decides what of g is written.",
        "Everything is (B, H) and combined entry by entry: two products (each gate times what it controls) and "
        "one sum. No matrix product, no activation.",
        "Return: f times c_prev, plus i times g, with * for both products.",
    ),
    "hidden_state": (
        "The hidden state shows the memory, squashed into (-1, 1) by tanh, through the output gate o.",
        "Two operations, entry by entry on (B, H) arrays: squash c with tanh, then scale by o.",
        "Return o times np.tanh of c (elementwise *, no matrix product).",
    ),
    # -------------------------------------------------------------------------------- 05_cell_and_sequence
    "lstm_step": (
        "All four gates come from ONE matrix product: params.W stacks the gates' weights as blocks of H rows in "
        "the order i, f, g, o. Then the cell update and the hidden state as in unit 4.",
        "(1) z = [x, h_prev], (B, D + H). (2) The pre-activations: z times W's transpose plus b, (B, 4H). (3) Cut "
        "them into four (B, H) blocks: columns 0:H are i, H:2H f, 2H:3H g, 3H:4H o. (4) sigmoid for i, f, o; tanh "
        "for g. (5) c = f c_prev + i g. (6) h = o tanh(c). Return h first, then c.",
        "a is z @ params.W.T + params.b; each gate is its activation of a[:, k*H:(k+1)*H] for k = 0, 1, 2, 3; the "
        "last two lines are exactly unit 4's cell_update and hidden_state.",
    ),
    "lstm_forward": (
        "Run lstm_step once per time step; BOTH states, h and c, carry on from one step to the next. hs[:, t] is "
        "the hidden state after reading x[:, t].",
        "Start h and c from h0 and c0 (zeros of shape (B, H) when they are None). For t = 0, ..., T - 1: one step "
        "on x[:, t] with the current h and c, store h in hs[:, t]. Return hs and the final pair (h, c).",
        "In the loop, lstm_ref.lstm_step(x[:, t], h, c, params) returns h, c and a cache: reassign h and c from "
        "it, then hs[:, t] takes h. After the loop, return hs and the final states as one pair, hidden state first.",
    ),
    "init_tutorial_params": (
        "The tutorial's bug: it reseeded before every array, so all its weights came out identical. Use ONE "
        "generator for all eight draws: each draw continues the stream, so the arrays differ.",
        "Make one np.random.default_rng(seed). Draw, in the tutorial's order g, i, f, o, four weight arrays of "
        "shape (H, D + H), then four biases of shape (H,), all uniform in [-0.1, 0.1).",
        "Each array is rng.uniform(-0.1, 0.1, size=...) from the same rng; keep the order wg, wi, wf, wo, then "
        "bg, bi, bf, bo, and pass them by name to TutorialParams.",
    ),
    # ---------------------------------------------------------------------------------------------- 06_bptt
    "step_backward_gates": (
        "The gradient reaches the cell state two ways: directly (dc) and through h = o tanh(c). Add both, then "
        "each gate's pre-activation gets its share by the chain rule: dL/dgate times the activation's slope.",
        "(1) dc_total = dc + dh times o times tanh's slope at c (1 - tanh(c)^2). (2) For i, f, g: dL/dgate is "
        "dc_total times what that gate multiplies (g, c_prev, i). For o: dh times tanh(c). (3) Slopes: "
        "s (1 - s) for sigmoid gates, 1 - g^2 for the candidate. (4) Join the four in order i, f, g, o on axis 1. "
        "(5) dc_prev = dc_total times f.",
        "da_i is dc_total * g * (i's sigmoid slope), da_f uses cache.c_prev, da_g uses i and (one minus g "
        "squared), da_o uses dh and cache.tanh_c; the cache holds i, f, g, o, c_prev and tanh_c.",
    ),
    "step_backward_weights": (
        "The forward pass computed a = z W^T + b. Its backward pass sends da back to z through W, and collects "
        "W's and b's gradients, summed over the batch.",
        "(1) dz = da times W (no transpose: (B, 4H) by (4H, D + H)). (2) Split dz: its first D columns are dx, "
        "the rest dh_prev. (3) dW = da's transpose times z, W's shape (4H, D + H). (4) db sums da over the batch "
        "axis.",
        "D is cache.params.input_size; dz from da @ cache.params.W; split with [:, :D] and [:, D:]; dW from "
        "da.T @ cache.z; db from da.sum over axis 0.",
    ),
    "numerical_gradient": (
        "A central difference: nudge one entry up by eps, then down by eps, and divide the change in f by the "
        "distance between the two points (2 eps). Do it for every entry, in place, and put each entry back.",
        "For each index of the array (np.ndindex covers any shape): keep the old value; set it to old + eps and "
        "call f(); set it to old - eps and call f(); restore old; the gradient there is the difference over "
        "2 eps.",
        "Change `array[index]` itself (f reads the array), never a copy; the restore line sets it back to the "
        "saved value before the next index; the quotient divides by (2 * eps).",
    ),
    "lstm_backward": (
        "Backpropagation through time walks the sequence backwards, one step at a time. Each h_t was read twice, "
        "by the loss and by step t+1, so its gradient is the sum of both; the cell state reaches the loss only "
        "through later steps; and every step used the same W and b, so their gradients add up over the steps.",
        "Start dh_next and dc_next at dh_T and dc_T (zeros (B, H) when None), dx at zeros (B, T, D), dW and db at "
        "zeros shaped like W and b. Then for t = T-1 down to 0: build step t's cache from cache.z, cache.gates, "
        "cache.cells and cache.tanh_c at index t (cells[t] is the cell state step t STARTED from: cells[0] is c0); "
        "give step_backward the gradient dhs[:, t] plus dh_next, and dc_next; keep what it returns.",
        "Loop over reversed(range(T)). The step cache is an lstm_ref.LSTMStepCache with params=cache.params and "
        "step t's four arrays as keyword arguments. One call of step_backward unpacks into dx[:, t], the new "
        "dh_next and dc_next, and that step's grads; then add its .W to dW and its .b to db. After the loop, "
        "return dx, dh_next, dc_next and LSTMParams made from dW and db.",
    ),
    # ------------------------------------------------------------------------------------------ 07_training
    "sgd_momentum_update": (
        "Momentum keeps a running sum of gradients, the velocity, so directions that agree step after step build "
        "up speed; the parameter moves against the velocity (downhill).",
        "Two lines: the new velocity from the old one (decayed by momentum) and the gradient; then the new "
        "parameter from the old one and the NEW velocity scaled by the learning rate.",
        "new_velocity is momentum times velocity plus grad; new_param is param minus lr times new_velocity. Return "
        "new arrays, do not change the arguments in place.",
    ),
    "adam_update": (
        "Adam keeps two running averages, m of the gradient and v of its square; both start at 0, so they are "
        "divided by (1 - beta^t) to correct that start. Each entry then moves by about lr.",
        "(1) m: beta1 times m plus (1 - beta1) times grad. (2) v: the same with beta2 and grad squared. (3) m_hat "
        "and v_hat: divide by one minus beta1 (or beta2) to the power t. (4) The step: lr times m_hat over "
        "(square root of v_hat plus eps), subtracted.",
        "Return the new param and the RAW new m and v (not the corrected ones); eps is added after np.sqrt, "
        "outside it.",
    ),
    "clip_gradients": (
        "Clipping by global norm treats all the gradient arrays as one long vector: if its length exceeds "
        "max_norm, every array is scaled by the same factor so the length becomes max_norm.",
        "(1) The norm: square every entry of every array, add them all, take the square root (one number). "
        "(2) The factor: the smaller of 1 and max_norm / norm (and 1 when the norm is 0). (3) A new dict with each "
        "array times the factor. Return it and the norm BEFORE clipping.",
        "The norm is a float of np.sqrt of a sum over grads.values() of np.sum(g ** 2); the scale uses min(1.0, "
        "...); the dict comprehension multiplies each array by the scale.",
    ),
    "train_step": (
        "One step of training chains what the unit built: predict, measure the loss, backpropagate, clip, update "
        "the model's own arrays in place.",
        "(1) model.forward(inputs) gives predictions and a cache. (2) mean_squared_error(predictions, targets) "
        "gives the loss and its gradient. (3) model.backward(that gradient, cache) gives the grads. (4) Clip them "
        "by global norm. (5) optimiser.step on model.parameters() with the clipped grads. Return the loss and the "
        "norm before clipping.",
        "Keep the argument order of each call (predictions before targets; the gradient before the cache; grads "
        "before max_norm), and give optimiser.step the model's parameters, not a copy.",
    ),
    # ------------------------------------------------------------------------------------------ 08_capstone
    "make_windows": (
        "Every window of `window` consecutive values is an input sequence; its targets are the same window "
        "shifted by one step (the value right after each input). Windows overlap: one starts at every index.",
        "There are N - window windows (the last one's targets end with the series' last value). Window b is "
        "series[b : b + window]; its targets start one later. Stack them into (B, T, D).",
        "count is len(series) minus window; inputs stack series[b:b + window] for b in range(count); targets "
        "stack the slice that starts at b + 1 and is as long.",
    ),
    "forecast_forward": (
        "The forecast reads the LSTM's hidden state at every step with a linear readout (no activation): one "
        "prediction per time step.",
        "(1) Run lstm_forward on x to get hs (B, T, H). (2) Multiply by the transpose of W_out (O, H) and add "
        "b_out: (B, T, O).",
        "The first thing lstm_forward returns is hs; the result is hs, matrix product with W_out.T, plus b_out.",
    ),
    "train_forecaster": (
        "Train as in unit 7: a SequenceModel LSTM with a readout at every step, Adam, clipping, a few hundred "
        "steps of fresh random mini-batches.",
        "Build the model with input and output sizes from inputs.shape[2] and targets.shape[2], every_step=True. "
        "Each step: pick random rows, forward, mean squared error against the TARGETS, backward, clip, step; "
        "keep each loss.",
        "Use one rng from the seed for the rows (rng.integers), Adam(lr=0.01), about 300 steps of 32 windows, "
        "clip_by_global_norm with 1.0; return the model and the list of losses.",
    ),
    # ----------------------------------------------------------------------------------------- 09_char_lstm
    "char_cross_entropy": (
        "Softmax turns each row of scores into probabilities; the loss is the average over the N predictions of "
        "minus the log of the probability given to the character that really came next. Its gradient with "
        "respect to the logits is simple: the probabilities minus the one-hot target, divided by N.",
        "(1) Subtract each row's maximum from the row: the softmax does not change and exp can no longer "
        "overflow. (2) log p is the shifted row minus the log of the sum of its exps (keep the summed axis so it "
        "broadcasts). (3) Pick each row's entry at its target (fancy indexing with a row index and targets), "
        "average, negate. (4) p is exp of log p; subtract 1 at each row's target; divide by N.",
        "The shift is logits.max over axis 1 with keepdims=True; the normaliser is np.log of np.exp(shifted) "
        "summed over axis 1, again with keepdims=True; the rows to index are np.arange(N). For the gradient take "
        "exp of log_p, subtract 1.0 at [rows, targets], and return float(loss) and that array over N.",
    ),
    "sample_char": (
        "The temperature rescales the scores before the softmax: dividing by a temperature below 1 sharpens the "
        "distribution, above 1 flattens it. Then one character is DRAWN at random with those probabilities (not "
        "always the most likely one), with the generator you are given, so the same seed writes the same text.",
        "(1) The probabilities: softmax of the logits divided by the temperature, (V,), summing to 1. (2) Draw one "
        "id in 0 .. V-1 with those probabilities using rng (not np.random's global functions); return it as an "
        "int.",
        "softmax is defined in the set-up cell. rng.choice takes the number of characters (len(logits)) and the "
        "probabilities as p=...; wrap the draw in int().",
    ),
    "char_train_step": (
        "One step of training a character model: predict the next character at every position, measure the "
        "softmax cross-entropy, backpropagate, clip the gradients by their global norm, and let the optimiser "
        "update the model's own arrays in place. The loss you return is the one the gradients came from.",
        "(1) model.forward(inputs) gives the logits (B, T, V) and a cache. (2) softmax_cross_entropy of the logits "
        "and the targets gives the loss and dlogits. (3) model.backward with dlogits and the cache gives the "
        "grads. (4) clip_by_global_norm with max_norm gives the clipped grads (and the norm before clipping). "
        "(5) optimiser.step with model.parameters() and the CLIPPED grads. Return the loss.",
        "Keep each call's argument order (logits before targets, dlogits before the cache, grads before "
        "max_norm); clip_by_global_norm returns two things, keep the first; optimiser.step changes the model's "
        "arrays itself and returns nothing; return the loss of step (2), not of a new forward pass.",
    ),
}
