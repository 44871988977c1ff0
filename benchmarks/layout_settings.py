"""The project's settings plus one page for the load benchmark (benchmarks/bench_load.py): an
empty page in the site's layout. Not used anywhere else."""

from monitoring_site.settings import *  # noqa: F403

ROOT_URLCONF = "layout_urls"
