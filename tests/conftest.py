"""Shared fixtures: a test pseudonymisation key, a small sample and the full NTB sample."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from helpers.data import sample
from helpers.paths import sample_dir

#: A fixed key for tests only; real runs read CAKUPAN_KEY or the per-user key file.
os.environ.setdefault("CAKUPAN_KEY", "test-key-not-for-real-data-0123456789abcdef")

#: Shared, noisy 2-core machines: Hypothesis judges properties, not speed (no deadline).
settings.register_profile("cakupan", deadline=None)
settings.load_profile("cakupan")

SMALL_SCALE = 0.02

#: The slowest test files, slowest first (seconds per file in a fresh-clone `make test` of
#: 2026-12-03 with --durations=0: runner 710, periods 626, browser 391, national 235,
#: intake 225, notebooks 206, spark_cluster 110, wheel 84, spark 79). `make test` hands out
#: whole files (--dist loadfile) in collection order (--no-loadscope-reorder): these go
#: first, so the suite ends on short files instead of one worker finishing a long one.
SLOW_FILES_FIRST = ("test_runner.py", "test_periods.py", "test_browser.py", "test_national.py",
                    "test_intake.py", "test_notebooks.py", "test_spark_cluster.py",
                    "test_wheel.py", "test_spark.py")


def pytest_collection_modifyitems(config, items):
    """Run the slowest files first (a stable sort: the order within a file is kept)."""
    rank = {name: index for index, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory):
    """A 2 % NTB sample (all ten kab/kota) in a temporary folder: (folder, manifest)."""
    folder = tmp_path_factory.mktemp("sample_small")
    manifest = sample.generate_sample(folder, scale=SMALL_SCALE)
    return folder, manifest


@pytest.fixture(scope="session")
def full_sample():
    """The full NTB sample in data/sample (generated when missing): (folder, manifest)."""
    manifest = sample.ensure_sample()
    if manifest.get("scale") != 1.0 or manifest.get("seed") != sample.DEFAULT_SEED:
        manifest = sample.generate_sample()
    return sample_dir(), manifest
