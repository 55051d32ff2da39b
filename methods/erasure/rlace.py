"""Relaxed Linear Adversarial Concept Erasure (R-LACE), Ravfogel et al. 2022, ICML.

The game (paper Eq. 3-5): over rank-k orthogonal projections ``P`` relaxed to the fantope
``F_k = {P symmetric : 0 <= P <= I, tr P = k}``,

    max_{P in F_k}  min_theta  (1/n) sum_i  CE(theta (I - P) x_i + b, z_i),

then round: ``U`` (d, k) the top-k eigenvectors of ``P``, final eraser ``x -> (I - U U^T) x``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax

from floor.validation import (
    check_int,
    check_interval,
    check_positive_float,
    check_random_state,
)
from methods.erasure._subspace import SubspaceEraser
from methods.erasure.inlp import stratified_holdout


def fantope_projection(A: np.ndarray, k: int) -> np.ndarray:
    """Frobenius projection of a symmetric matrix onto ``F_k = {0 <= P <= I, tr P = k}``.

    With ``A = V diag(a) V^T`` (``numpy.linalg.eigh``), the projection is
    ``V diag(clip(a - gamma, 0, 1)) V^T`` where the shift ``gamma`` solves
    ``sum_i clip(a_i - gamma, 0, 1) = k`` (Vu et al. 2013, "Fantope projection and
    selection", Lemma 4.1; the reference R-LACE code does the same). The sum is continuous,
    non-increasing and piecewise linear in ``gamma`` (`fantope_shift` solves it exactly).

    Parameters
    ----------
    A : ndarray of shape (d, d)
        Symmetric matrix (its symmetric part is used).
    k : int
        Trace of the result, ``0 <= k <= d``.

    Returns
    -------
    ndarray of shape (d, d)
        Symmetric, eigenvalues in [0, 1], trace ``k``.
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    if not 0 <= k <= A.shape[0]:
        raise ValueError(f"k must be in [0, {A.shape[0]}], got {k}")
    a, V = np.linalg.eigh((A + A.T) / 2)
    lam = np.clip(a - fantope_shift(a, k), 0.0, 1.0)
    return (V * lam) @ V.T


def fantope_shift(a: np.ndarray, k: float) -> float:
    """The ``gamma`` with ``sum_i clip(a_i - gamma, 0, 1) = k`` for eigenvalues ``a`` (d,).

    ``s(gamma) = sum_i clip(a_i - gamma, 0, 1)`` is continuous, non-increasing and linear
    between its knots ``{a_i} u {a_i - 1}``, from ``d`` at the smallest knot to 0 at the
    largest. ``s`` is evaluated at every knot (one vectorised (2d, d) pass, no iteration),
    the piece holding ``k`` is interpolated, and ``gamma`` is re-solved exactly from the
    piece's free eigenvalues (those with ``0 < a_i - gamma < 1``) to remove the rounding of
    the interpolation. For ``k = d`` (``k = 0``) it returns the smallest (largest) knot.
    """
    a = np.asarray(a, dtype=np.float64)
    knots = np.unique(np.concatenate([a, a - 1.0]))  # ascending
    s = np.clip(a[None, :] - knots[:, None], 0.0, 1.0).sum(axis=1)  # non-increasing
    j = int(np.count_nonzero(s >= k)) - 1  # last knot with s >= k
    if j >= knots.size - 1:
        return float(knots[-1])
    if j < 0:
        return float(knots[0])
    drop = s[j] - s[j + 1]
    gamma = knots[j] if drop <= 0.0 else knots[j] + (s[j] - k) / drop * (knots[j + 1] - knots[j])
    free = (a - gamma > 0.0) & (a - gamma < 1.0)
    if free.any():  # on this piece: sum_free (a_i - gamma) + #{a_i - gamma >= 1} = k
        gamma = (a[free].sum() + np.count_nonzero(a - gamma >= 1.0) - k) / free.sum()
    return float(gamma)


def _onehot(codes: np.ndarray, n_classes: int) -> np.ndarray:
    Y = np.zeros((codes.size, n_classes))
    Y[np.arange(codes.size), codes] = 1.0
    return Y


def _erase(M: np.ndarray, P: np.ndarray) -> np.ndarray:
    """``(I - P) M`` for M (d, m)."""
    return M - P @ M


def adversary_loss(params, Xc, Y, P, alpha):
    """Multinomial logistic loss of ``theta`` on ``(I - P) x`` and its gradient.

    ``f(theta, b) = (1/n) sum_i CE(softmax(theta (I - P) x_i + b), y_i) + alpha/2 ||theta||^2``
    with ``theta`` (K, d), ``b`` (K,), ``Xc`` (n, d) centred, ``Y`` (n, K) one-hot. The
    projection is applied to ``theta`` rather than to ``X``: O(n d K + d^2 K) per call.
    Returns ``(f, grad)`` with ``grad`` flattened like ``params``.
    """
    n, d = Xc.shape
    K = Y.shape[1]
    theta, b = params[: K * d].reshape(K, d), params[K * d:]
    A = _erase(theta.T, P)  # (d, K)
    logits = Xc @ A + b
    logp = log_softmax(logits, axis=1)
    f = -np.sum(Y * logp) / n + 0.5 * alpha * np.sum(theta * theta)
    G = (np.exp(logp) - Y) / n  # (n, K)
    g_theta = _erase(Xc.T @ G, P).T + alpha * theta
    return f, np.concatenate([g_theta.ravel(), G.sum(axis=0)])


def _fit_adversary(params, Xc, Y, P, alpha, max_iter):
    """Inner minimisation by L-BFGS, warm-started at ``params``."""
    res = minimize(adversary_loss, params, args=(Xc, Y, P, alpha), jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iter, "gtol": 1e-6})
    return res.x


def _cross_entropy(params, Xc, Y, P):
    """Mean cross-entropy (no penalty) of ``params`` on ``(I - P) x`` for rows of ``Xc``."""
    K, d = Y.shape[1], Xc.shape[1]
    theta, b = params[: K * d].reshape(K, d), params[K * d:]
    logp = log_softmax(Xc @ _erase(theta.T, P) + b, axis=1)
    return float(-np.sum(Y * logp) / Xc.shape[0])


def _game_gradient(params, Xc, Y, P):
    """Gradient in ``P`` of the adversary's loss: ``-sym(Xc^T G theta) / n``, (d, d)."""
    K, d = Y.shape[1], Xc.shape[1]
    theta, b = params[: K * d].reshape(K, d), params[K * d:]
    G = softmax(Xc @ _erase(theta.T, P) + b, axis=1) - Y
    M = -(Xc.T @ G) @ theta / Xc.shape[0]
    return (M + M.T) / 2


def _initial_subspace(Xc, codes, n_classes, rank, rng):
    """Orthonormal (d, rank) start: the span of the class-mean offsets, padded at random.

    Columns: the top left singular vectors of ``[sqrt(p_c) (mu_c - mu)]_c`` (d, K), then, if
    ``rank`` exceeds their number, random directions orthogonal to them.
    """
    d = Xc.shape[1]
    counts = np.bincount(codes, minlength=n_classes)
    M = (_onehot(codes, n_classes).T @ Xc) / counts[:, None]  # class means (centred)
    U, s, _ = np.linalg.svd((M * np.sqrt(counts / codes.size)[:, None]).T, full_matrices=False)
    U = U[:, s > s.max() * d * np.finfo(float).eps][:, :rank]
    if U.shape[1] < rank:
        R = rng.standard_normal((d, rank - U.shape[1]))
        R, _ = np.linalg.qr(R - U @ (U.T @ R))
        U = np.hstack([U, R])
    return U


class RLACEEraser(SubspaceEraser):
    """R-LACE: remove the rank-k subspace that maximises a logistic adversary's loss.

    Objective (Ravfogel et al. 2022, Eq. 5): ``max_{P in F_k} min_{theta, b}
    (1/n) sum_i CE(theta (I - P) x_i + b, z_i)`` with ``F_k = {0 <= P <= I, tr P = k}``, the
    adversary a softmax (multinomial) classifier, ``theta`` (K, d). The eraser is
    ``r(x) = mu + (I - U U^T)(x - mu)``, ``U`` (d, k) the top-k eigenvectors of ``P``.

    Faster route to the saddle point than the paper's alternating SGD (tens of thousands of
    steps, one eigendecomposition each):

    1. *Exact start.* By the LEACE theorem (Belrose et al. 2023, Thm 3.1) restricted to
       orthogonal projections, ``(I - U U^T) x`` is guarded against every convex loss,
       logistic included, iff ``span(U)`` contains every class-mean offset ``mu_c - mu``.
       So when ``k >= rank([mu_c - mu]_c)`` (``k >= 1`` for two classes) the projector onto
       the class-mean span of all the fit rows (padded with random directions) attains the
       game's maximum on the fit data: there ``theta = 0`` has zero gradient, so the
       adversary's minimum is the constant predictor's loss. Training starts there.
    2. *Check.* ``validation_fraction`` of the fit rows (split from ``random_state``) are
       held out from the adversary: it is fitted (L-BFGS, warm-started) on the other rows
       and the fit stops once its held-out cross-entropy is at least the constant
       predictor's minus ``tol`` (no linear adversary beats the constant). The held-out rows
       do enter ``mu`` and the start subspace, so the check is a stopping rule, not an
       unbiased leakage estimate.
    3. *Refine* (only when the check fails, e.g. ``k < K - 1`` classes). Full-batch
       projected gradient ascent on ``P``: the adversary is refitted on ``(I - P) x`` of
       the training rows (warm-started L-BFGS, the inner ``min``), then
       ``P <- Proj_{F_k}(P + eta_t G / ||G||_F)``, with ``G = -sym(X^T (softmax - Y) theta)/n``
       the gradient of the adversary's loss in ``P`` and ``eta_t = step_size / sqrt(t + 1)``.
       Each outer step costs one ``eigh`` of a (d, d) matrix instead of thousands.
       The rounded projection with the highest held-out adversary loss is kept.

    Parameters
    ----------
    rank : int, default=1
        ``k``, the dimension removed (``1 <= k < n_features``).
    max_iter : int, default=20
        Maximum number of outer (projected gradient) steps.
    alpha : float, default=1e-4
        L2 penalty of the adversary (the paper's weight decay).
    step_size : float, default=0.1
        Initial Frobenius length of an outer step.
    tol : float, default=1e-3
        Converged when held-out adversary cross-entropy >= constant predictor's - tol (nats).
    validation_fraction : float, default=0.2
        Fraction of the fit rows held out for the check, in (0, 1).
    max_inner_iter : int, default=200
        L-BFGS iterations per adversary fit.
    random_state : None, int, SeedSequence or Generator, default=None
        Source of the held-out split and of the random padding directions.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean ``mu`` of the fit data.
    centre_ : ndarray of shape (n_features,)
        ``mu`` again, the point the projection is applied around (as in every eraser).
    components_ : ndarray of shape (rank, n_features)
        ``U^T``, orthonormal rows spanning the removed space.
    basis_ : ndarray of shape (n_features, rank)
        ``U`` (``components_.T``).
    projection_ : ndarray of shape (n_features, n_features)
        The projector kept, ``I - U U^T``; ``transform(x) = mu + projection_ (x - mu)``.
    relaxed_projection_ : ndarray of shape (n_features, n_features)
        The last fantope iterate ``P`` (before rounding).
    rank_ : int
        ``k``.
    n_iter_ : int
        Outer steps taken (0 when the exact start passes the check).
    converged_ : bool
        Whether the check passed.
    loss_history_ : list of float
        Held-out adversary cross-entropy of the rounded projection at each check.
    constant_loss_ : float
        Held-out cross-entropy of the constant predictor (training class priors).
    n_classes_, n_features_in_ : int

    References
    ----------
    Ravfogel, Twiton, Goldberg, Cotterell (2022). Linear Adversarial Concept Erasure. ICML.
    arXiv:2201.12091, Sec. 4 (Eq. 5, the fantope relaxation) and Sec. 4.2 (rounding).
    Belrose et al. (2023). LEACE: Perfect linear concept erasure in closed form. Thm 3.1.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> X = rng.standard_normal((500, 5)) + 2.0 * y[:, None] * np.eye(5)[0]
    >>> RLACEEraser(rank=1, random_state=0).fit(X, y).transform(X).shape
    (500, 5)
    """

    def __init__(self, rank=1, max_iter=20, alpha=1e-4, step_size=0.1, tol=1e-3,
                 validation_fraction=0.2, max_inner_iter=200, random_state=None):
        self.rank = rank
        self.max_iter = max_iter
        self.alpha = alpha
        self.step_size = step_size
        self.tol = tol
        self.validation_fraction = validation_fraction
        self.max_inner_iter = max_inner_iter
        self.random_state = random_state

    def _check_params(self, d: int) -> None:
        check_int(self.rank, "rank")
        check_int(self.max_iter, "max_iter", 0)
        check_int(self.max_inner_iter, "max_inner_iter")
        if self.rank >= d:
            raise ValueError(f"rank must be < n_features={d}, got {self.rank}")
        check_interval(self.validation_fraction, "validation_fraction", 0.0, 1.0,
                       low_open=True, high_open=True)
        for name in ("alpha", "tol", "step_size"):
            check_positive_float(getattr(self, name), name, allow_zero=True)

    def fit(self, X, y) -> "RLACEEraser":
        """Solve the game on ``X`` (n, d) with labels ``y`` (n,); returns self."""
        X, codes = self._validate_fit(X, y)
        self._check_params(X.shape[1])
        rng = check_random_state(self.random_state)
        d, K = X.shape[1], int(codes.max()) + 1
        train, val = stratified_holdout(codes, self.validation_fraction, rng)
        if val.size == 0:
            val = train
        mean = X.mean(axis=0)
        Xc = X - mean
        U = _initial_subspace(Xc, codes, K, int(self.rank), rng)
        Xt, Xv = Xc[train], Xc[val]
        Yt, Yv = _onehot(codes[train], K), _onehot(codes[val], K)
        prior = Yt.mean(axis=0)
        self.constant_loss_ = float(-(Yv @ np.log(np.maximum(prior, 1e-300))).mean())
        P = U @ U.T
        params = np.zeros(K * d + K)
        best, history, t = (-np.inf, U), [], 0
        while True:
            params = _fit_adversary(params, Xt, Yt, U @ U.T, self.alpha, self.max_inner_iter)
            history.append(_cross_entropy(params, Xv, Yv, U @ U.T))
            if history[-1] > best[0]:
                best = (history[-1], U)
            if history[-1] >= self.constant_loss_ - self.tol or t >= self.max_iter:
                break
            P, params = self._outer_step(P, params, Xt, Yt, t)
            U = np.linalg.eigh(P)[1][:, ::-1][:, : int(self.rank)]
            t += 1
        U = best[1]
        self.mean_ = mean
        self.relaxed_projection_ = P
        self.n_iter_ = t
        self.converged_ = bool(best[0] >= self.constant_loss_ - self.tol)
        self.loss_history_ = history
        self.n_classes_ = K
        # The basis as the transposed view of a row-major copy of its rows: the layout
        # this eraser's transform has always multiplied with (same BLAS path, same bits).
        self._set_subspace(U.T.copy().T, mean)
        return self

    def _outer_step(self, P, params, Xt, Yt, t):
        """Inner ``min`` on the relaxed ``P``, then one projected ascent step on ``P``."""
        params = _fit_adversary(params, Xt, Yt, P, self.alpha, self.max_inner_iter)
        G = _game_gradient(params, Xt, Yt, P)
        norm = np.linalg.norm(G)
        if norm == 0.0:
            return P, params
        eta = float(self.step_size) / np.sqrt(t + 1.0)
        return fantope_projection(P + eta * G / norm, int(self.rank)), params
