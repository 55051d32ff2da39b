"""Read and write directions of one weight matrix ``W`` (d_out, d_in).

Every method is a scikit-learn estimator fitted on ``W`` itself (rows = output units, the
"samples"; columns = inputs, the "features"); after ``fit`` it exposes its ranked pairs:
``components_`` (r, d_in) read directions, ``write_directions_`` (r, d_out),
``strengths_`` (r,) in decreasing order, and ``n_directions_``, how many of them it calls
structure. ``transform(X) = X components_^T`` reads inputs along the read directions.
"""
