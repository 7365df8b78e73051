"""The embedded default (no REDIS_URL) behaves like production: every process sees one cache; links follow BIND."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def run_django(code, **env):
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SITE_URL", "BIND", "CACHE_DIR")}
    environ.update(env, DJANGO_SETTINGS_MODULE="hardware_erp.settings")
    script = "import django; django.setup()\n" + code
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=60, check=True).stdout.strip()


def test_two_processes_see_each_others_cache_writes(tmp_path):
    cache_dir = str(tmp_path / "cache")
    run_django("from django.core.cache import cache; cache.set('agreement', 'v2', 60)", CACHE_DIR=cache_dir)
    seen = run_django("from django.core.cache import cache; print(cache.get('agreement'))", CACHE_DIR=cache_dir)
    assert seen == "v2"
    run_django("from django.core.cache import cache; cache.delete('agreement')", CACHE_DIR=cache_dir)
    assert run_django("from django.core.cache import cache; print(cache.get('agreement'))",
                      CACHE_DIR=cache_dir) == "None"


def test_site_url_follows_bind():
    assert run_django("from django.conf import settings; print(settings.SITE_URL)",
                      BIND="0.0.0.0:8080") == "http://0.0.0.0:8080"
    assert run_django("from django.conf import settings; print(settings.SITE_URL)",
                      BIND="0.0.0.0:8080", SITE_URL="https://erp.example.com") == "https://erp.example.com"


def test_make_run_banner_follows_bind():
    out = subprocess.run(["make", "-n", "run", "BIND=0.0.0.0:8080"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60).stdout
    assert "http://0.0.0.0:8080" in out
    assert ":8000" not in out
