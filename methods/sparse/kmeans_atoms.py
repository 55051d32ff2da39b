"""k-means centres as a dictionary with one-hot codes: the vector-quantisation baseline.

Each sample is coded by its nearest centre alone, so a dictionary of cluster centres is what
a sparse-feature method with L0 = 1 would find. On data made of a few clusters it should
"claim" about as many features as there are clusters; on planted sparse features with
several active per sample it cannot recover them.

References
----------
Lloyd (1982), "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2).
Sculley (2010), "Web-scale k-means clustering", WWW (mini-batch k-means).
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from floor.validation import check_int, check_random_state
from methods.sparse._base import BaseDictionary


class KMeansAtoms(BaseDictionary):
    """Dictionary of k-means centres; each sample's code is the one-hot of its nearest centre.

    With centres ``mu_j`` (rows of ``components_``, shape (m, d))::

        j*(x)     = argmin_j ||x - mu_j||^2
        code(x)   = e_{j*(x)}                    (m,), a single 1
        x_hat     = code(x) @ components_ = mu_{j*(x)}

    and fitting minimises the inertia ``sum_i ||x_i - mu_{j*(x_i)}||^2`` by Lloyd's algorithm
    (scikit-learn `KMeans`, k-means++ seeding), or by mini-batch k-means when ``batch_size``
    is given. Centres are not normalised: ``components_`` are the centres themselves.

    Parameters
    ----------
    n_components : int, default=512
        Number of centres ``m`` (<= n_samples).
    max_iter : int, default=100
        Lloyd iterations (passes over the data for mini-batch k-means).
    n_init : int, default=1
        k-means++ restarts; the lowest inertia is kept.
    batch_size : int or None, default=None
        None: full-batch `KMeans`. An int: `MiniBatchKMeans` with this batch size (clipped
        to n_samples by scikit-learn).
    random_state : None, int, SeedSequence or Generator, default=None
        Seeds k-means++ (and the mini-batches); an int seed for scikit-learn is drawn from it.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The centres.
    n_features_in_ : int
    n_iter_ : int
        Iterations run by the k-means solver.
    inertia_ : float
        Sum of squared distances of the training samples to their nearest centre.

    References
    ----------
    Lloyd (1982); Arthur & Vassilvitskii (2007), "k-means++: the advantages of careful
    seeding", SODA; Sculley (2010).
    """

    def __init__(self, n_components=512, *, max_iter=100, n_init=1, batch_size=None,
                 random_state=None):
        self.n_components = n_components
        self.max_iter = max_iter
        self.n_init = n_init
        self.batch_size = batch_size
        self.random_state = random_state

    def _make_solver(self, seed: int):
        common = dict(n_clusters=self.n_components, max_iter=self.max_iter,
                      n_init=self.n_init, random_state=seed)
        if self.batch_size is None:
            return KMeans(**common)
        return MiniBatchKMeans(batch_size=self.batch_size, **common)

    def fit(self, X, y=None):
        """Cluster the rows of ``X`` (n_samples, n_features); ``y`` is ignored.

        Returns
        -------
        self
        """
        m = check_int(self.n_components, "n_components")
        check_int(self.max_iter, "max_iter")
        check_int(self.n_init, "n_init")
        if self.batch_size is not None:
            check_int(self.batch_size, "batch_size")
        X = self._validate_fit(X)
        if m > X.shape[0]:
            raise ValueError(f"n_components={m} exceeds the number of samples {X.shape[0]}")
        seed = int(check_random_state(self.random_state).integers(2**31 - 1))
        solver = self._make_solver(seed).fit(X)
        self.components_ = np.asarray(solver.cluster_centers_, dtype=np.float64)
        self.n_iter_ = int(solver.n_iter_)
        self.inertia_ = float(solver.inertia_)
        return self

    def predict(self, X) -> np.ndarray:
        """Index of the nearest centre of each row, shape (n_samples,)."""
        X = self._validate_transform(X)
        C = self.components_
        # ||x - mu||^2 = ||x||^2 - 2 x.mu + ||mu||^2; ||x||^2 does not change the argmin.
        return np.argmin(np.einsum("ij,ij->i", C, C) - 2.0 * (X @ C.T), axis=1)

    def transform(self, X) -> np.ndarray:
        """One-hot codes of the nearest centre, shape (n_samples, n_components)."""
        labels = self.predict(X)
        codes = np.zeros((labels.size, self.components_.shape[0]))
        codes[np.arange(labels.size), labels] = 1.0
        return codes

    def inverse_transform(self, codes) -> np.ndarray:
        """``codes @ components_``: each one-hot code maps back to its centre."""
        codes = self._validate_codes(codes)
        return codes @ self.components_
