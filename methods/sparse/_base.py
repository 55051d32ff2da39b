"""The scikit-learn base shared by the dictionary learners of ``methods.sparse``.

Every dictionary learner is an unsupervised scikit-learn transformer: ``fit(X)`` learns a
dictionary ``components_`` (n_components, n_features), ``transform(X)`` returns codes
(n_samples, n_components) and ``inverse_transform(codes)`` the reconstruction
(n_samples, n_features). Output feature names are ``<classname><i>`` (one per atom).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import validate_data

from floor.validation import check_array, check_is_fitted


class BaseDictionary(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Input checks of ``fit``, ``transform`` and ``inverse_transform`` for a dictionary
    ``components_`` (n_components, n_features); fitted means ``components_`` is set."""

    @property
    def _n_features_out(self) -> int:
        """Number of atoms (the width of the codes), for ``get_feature_names_out``."""
        return self.components_.shape[0]

    def _validate_fit(self, X, name: str = "X") -> np.ndarray:
        """``X`` as float64 (n >= 2, d); sets ``n_features_in_`` (and
        ``feature_names_in_`` for a DataFrame). Errors name ``name``."""
        arr = check_array(X, name)
        validate_data(self, X, skip_check_array=True, reset=True)
        return arr

    def _validate_transform(self, X) -> np.ndarray:
        """Fitted check, then ``X`` as float64 (n >= 1, n_features_in_)."""
        check_is_fitted(self, "components_")
        arr = check_array(X, "X", min_samples=1, n_features=self.n_features_in_,
                          estimator=self)
        validate_data(self, X, skip_check_array=True, reset=False)
        return arr

    def _validate_codes(self, codes) -> np.ndarray:
        """Fitted check, then ``codes`` as float64 (n >= 1, n_components)."""
        check_is_fitted(self, "components_")
        return check_array(codes, "codes", min_samples=1,
                           n_features=self.components_.shape[0], estimator=self)
