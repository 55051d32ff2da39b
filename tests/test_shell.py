"""Printed commands read as a person writes them and split back into the same arguments."""

import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.shell import readable_join, readable_quote


@pytest.mark.parametrize("arg, shown", [
    ("benchmarks/", "benchmarks/"),
    ("with space", "'with space'"),
    ("pkg:TorchSAE(module='pkg.sae:MySAE(k=8)')", "\"pkg:TorchSAE(module='pkg.sae:MySAE(k=8)')\""),
    ("a'b$c", shlex.quote("a'b$c")),  # $ expands in double quotes: shlex's form
])
def test_readable_quote(arg, shown):
    assert readable_quote(arg) == shown


@given(st.lists(st.text(min_size=0, max_size=20), max_size=5))
def test_readable_join_splits_back(argv):
    assert shlex.split(readable_join(argv)) == argv
