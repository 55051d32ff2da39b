"""Sparse dictionary learning on the columns (or rows) of a weight matrix: read/write pairs
beyond the rank, when each input is read by few pairs (superposition)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.decomposition import DictionaryLearning
from sklearn.exceptions import ConvergenceWarning

from floor.random_matrix import edge_cut, estimate_tau
from floor.validation import check_int, check_positive_float, check_random_state
from methods.weights._base import BaseWeightDirections


class SparseDictionaryDirections(BaseWeightDirections):
    """Pairs from scikit-learn's `DictionaryLearning` on the longer side of ``W``.

    With ``d_in >= d_out`` the samples are the ``d_in`` columns of ``W`` (each in
    ``R^d_out``): column ``j`` is ``sum_i s_i v_i[j] u_i + noise``, a sparse combination of
    the write directions when each input is read by few pairs. The atoms ``D`` (m, d_out) are
    the write directions; atom ``a``'s codes over the columns, ``C[:, a]`` (d_in,), give its
    read direction ``C[:, a] / ||C[:, a]||`` and its strength ``||C[:, a]||`` (``W ~ D^T C^T
    = sum_a D_a C[:, a]^T``). With ``d_out > d_in`` the roles swap (rows as samples, atoms
    as read directions). The lasso penalty is ``alpha`` times the root-mean-square norm of a
    sample (scale free).

    A pair is claimed as structure when its strength exceeds the singular value a noise
    direction reaches, the Marchenko-Pastur edge with the Tracy-Widom 0.99 margin
    (`floor.random_matrix.edge_cut`) at the noise level estimated from the median
    singular value of ``W`` (`floor.random_matrix.estimate_tau`) unless ``noise_std`` is
    given: a rank-one component
    weaker than that is what noise alone produces.

    Parameters
    ----------
    n_components : int or None, default=None
        Atoms ``m``; None: ``2 min(d_out, d_in)`` (twice the rank).
    alpha : float, default=0.2
        Lasso penalty relative to the RMS sample norm (> 0).
    max_iter : int, default=30
        Dictionary-learning iterations (scikit-learn's ``max_iter``).
    noise_std : float or None, default=None
        Known noise entry standard deviation for the claim cut; None estimates it from the
        median singular value (biased upwards when structure fills the spectrum, as under
        superposition: measured 2.5x the true value on the quick superposition matrix).
    random_state : None, int, SeedSequence or Generator, default=None
        Seeds the dictionary's initialisation.

    Attributes
    ----------
    components_ : ndarray of shape (m, d_in)
        Read directions (unit rows; a dead atom's row is 0), ranked by strength.
    write_directions_ : ndarray of shape (m, d_out)
    strengths_ : ndarray of shape (m,)
    n_directions_ : int
    noise_std_ : float
        The estimated noise entry standard deviation.
    cut_ : float
        The strength above which a pair is claimed.
    n_iter_ : int
        Dictionary-learning iterations run.
    n_features_in_ : int
    """

    def __init__(self, n_components=None, alpha=0.2, max_iter=30, noise_std=None,
                 random_state=None):
        self.n_components = n_components
        self.alpha = alpha
        self.max_iter = max_iter
        self.noise_std = noise_std
        self.random_state = random_state

    def _directions(self, W):
        d_out, d_in = W.shape
        rank = min(d_out, d_in)
        m = 2 * rank if self.n_components is None else check_int(self.n_components,
                                                                  "n_components")
        alpha = check_positive_float(self.alpha, "alpha")
        n_iter = check_int(self.max_iter, "max_iter")
        if rank < 2:
            raise ValueError(f"W must have at least 2 rows and 2 columns, got shape {W.shape} "
                             f"(n_samples = {d_out}, n_features = {d_in})")
        samples = W.T if d_in >= d_out else W
        scale = float(np.sqrt(np.mean(np.sum(samples ** 2, axis=1))))
        if scale == 0:
            raise ValueError("X is all zeros: no direction to find")
        seed = None if self.random_state is None else int(
            check_random_state(self.random_state).integers(2 ** 31 - 1))
        dl = DictionaryLearning(n_components=m, alpha=alpha * scale, max_iter=n_iter,
                                fit_algorithm="cd", transform_algorithm="lasso_cd",
                                transform_alpha=alpha * scale, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            codes = dl.fit_transform(samples)  # (n_samples, m)
        self.n_iter_ = int(dl.n_iter_)
        atoms = dl.components_
        atom_norms = np.linalg.norm(atoms, axis=1)
        strengths = np.linalg.norm(codes, axis=0) * atom_norms
        live = strengths > 0
        atoms_unit = np.zeros_like(atoms)
        atoms_unit[live] = atoms[live] / atom_norms[live, None]
        codes_unit = np.zeros((codes.shape[0], m))
        codes_unit[:, live] = codes[:, live] / np.linalg.norm(codes[:, live], axis=0)
        if d_in >= d_out:
            write, read = atoms_unit, codes_unit.T
        else:
            write, read = codes_unit.T, atoms_unit
        if self.noise_std is not None:
            self.noise_std_ = check_positive_float(self.noise_std, "noise_std")
        else:
            self.noise_std_ = estimate_tau(np.linalg.svd(W, compute_uv=False), d_out, d_in)
        self.cut_ = edge_cut(d_out, d_in, self.noise_std_, 0.99)
        return write, read, strengths, int(np.sum(strengths > self.cut_))
