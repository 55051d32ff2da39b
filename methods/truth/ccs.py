"""Contrast-Consistent Search (CCS).

Burns, Ye, Klein, Steinhardt (2022), "Discovering Latent Knowledge in Language Models
Without Supervision", arXiv 2212.03827, Section 2.2 (Eqs. 1-2). Reference implementation:
collin-burns/discovering_latent_knowledge (``CCS`` class in ``utils.py``).

What every truth method shares (input layout, the estimator base) lives in
`methods.truth._contrast_pairs`; the per-side normalisation `PairNormalizer` and the objective
`ccs_objective` live in `floor.contrast_pairs`, where `metrics.ccs_loss` reads them too.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from floor.contrast_pairs import PairNormalizer, ccs_objective
from floor.validation import (
    check_choice,
    check_int,
    check_positive_float,
    check_random_state,
)
from methods.truth._contrast_pairs import ContrastPairClassifier


def _lbfgs_direction(g, S, Y, rho):
    """Two-loop recursion, one column per probe (Nocedal & Wright 2006, Algorithm 7.4)."""
    q = g.copy()
    alphas = []
    for s, yv, r in zip(reversed(S), reversed(Y), reversed(rho), strict=True):
        a = r * np.sum(s * q, axis=0)
        q -= a * yv
        alphas.append(a)
    if S:
        sy, yy = np.sum(S[-1] * Y[-1], axis=0), np.sum(Y[-1] ** 2, axis=0)
        gamma = np.where((rho[-1] > 0) & (yy > 0), sy / np.where(yy > 0, yy, 1.0), 1.0)
        q *= gamma
    for s, yv, r, a in zip(S, Y, rho, reversed(alphas), strict=True):
        q += s * (a - r * np.sum(yv * q, axis=0))
    return -q


class _BatchedLBFGS:
    """Independent L-BFGS runs, one per column, sharing each objective evaluation.

    Each column keeps its own curvature pairs and its own backtracking (Armijo) line
    search, so a restart's path does not depend on the others; evaluating all columns in
    one matrix product is what makes 10 restarts cost little more than one.
    """

    MEMORY = 10
    ARMIJO = 1e-4
    MAX_HALVINGS = 40
    FTOL = 1e-12  # relative decrease below which a column stops (scipy's factr * eps scale)

    def __init__(self, fun, max_iter, gtol):
        self.fun, self.max_iter, self.gtol = fun, max_iter, gtol

    def run(self, W):
        f, g = self.fun(W)
        r = W.shape[1]
        active = np.ones(r, dtype=bool)
        n_iter = np.zeros(r, dtype=np.int64)
        S, Y, rho = [], [], []
        fresh = np.ones(r, dtype=bool)
        for it in range(self.max_iter):
            active &= np.max(np.abs(g), axis=0) > self.gtol
            if not active.any():
                break
            p = _lbfgs_direction(g, S, Y, rho)
            if it == 0:
                p = p / np.linalg.norm(g, axis=0)
            slope = np.sum(p * g, axis=0)
            bad = slope >= 0
            p[:, bad] = -g[:, bad]
            slope[bad] = -np.sum(g[:, bad] ** 2, axis=0)
            W_new, f_new, g_new, failed = self._line_search(W, f, g, p, slope, active)
            s, yv = W_new - W, g_new - g
            sy = np.sum(s * yv, axis=0)
            S.append(s)
            Y.append(yv)
            rho.append(np.where(sy > 1e-12, 1.0 / np.where(sy > 1e-12, sy, 1.0), 0.0))
            if len(S) > self.MEMORY:
                S.pop(0), Y.pop(0), rho.pop(0)
            # A column whose quasi-Newton step failed forgets its curvature pairs and tries
            # steepest descent next; it stops only if that fails too, or stops improving.
            retry = failed & ~fresh
            for r_hist in rho:
                r_hist[retry] = 0.0
            fresh = retry
            scale = np.maximum(np.maximum(np.abs(f), np.abs(f_new)), 1)
            stalled = ((f - f_new) <= self.FTOL * scale) & ~retry
            n_iter += active
            W, f, g = W_new, f_new, g_new
            active &= ~stalled
        return W, f, n_iter

    def _line_search(self, W, f, g, p, slope, active):
        W_new, f_new, g_new = W.copy(), f.copy(), g.copy()
        todo = np.flatnonzero(active)
        t = np.ones(W.shape[1])
        for _ in range(self.MAX_HALVINGS):
            if todo.size == 0:
                break
            trial = W[:, todo] + t[todo] * p[:, todo]
            ft, gt = self.fun(trial)
            ok = ft <= f[todo] + self.ARMIJO * t[todo] * slope[todo]
            done = todo[ok]
            W_new[:, done], f_new[done], g_new[:, done] = trial[:, ok], ft[ok], gt[:, ok]
            t[todo[~ok]] *= 0.5
            todo = todo[~ok]
        failed = np.zeros(W.shape[1], dtype=bool)
        failed[todo] = True
        return W_new, f_new, g_new, failed


def _adam(fun, W, max_iter, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Full-batch Adam on every column at once (Kingma & Ba 2015, Algorithm 1)."""
    m, v = np.zeros_like(W), np.zeros_like(W)
    for t in range(1, max_iter + 1):
        _, g = fun(W)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        W = W - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    f, _ = fun(W)
    return W, f, np.full(W.shape[1], max_iter, dtype=np.int64)


class CCS(ContrastPairClassifier):
    """Contrast-Consistent Search: a linear probe that is consistent and confident on pairs.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``
    (`methods.truth.pairs.stack_pairs`). Each side is normalised by its own mean (and std,
    optionally); then ``p(x) = sigmoid(theta^T x + b)`` minimises
    ``L = mean[(p(x+) - (1 - p(x-)))^2] + mean[min(p(x+), p(x-))^2]`` (+ ``l2 ||theta||^2/2``)
    from ``n_restarts`` random initialisations, keeping the lowest final loss. A pair is
    scored ``0.5 (p(x+) + 1 - p(x-))``, the probability that its first member is true
    (``predict_proba(X)[:, 1]``). CCS is unsupervised: ``y`` is optional and unused (checked
    if given), which sign of the probe means "true" is arbitrary, and so is the choice among
    directions of equal loss (Farquhar et al. 2023).

    Parameters
    ----------
    n_restarts : int, default=10
        Random initialisations (the reference's ``ntries``).
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation (``"std"`` is the reference's ``var_normalize=True``).
    solver : {"lbfgs", "adam"}, default="lbfgs"
        Full-batch L-BFGS (as in EleutherAI elk) or full-batch Adam (as in the paper).
    max_iter : int, default=1000
        L-BFGS iterations or Adam steps per restart (the reference: 1000 epochs).
    lr : float, default=1e-2
        Adam learning rate (paper 1e-2; reference code 1e-3). Unused by L-BFGS.
    l2 : float, default=0.0
        Penalty ``l2 ||theta||^2 / 2`` (elk uses 0.01); 0 is the paper's loss.
    tol : float, default=1e-6
        L-BFGS stops a restart when its largest gradient entry is below ``tol``.
    predict_normalization : {"train", "batch"}, default="train"
        Normalise pairs at prediction with the training statistics, or (as the reference
        code does for its test set) with the statistics of the pairs being scored (then at
        least two pairs, and a pair's score depends on the others scored with it).
    random_state : None, int, SeedSequence or Generator, default=None
        Restart ``r`` is initialised from its own child stream of this seed.

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
        ``theta`` of the best restart, acting on normalised pairs.
    bias_ : float
        ``b`` of the best restart.
    direction_ : ndarray of shape (d,)
        Unit input-space direction of the best probe (``theta`` divided by the scale).
    loss_ : float
        CCS loss (without the l2 term) of the best restart on the training pairs.
    losses_ : ndarray of shape (n_restarts,)
        Final CCS loss of every restart.
    restart_directions_ : ndarray of shape (n_restarts, d)
        Unit input-space direction of every restart.
    restart_coefs_ : ndarray of shape (n_restarts, d + 1)
        ``[theta, b]`` of every restart.
    init_directions_ : ndarray of shape (n_restarts, d)
        Unit input-space direction of every restart's initialisation.
    best_restart_ : int
    n_iter_ : ndarray of shape (n_restarts,)
    normalizer_ : PairNormalizer
        Per-side statistics of the training pairs.
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    Burns et al. (2022), arXiv 2212.03827, Section 2.2, Eqs. (1)-(2), and Appendix.
    Farquhar et al. (2023), "Challenges with unsupervised LLM knowledge discovery",
    arXiv 2312.10029, Theorem 1.
    """

    def __init__(self, n_restarts=10, normalize="mean", solver="lbfgs", max_iter=1000,
                 lr=1e-2, l2=0.0, tol=1e-6, predict_normalization="train", random_state=None):
        self.n_restarts = n_restarts
        self.normalize = normalize
        self.solver = solver
        self.max_iter = max_iter
        self.lr = lr
        self.l2 = l2
        self.tol = tol
        self.predict_normalization = predict_normalization
        self.random_state = random_state

    def _check_params(self) -> None:
        check_int(self.n_restarts, "n_restarts", 1)
        check_choice(self.solver, "solver", ("lbfgs", "adam"))
        check_int(self.max_iter, "max_iter", 1)
        check_positive_float(self.lr, "lr")
        check_positive_float(self.l2, "l2", allow_zero=True)
        check_positive_float(self.tol, "tol", allow_zero=True)
        check_choice(self.predict_normalization, "predict_normalization", ("train", "batch"))

    def _init(self, d: int) -> np.ndarray:
        """The reference's nn.Linear init, U(-1/sqrt(d), 1/sqrt(d)), one child stream each."""
        rng = check_random_state(self.random_state)
        bound = 1.0 / np.sqrt(d)
        cols = [child.uniform(-bound, bound, d + 1) for child in rng.spawn(int(self.n_restarts))]
        return np.stack(cols, axis=1)

    def fit(self, X, y=None) -> CCS:
        """Fit ``n_restarts`` probes on the pairs and keep the lowest-loss one.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2 d)
            Contrast pairs ``[x_plus | x_minus]``.
        y : array-like of shape (n_pairs,), optional
            Unused (CCS is unsupervised); checked to be 0/1 labels, one per pair, if given.

        Returns
        -------
        self
        """
        self._check_params()
        Zp, Zn, _ = self._fit_pairs(X, y)
        W0 = self._init(Zp.shape[1])

        def fun(W):
            return ccs_objective(W, Zp, Zn, float(self.l2))

        if self.solver == "lbfgs":
            W, objective, n_iter = _BatchedLBFGS(fun, int(self.max_iter), float(self.tol)).run(W0)
        else:
            W, objective, n_iter = _adam(fun, W0, int(self.max_iter), float(self.lr))
        self._record(W0, W, objective, ccs_objective(W, Zp, Zn)[0], n_iter)
        return self

    def _record(self, W0, W, objective, losses, n_iter) -> None:
        best = int(np.argmin(objective))
        to_input = self.normalizer_.input_direction
        self.restart_coefs_ = np.ascontiguousarray(W.T)
        self.restart_directions_ = np.stack([to_input(w[:-1]) for w in W.T])
        self.init_directions_ = np.stack([to_input(w[:-1]) for w in W0.T])
        self.losses_ = losses
        self.n_iter_ = n_iter
        self.best_restart_ = best
        self.loss_ = float(losses[best])
        self.bias_ = float(W[-1, best])
        self.direction_ = self.restart_directions_[best]
        self.coef_ = W[:-1, best].copy()

    def _normalized(self, X) -> tuple[np.ndarray, np.ndarray]:
        if self.predict_normalization == "batch":
            return PairNormalizer(self.normalize).fit_transform(*self._pairs(X, min_pairs=2))
        return super()._normalized(X)

    def _proba_true(self, X) -> np.ndarray:
        """``0.5 (p(x+) + 1 - p(x-))`` per pair, shape (n_pairs,): P(first member is true)."""
        Zp, Zn = self._normalized(X)
        pp = expit(Zp @ self.coef_ + self.bias_)
        pn = expit(Zn @ self.coef_ + self.bias_)
        return 0.5 * (pp + 1.0 - pn)

    def restart_predict_proba(self, X) -> np.ndarray:
        """``P(x_plus is true)`` under every restart's probe, shape (n_restarts, n_pairs).

        Row ``r`` is restart ``r``'s ``0.5 (p(x+) + 1 - p(x-))``; row ``best_restart_``
        equals ``predict_proba(X)[:, 1]``.
        """
        Zp, Zn = self._normalized(X)
        W = self.restart_coefs_.T
        pp = expit(Zp @ W[:-1] + W[-1])
        pn = expit(Zn @ W[:-1] + W[-1])
        return (0.5 * (pp + 1.0 - pn)).T
