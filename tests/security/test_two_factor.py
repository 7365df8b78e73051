"""Finding 7 of the outside audit: two-factor sign-in was off by default in production and `check --deploy` passed.
With DEBUG off, managers, IT and superusers must now have a second factor unless OTP_ENFORCE says otherwise, and the
deploy check warns while it is off."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings


def _production_setting(tmp_path, **extra) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "OTP_"))}
    env.update(DEBUG="false", SECRET_KEY="x" * 50, VAR_DIR=str(tmp_path), ALLOW_GENERATED_KEYS="true", **extra)
    out = subprocess.run([sys.executable, "-c", "import hardware_erp.settings as s; print(s.OTP_ENFORCE)"],
                         cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=True)
    return out.stdout.strip()


def test_two_factor_is_required_in_production_unless_turned_off(tmp_path):
    assert _production_setting(tmp_path) == "True"
    assert _production_setting(tmp_path, OTP_ENFORCE="false") == "False"


def test_the_deploy_check_warns_while_it_is_off():
    with override_settings(OTP_ENFORCE=False):
        assert "hwerp.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    with override_settings(OTP_ENFORCE=True):
        assert "hwerp.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
    with override_settings(OTP_ENFORCE=False):  # not an ordinary `check`: only the deploy one
        assert "hwerp.W001" not in {m.id for m in run_checks()}
