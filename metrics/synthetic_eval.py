"""SynthSAEBench's evaluation of an SAE on synthetic data, in numpy float64.

The field's ground-truth SAE benchmark evaluates an SAE with
``sae_lens.synthetic.eval_sae_on_synthetic_data``; this module computes every number of its
result from arrays: the decoder rows (atoms) ``A`` (m, d), the planted feature directions
``V`` (F, d), and, on the same ``n`` rows, the data ``X`` (n, d), the reconstruction
``X_hat`` (n, d), the SAE's codes ``Z`` (n, m) and the true feature activations ``C``
(n, F). Its definitions, with the names of the library's result:

- ``true_l0 = (1/n) sum_n #{f : C_nf != 0}`` and ``sae_l0 = (1/n) sum_n #{i : Z_ni != 0}``;
- ``dead_latents = #{i : Z_ni = 0 for every n}``, a count (the suite's ``dead_fraction``
  is this over ``m``);
- ``shrinkage``: the mean of ``||x_hat_n|| / ||x_n||`` over the rows with ``||x_n|| >
  1e-6``, 0.0 when there is none;
- ``explained_variance = 1 - E||x - x_hat||^2 / (E||x||^2 - ||E x||^2)``, 1.0 (MSE below
  1e-10) or 0.0 when the denominator is below 1e-10;
- ``mcc``: the mean ``|cos|`` of the Hungarian one-to-one matching of atoms to features;
- ``uniqueness = |{match(i) : i = 1..m}| / m`` with ``match(i) = argmax_f |cos(A_i, V_f)|``
  over ALL latents (a zero row matches feature 0, the first of its ties);
- per latent ``i``, against feature ``j = match(i)``: ``TP = #{n : Z_ni != 0, C_nj > 0}``,
  ``FP = #{Z_ni != 0, C_nj <= 0}``, ``FN``, ``TN`` likewise; ``precision = TP / (TP + FP)``,
  ``recall = TP / (TP + FN)``, ``f1 = 2 P R / (P + R)``, each 0 where undefined, and
  ``accuracy = (TP + TN) / n``; ``precision``, ``recall``, ``f1_score``, ``accuracy`` are
  their means over ALL ``m`` latents, dead ones included.

One place per fact: `mcc` is `metrics.dictionary_similarity.matched_mcc`, `uniqueness` is
`metrics.dictionary_similarity.uniqueness`, `l0` and `dead_latents` count with
`metrics.dictionary_similarity.active`, the per-latent rates are those of
`metrics.dictionary_similarity.latent_precision_recall` with NaN read as 0, and the norm
ratios of `shrinkage` are those of `metrics.reconstruction.shrinkage`. What this module adds
is the library's conventions where a ratio is undefined (the suite's functions raise there),
its matching of zero decoder rows (to feature 0; the suite's `best_match` gives -1), its
truth firing ``C > 0`` (the suite reads ``C != 0``; the same on non-negative codes, as
every suite generator's and the library's), and the streaming accumulator `SyntheticEval`.

``tests/adapters/test_synthsaebench_parity.py`` holds every number to the library's on the
same SAE and the same rows.

References
----------
Chanin, Garriga-Alonso (2026), "SynthSAEBench: evaluating sparse autoencoders on
scalable realistic synthetic data", arXiv 2602.14687; ``sae_lens.synthetic.evals`` and
``sae_lens.evals.ExplainedVarianceCalculator`` (sae-lens 6.54).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from metrics.dictionary_similarity import (
    _argmax_match,
    _codes,
    _detector_rates,
    _firing_counts,
    _rows,
    _true_firing,
    active,
    matched_mcc,
    uniqueness,
)
from metrics.dictionary_similarity import dead_latents as _dead_mask
from metrics.reconstruction import SHRINKAGE_MIN_NORM, _norm_ratios, _pair

__all__ = ["SyntheticEval", "classification_metrics", "dead_latents", "explained_variance",
           "l0", "mcc", "shrinkage", "uniqueness"]

# The library's explained variance reads a total variance below this (absolute, in squared
# units of X) as zero: 1.0 if the MSE is also below it, else 0.0 (ExplainedVarianceCalculator).
VARIANCE_FLOOR = 1e-10

# The field's MCC is the suite's one-to-one matched |cos| (same definition; the name the
# library gives it).
mcc = matched_mcc


def l0(codes) -> float:
    """Mean number of non-zero entries per row, ``(1/n) sum_n #{i : codes_ni != 0}``.

    SynthSAEBench's ``sae_l0`` (of the SAE's codes) and ``true_l0`` (of the true feature
    activations), in [0, m]; ``!= 0``, so negative activations count.

    Parameters
    ----------
    codes : array-like or scipy.sparse matrix of shape (n, m)
        Read sparsely when sparse (never densified).
    """
    if sparse.issparse(codes):
        fires = _true_firing(codes, name="codes")
        return float(fires.nnz / fires.shape[0])
    return float(active(codes).sum(axis=1).mean())


def dead_latents(codes) -> int:
    """How many latents are never non-zero on these rows (SynthSAEBench's count), in [0, m].

    The suite's ``dead_fraction`` is this divided by ``m``; lower is better.

    Parameters
    ----------
    codes : array-like of shape (n, m)
    """
    return int(_dead_mask(codes).sum())


def shrinkage(X, X_hat) -> float:
    """Mean ``||x_hat_n|| / ||x_n||`` over the rows with ``||x_n|| > 1e-6``; 0.0 if none.

    SynthSAEBench's ``ShrinkageCalculator``. `metrics.reconstruction.shrinkage` is the same
    mean, but raises where no row qualifies (the library returns 0.0). 1 is no shrinkage.

    Parameters
    ----------
    X : array-like of shape (n, d)
    X_hat : array-like of shape (n, d)
    """
    ratios = _norm_ratios(*_pair(X, X_hat), SHRINKAGE_MIN_NORM)
    return float(ratios.mean()) if ratios.size else 0.0


class _VarianceSums:
    """Streaming sums of explained variance: rows, mean, squared deviations, squared residuals.

    The squared deviations ``M2 = sum_n ||x_n - mean||^2`` are merged batch by batch with
    Chan, Golub and LeVeque's pairwise update (``M2 = M2_a + M2_b + ||mean_b - mean_a||^2
    n_a n_b / (n_a + n_b)``), so that ``M2 / n = E||x||^2 - ||E x||^2`` (the library's
    denominator) carries no cancellation when the data have a large mean.
    """

    def __init__(self, d: int):
        self.n = 0
        self.mean = np.zeros(d)
        self.m2 = 0.0
        self.sse = 0.0

    def add(self, A: np.ndarray, B: np.ndarray) -> None:
        nb = A.shape[0]
        mean_b = A.mean(axis=0)
        m2_b = float(np.sum((A - mean_b) ** 2))
        delta = mean_b - self.mean
        total = self.n + nb
        self.m2 += m2_b + float(delta @ delta) * self.n * nb / total
        self.mean += delta * (nb / total)
        self.n = total
        self.sse += float(np.sum((A - B) ** 2))

    def value(self) -> float:
        variance, mse = self.m2 / self.n, self.sse / self.n
        if variance < VARIANCE_FLOOR:
            return 1.0 if mse < VARIANCE_FLOOR else 0.0
        return 1.0 - mse / variance


def explained_variance(X, X_hat) -> float:
    """``1 - E||x - x_hat||^2 / (E||x||^2 - ||E x||^2)``: SynthSAEBench's R^2.

    Higher is better; 1 for a perfect reconstruction, 0 for the mean predictor. Where the
    total variance is below 1e-10 (absolute), 1.0 if the MSE is also below it, else 0.0 (the
    library's convention). Elsewhere it equals `metrics.reconstruction.explained_variance`
    (which raises at zero variance) up to rounding.

    Parameters
    ----------
    X : array-like of shape (n, d)
    X_hat : array-like of shape (n, d)
    """
    A, B = _pair(X, X_hat)
    sums = _VarianceSums(A.shape[1])
    sums.add(A, B)
    return sums.value()


def _rates(tp: np.ndarray, n_fire: np.ndarray, n_partner: np.ndarray, n: int) -> dict:
    """The library's per-latent precision, recall, F1 (0 where undefined) and accuracy, and
    their means over every latent, from the counts ``TP``, ``TP + FP``, ``TP + FN`` and n."""
    precision, recall, f1 = (np.nan_to_num(v, nan=0.0)
                             for v in _detector_rates(tp, n_fire, n_partner))
    tn = n - n_fire - n_partner + tp
    accuracy = (tp + tn) / n
    per = {"precision": precision, "recall": recall, "f1_score": f1, "accuracy": accuracy}
    out = {key: float(v.mean()) for key, v in per.items()}
    out.update({f"{key}_per_latent": v for key, v in per.items()})
    return out


def _check_batch(codes, true_codes, m: int, n_features: int
                 ) -> tuple[np.ndarray, np.ndarray | sparse.csc_array]:
    """Validate codes (n, m) and true_codes (n, F) of the same rows; ValueError naming them."""
    Z = _codes(codes, "codes")
    if Z.shape[1] != m:
        raise ValueError(f"codes has {Z.shape[1]} latents but atoms has {m} rows")
    C = _true_firing(true_codes, positive=True)
    if C.shape != (Z.shape[0], n_features):
        raise ValueError(f"true_codes has shape {C.shape}, expected ({Z.shape[0]}, "
                         f"{n_features}) (the rows of codes, the features' count)")
    return Z, C


def classification_metrics(codes, true_codes, atoms, features) -> dict:
    """Each latent's firing as a detector of its best-matched feature's (SynthSAEBench).

    Latent ``i`` is matched to ``j = argmax_f |cos(atoms_i, features_f)|`` (a zero atom to
    feature 0); on the same rows, with ``fires = codes_ni != 0`` and ``truth = C_nj > 0``:
    ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``, ``f1 = 2 P R / (P + R)``
    (each 0 where undefined), ``accuracy = (TP + TN) / n``. In [0, 1], higher is better.
    The means are over ALL latents (a dead latent scores 0 precision, recall and F1, and its
    accuracy is the rate at which its feature is silent). `latent_precision_recall` gives
    the same per-latent rates with NaN where undefined, and the suite's NaN-skipping means.

    Parameters
    ----------
    codes : array-like of shape (n, m)
    true_codes : array-like or scipy.sparse matrix of shape (n, F)
        Read sparsely when sparse (never densified).
    atoms : array-like of shape (m, d)
        The decoder rows.
    features : array-like of shape (F, d)

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1_score``, ``accuracy`` (floats, means over latents),
        the same per latent as ``precision_per_latent`` etc. ((m,) arrays), and ``matched``
        ((m,) feature indices).
    """
    A = _rows(atoms, "atoms")
    V = _rows(features, "features", A.shape[1], "atoms")
    Z, C = _check_batch(codes, true_codes, A.shape[0], V.shape[0])
    matched = _argmax_match(A, V)
    fire = active(Z)
    tp, n_partner = _firing_counts(fire, C, matched)
    out = _rates(tp, fire.sum(axis=0), n_partner, Z.shape[0])
    out["matched"] = matched
    return out


class SyntheticEval:
    """Streaming SynthSAEBench evaluation: feed batches, read the library's result.

    ``SyntheticEval(atoms, features)`` matches every latent to its feature once; each
    `add_batch` adds one batch's counts and sums; `result` returns the numbers of
    ``eval_sae_on_synthetic_data`` (definitions in the module docstring). Memory is
    O(m + d) whatever the number of batches, and sparse true codes are never densified.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
        The SAE's decoder rows (``W_dec``).
    features : array-like of shape (F, d)
        The planted feature directions.

    Attributes
    ----------
    matched_ : ndarray of shape (m,)
        Each latent's feature, ``argmax_f |cos(atoms_i, features_f)|``.
    n_samples_ : int
        Rows added so far.

    Examples
    --------
    >>> ev = SyntheticEval(W_dec, V)  # doctest: +SKIP
    >>> for X, C in batches:  # doctest: +SKIP
    ...     Z = encode(X)
    ...     ev.add_batch(X, decode(Z), Z, C)
    >>> ev.result()["mcc"]  # doctest: +SKIP
    """

    def __init__(self, atoms, features):
        A = _rows(atoms, "atoms")
        V = _rows(features, "features", A.shape[1], "atoms")
        self._atoms, self._features = A, V
        self.matched_ = _argmax_match(A, V)
        m = A.shape[0]
        self.n_samples_ = 0
        self._sums = _VarianceSums(A.shape[1])
        self._true_nnz = self._sae_nnz = 0
        self._ever_fired = np.zeros(m, dtype=bool)
        self._shrink_sum, self._shrink_n = 0.0, 0
        self._tp, self._n_fire, self._n_partner = (np.zeros(m, dtype=np.int64)
                                                   for _ in range(3))

    def add_batch(self, X, X_hat, codes, true_codes) -> SyntheticEval:
        """Add one batch of rows; returns self.

        Parameters
        ----------
        X : array-like of shape (n, d)
            The data (the library's ``hidden_acts``).
        X_hat : array-like of shape (n, d)
            The SAE's reconstruction of ``X``.
        codes : array-like of shape (n, m)
            The SAE's codes of ``X``.
        true_codes : array-like or scipy.sparse matrix of shape (n, F)
            The true feature activations of the same rows.

        Raises
        ------
        ValueError
            Naming the argument, for a wrong shape, NaN or inf, before anything is added.
        """
        Z, C = _check_batch(codes, true_codes, self._atoms.shape[0], self._features.shape[0])
        A, B = _pair(X, X_hat)
        if A.shape != (Z.shape[0], self._atoms.shape[1]):
            raise ValueError(f"X has shape {A.shape}, expected ({Z.shape[0]}, "
                             f"{self._atoms.shape[1]}) (the rows of codes, the atoms' d)")
        fire = active(Z)
        tp, n_partner = _firing_counts(fire, C, self.matched_)
        self._tp += tp
        self._n_partner += n_partner
        self._n_fire += fire.sum(axis=0)
        self._ever_fired |= fire.any(axis=0)
        self._sae_nnz += int(fire.sum())
        self._true_nnz += int(_true_firing(true_codes).sum())
        self.n_samples_ += Z.shape[0]
        ratios = _norm_ratios(A, B, SHRINKAGE_MIN_NORM)
        self._shrink_sum += float(ratios.sum())
        self._shrink_n += ratios.size
        self._sums.add(A, B)
        return self

    def result(self) -> dict:
        """The library's numbers, under its names.

        Returns
        -------
        dict
            ``true_l0``, ``sae_l0`` (floats), ``dead_latents`` (int), ``shrinkage``,
            ``explained_variance``, ``mcc``, ``uniqueness``, ``precision``, ``recall``,
            ``f1_score``, ``accuracy`` (floats).

        Raises
        ------
        ValueError
            If no batch was added.
        """
        n = self.n_samples_
        if n == 0:
            raise ValueError("no batch added: call add_batch before result")
        cls = _rates(self._tp, self._n_fire, self._n_partner, n)
        return {
            "true_l0": self._true_nnz / n,
            "sae_l0": self._sae_nnz / n,
            "dead_latents": int((~self._ever_fired).sum()),
            "shrinkage": self._shrink_sum / self._shrink_n if self._shrink_n else 0.0,
            "explained_variance": self._sums.value(),
            "mcc": mcc(self._atoms, self._features),
            "uniqueness": uniqueness(self._atoms, self._features),
            **{key: cls[key] for key in ("precision", "recall", "f1_score", "accuracy")},
        }
