"""R-LACE as published: alternating SGD on the fantope game (Ravfogel et al. 2022, ICML).

The game (paper Eq. 5), over the fantope ``F_k = {P symmetric : 0 <= P <= I, tr P = k}``:

    max_{P in F_k}  min_{W, b}  (1/n) sum_i  CE(W (I - P) x_i + b, z_i),

solved the way the authors' reference code does it (github.com/shauli-ravfogel/rlace-icml,
``rlace.py``, ``solve_adv_game``): plain SGD steps, one on ``P`` (ascent on the loss of a
mini-batch, then the Frobenius projection onto ``F_k``) and one on the predictor
(descent on another mini-batch) per iteration; every ``evaluate_every`` iterations a fresh
logistic classifier is trained on the rows projected by the *rounded* ``P`` and the ``P``
with the highest evaluation loss is kept; the run stops once the evaluation accuracy closest
to the majority-class rate is within ``epsilon`` of it. The eraser is the rounded best
``P``: ``U`` (d, k) its top-k eigenvectors, ``r(x) = mu + (I - U U^T)(x - mu)``.

`methods.erasure.rlace.RLACEEraser` solves the same game much faster (exact start, then a
few full-batch steps); this class is the original algorithm, kept to measure how the two
compare (``benchmarks/erasure/rlace_consistency.py``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_softmax, softmax

from floor.validation import (
    check_int,
    check_interval,
    check_positive_float,
    check_random_state,
)
from methods.erasure._subspace import SubspaceEraser, orthonormal_basis
from methods.erasure.inlp import stratified_holdout
from methods.erasure.rlace import _cross_entropy, _fit_adversary, _onehot, fantope_projection

# L-BFGS iterations of the evaluation classifier (a convex fit; it converges well within).
_EVAL_MAX_ITER = 200


def predictor_width(n_classes: int) -> int:
    """Outputs of the linear predictor: one logit for two classes (binary cross-entropy,
    as the reference's ``Linear(d, 1)`` with ``BCEWithLogitsLoss``), else one per class."""
    return 1 if n_classes == 2 else n_classes


def targets(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """The predictor's targets (n, m): the label as a float column for two classes, else
    one-hot rows."""
    if n_classes == 2:
        return codes.astype(np.float64)[:, None]
    return _onehot(codes, n_classes)


def game_loss(P: np.ndarray, W: np.ndarray, b: np.ndarray, X: np.ndarray,
              T: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """The game's loss on rows ``X`` and its gradients in ``P``, ``W`` and ``b``.

    ``L = (1/n) sum_i CE(W (I - P) x_i + b, t_i)`` with ``W`` (m, d), ``b`` (m,), ``T``
    (n, m) from `targets`: for ``m = 1`` the binary cross-entropy of the sigmoid, for
    ``m = K`` the softmax cross-entropy. With ``G = (p - T) / n`` (n, m), ``p`` the
    predicted probabilities, and ``Z = X (I - P)`` (``P`` symmetric):

    - ``dL/dW = G^T Z``, ``dL/db = sum_i G_i``;
    - ``dL/dP = -sym(X^T G W)``, the gradient along symmetric directions
      (``sym(A) = (A + A^T) / 2``). The reference differentiates in an unconstrained
      matrix and symmetrises ``P`` before projecting; a step along the raw gradient,
      symmetrised, is the step along ``-sym(X^T G W)``.

    Returns ``(L, dL/dP (d, d), dL/dW (m, d), dL/db (m,))``.
    """
    n = X.shape[0]
    Z = X - X @ P
    logits = Z @ W.T + b
    if W.shape[0] == 1:
        z = logits[:, 0]
        # log(1 + e^z) - t z, stably
        loss = float(np.mean(np.logaddexp(0.0, z) - T[:, 0] * z))
        G = (expit(logits) - T) / n
    else:
        logp = log_softmax(logits, axis=1)
        loss = float(-np.sum(T * logp) / n)
        G = (softmax(logits, axis=1) - T) / n
    M = -(X.T @ G) @ W
    return loss, (M + M.T) / 2, G.T @ Z, G.sum(axis=0)


class RLACESGDEraser(SubspaceEraser):
    """R-LACE by alternating SGD, the algorithm of the paper's reference code.

    Per iteration ``t = 0, 1, ...`` (``in_iters_adv = in_iters_clf = 1`` of the reference):

    1. *P step.* A mini-batch of ``batch_size`` rows drawn without replacement;
       ``P <- Proj_{F_k}(P + lr_P (dL/dP) - lr_P wd_P P)``: gradient *ascent* on the
       predictor's loss with the weight decay of torch's SGD (which shrinks ``P``), then
       `methods.erasure.rlace.fantope_projection`.
    2. *Predictor step.* Another mini-batch; ``(W, b) <- (W, b) - lr (grad + wd (W, b))``
       (torch's weight decay applies to the bias as well).
    3. *Evaluation*, when ``t % evaluate_every == 0`` (so at ``t = 0`` too): round ``P``
       (top-k eigenvectors ``U``), fit a logistic classifier (L2 weight ``eval_alpha``,
       L-BFGS) on ``(I - U U^T) x`` of the training rows and score it on the held-out rows:
       cross-entropy and accuracy. The ``P`` with the highest held-out cross-entropy is
       kept; ``best_accuracy_`` is the accuracy closest to the held-out majority rate.
    4. *Stop* when ``t > 1`` and ``|best_accuracy_ - majority| < epsilon``, or after
       ``n_steps`` iterations.

    Start: ``P = 0.1 N(0, 1)^{d x d}`` (not projected: the first step projects it), the
    predictor's weights and bias ``U(-1/sqrt(d), 1/sqrt(d))`` (torch's ``Linear``).

    Defaults are the reference's (``solve_adv_game``): ``out_iters = 75000`` iterations,
    ``batch_size = 128``, SGD with ``lr = 0.005`` and ``weight_decay = 1e-4`` for both
    players, ``evalaute_every = 1000``, ``epsilon = 0.0015``; the evaluation classifier's
    ``alpha = 1e-4`` is that of its ``SGDClassifier``. The suite's ``full`` profile runs
    exactly these. The ``quick`` profile (20000 fit rows in d = 16) scales the budget, not
    the algorithm (``benchmarks.erasure.family.RLACE_SGD_BUDGET``): 600 iterations with
    evaluations every 150, and 10x the learning rate (0.05) for both players, because the
    quick grid allows ~0.4 s of CPU a fit (~0.5 ms an iteration at d = 16) and at lr 0.005
    the held-out adversary loss on the quick two-class Gaussian is still climbing at 3000
    iterations (log 2 only after ~4000, measured); at lr 0.05 it is within 0.003 of log 2
    by iteration 600. Batch size and weight decay stay the reference's. The ``epsilon``
    stop rarely fires with a held-out evaluation: the accuracy of a classifier on erased
    rows scatters by ~1/sqrt(n_val) around the majority rate, more than 0.0015, so in
    practice the run takes its full budget (as the reference's 75000 iterations do).

    Deviations from the reference, each with its reason:

    - Evaluation on held-out rows (``validation_fraction`` of the fit rows, a stratified
      split); the reference evaluates on its training rows (it passes ``X_train`` twice),
      which rewards a ``P`` whose classifier underfits the very rows it was fitted on.
    - One L-BFGS logistic classifier per evaluation instead of the minimum loss of three
      ``SGDClassifier`` fits: the evaluation problem is convex, and L-BFGS reaches the
      minimum the three random restarts approximate, deterministically.
    - The game runs on centred rows ``x - mu``: with a bias in the predictor the game's
      value is the same (``(I - P) mu`` is a constant the bias absorbs), and the final
      eraser is applied around ``mu`` like every eraser of the suite.
    - The game runs in the span of the centred fit rows (``r`` dimensions, its orthonormal
      basis ``B`` by SVD, `methods.erasure._subspace.orthonormal_basis`): ``P`` is (r, r)
      and the removed basis is ``B U``. A direction with no variance carries nothing for
      any predictor, so the gradient never moves ``P`` along it, and the random start
      would leave the removed subspace tilted into it (a constant feature would change
      under erasure). When ``r <= rank`` the whole span is removed (no game is played,
      ``n_iter_ = 0``), padded to ``rank`` columns by directions orthogonal to it.
    - float64 throughout (the reference runs float32 in torch); the fantope projection
      solves its shift to float64 precision (the reference bisects 25 times).

    Parameters
    ----------
    rank : int, default=1
        ``k``, the dimension removed (``1 <= k < n_features``).
    n_steps : int, default=75000
        Maximum number of iterations (the reference's ``out_iters``).
    batch_size : int, default=128
        Rows per mini-batch (capped at the training rows).
    lr_projection, lr_predictor : float, default=0.005
        SGD learning rates of ``P`` and of the predictor.
    weight_decay_projection, weight_decay_predictor : float, default=1e-4
        torch-style weight decay (added to the gradient) of each player.
    evaluate_every : int, default=1000
        Iterations between evaluations.
    epsilon : float, default=0.0015
        Stop once the best held-out accuracy is within ``epsilon`` of the majority rate.
    validation_fraction : float, default=0.2
        Fraction of the fit rows held out for the evaluation, in (0, 1).
    eval_alpha : float, default=1e-4
        L2 weight of the evaluation classifier.
    random_state : None, int, SeedSequence or Generator, default=None
        Source of every random draw, as four independent streams (``Generator.spawn``): the
        held-out split, the start of ``P``, the start of the predictor, the mini-batches.

    Attributes
    ----------
    mean_, centre_ : ndarray of shape (n_features,)
        Mean ``mu`` of the fit rows, the point the projection is applied around.
    components_ : ndarray of shape (rank, n_features)
        ``U^T``, orthonormal rows spanning the removed space.
    basis_ : ndarray of shape (n_features, rank)
        ``U``.
    projection_ : ndarray of shape (n_features, n_features)
        ``I - U U^T``.
    relaxed_projection_ : ndarray of shape (n_features, n_features)
        The kept fantope iterate (before rounding), ``B P B^T`` in the input coordinates.
    rank_ : int
    n_iter_ : int
        Iterations run.
    converged_ : bool
        Whether the run stopped by ``epsilon``.
    loss_history_, accuracy_history_ : list of float
        Held-out cross-entropy and accuracy of the rounded ``P`` at each evaluation.
    best_loss_, best_accuracy_, majority_accuracy_ : float
        The kept ``P``'s held-out loss, the accuracy closest to the majority rate, and that
        rate (held-out rows).
    n_classes_, n_features_in_ : int

    References
    ----------
    Ravfogel, Twiton, Goldberg, Cotterell (2022). Linear Adversarial Concept Erasure. ICML.
    arXiv:2201.12091, Sec. 4 and Appendix (the optimisation); code:
    github.com/shauli-ravfogel/rlace-icml.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 2000)
    >>> X = rng.standard_normal((2000, 4)) + 2.0 * y[:, None] * np.eye(4)[0]
    >>> e = RLACESGDEraser(n_steps=500, evaluate_every=100, random_state=0).fit(X, y)
    >>> e.transform(X).shape
    (2000, 4)
    """

    def __init__(self, rank=1, n_steps=75000, batch_size=128, lr_projection=0.005,
                 lr_predictor=0.005, weight_decay_projection=1e-4,
                 weight_decay_predictor=1e-4, evaluate_every=1000, epsilon=0.0015,
                 validation_fraction=0.2, eval_alpha=1e-4, random_state=None):
        self.rank = rank
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.lr_projection = lr_projection
        self.lr_predictor = lr_predictor
        self.weight_decay_projection = weight_decay_projection
        self.weight_decay_predictor = weight_decay_predictor
        self.evaluate_every = evaluate_every
        self.epsilon = epsilon
        self.validation_fraction = validation_fraction
        self.eval_alpha = eval_alpha
        self.random_state = random_state

    def _check_params(self, d: int) -> None:
        check_int(self.rank, "rank")
        if self.rank >= d:
            raise ValueError(f"rank must be < n_features={d}, got {self.rank}")
        check_int(self.n_steps, "n_steps")
        check_int(self.batch_size, "batch_size")
        check_int(self.evaluate_every, "evaluate_every")
        check_interval(self.validation_fraction, "validation_fraction", 0.0, 1.0,
                       low_open=True, high_open=True)
        for name in ("lr_projection", "lr_predictor"):
            check_positive_float(getattr(self, name), name)
        for name in ("weight_decay_projection", "weight_decay_predictor", "epsilon",
                     "eval_alpha"):
            check_positive_float(getattr(self, name), name, allow_zero=True)

    def _evaluate(self, P, Xt, Yt, Xv, codes_v, K):
        """Held-out (cross-entropy, accuracy) of a fresh logistic fit on the rounded ``P``."""
        U = np.linalg.eigh(P)[1][:, ::-1][:, : int(self.rank)]
        Q = U @ U.T
        d = Xt.shape[1]
        params = _fit_adversary(np.zeros(K * d + K), Xt, Yt, Q, float(self.eval_alpha),
                                _EVAL_MAX_ITER)
        Yv = _onehot(codes_v, K)
        loss = _cross_entropy(params, Xv, Yv, Q)
        theta, b = params[: K * d].reshape(K, d), params[K * d:]
        pred = np.argmax((Xv - Xv @ Q) @ theta.T + b, axis=1)
        return loss, float(np.mean(pred == codes_v))

    def fit(self, X, y) -> "RLACESGDEraser":
        """Play the game on ``X`` (n, d) with labels ``y`` (n,); returns self."""
        X, codes = self._validate_fit(X, y)
        d = X.shape[1]
        self._check_params(d)
        k = int(self.rank)
        split_rng, p_rng, w_rng, batch_rng = check_random_state(self.random_state).spawn(4)
        K = int(codes.max()) + 1
        mean = X.mean(axis=0)
        Xc = X - mean
        B = orthonormal_basis(Xc.T)  # (d, r): the span of the centred rows
        r = B.shape[1]
        self.mean_ = mean
        self.n_classes_ = K
        if r <= k:  # nothing is left after removing the whole span: no game to play
            pad = np.linalg.qr(np.hstack([B, np.eye(d)]))[0][:, r:k]
            U = np.hstack([B, pad])
            self.relaxed_projection_ = U @ U.T
            self.n_iter_, self.converged_ = 0, True
            self.loss_history_, self.accuracy_history_ = [], []
            self.best_loss_ = self.best_accuracy_ = self.majority_accuracy_ = float("nan")
            self._set_subspace(U, mean)
            return self
        train, val = stratified_holdout(codes, self.validation_fraction, split_rng)
        if val.size == 0:
            val = train
        Z = Xc @ B
        Xt, Xv = Z[train], Z[val]
        ct, cv = codes[train], codes[val]
        Yt_eval = _onehot(ct, K)
        T = targets(ct, K)
        m = predictor_width(K)
        bound = 1.0 / np.sqrt(r)
        W = w_rng.uniform(-bound, bound, (m, r))
        b = w_rng.uniform(-bound, bound, m)
        P = 0.1 * p_rng.standard_normal((r, r))
        P = (P + P.T) / 2
        n_train, batch = Xt.shape[0], min(int(self.batch_size), Xt.shape[0])
        lr_p, lr_w = float(self.lr_projection), float(self.lr_predictor)
        wd_p, wd_w = float(self.weight_decay_projection), float(self.weight_decay_predictor)
        majority = float(np.bincount(cv, minlength=K).max() / cv.size)
        best_P, best_loss, best_acc = P, -np.inf, np.inf
        losses, accs = [], []
        converged, t = False, 0
        while t < int(self.n_steps):
            idx = batch_rng.choice(n_train, batch, replace=False)
            _, gP, _, _ = game_loss(P, W, b, Xt[idx], T[idx])
            P = fantope_projection(P + lr_p * gP - lr_p * wd_p * P, k)
            idx = batch_rng.choice(n_train, batch, replace=False)
            _, _, gW, gb = game_loss(P, W, b, Xt[idx], T[idx])
            W = W - lr_w * (gW + wd_w * W)
            b = b - lr_w * (gb + wd_w * b)
            if t % int(self.evaluate_every) == 0:
                loss, acc = self._evaluate(P, Xt, Yt_eval, Xv, cv, K)
                losses.append(loss)
                accs.append(acc)
                if loss > best_loss:
                    best_P, best_loss = P, loss
                if abs(acc - majority) < abs(best_acc - majority):
                    best_acc = acc
            t += 1
            if t > 2 and abs(best_acc - majority) < float(self.epsilon):
                converged = True
                break
        U = B @ np.linalg.eigh(best_P)[1][:, ::-1][:, :k]
        self.relaxed_projection_ = B @ best_P @ B.T
        self.n_iter_ = t
        self.converged_ = converged
        self.loss_history_ = losses
        self.accuracy_history_ = accs
        self.best_loss_ = float(best_loss)
        self.best_accuracy_ = float(best_acc)
        self.majority_accuracy_ = majority
        self._set_subspace(U, mean)
        return self
