"""Settings for bench/api.py: the app's own, plus the baseline view's URL."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.support.urls"
