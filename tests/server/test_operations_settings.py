"""The operations settings read from the environment: metrics access and trusted proxies."""

from __future__ import annotations

import pytest

from server.settings import MetricsOptions, Settings, SettingsError


def test_metrics_and_proxies_are_private_by_default() -> None:
    settings = Settings.from_env({})
    assert settings.metrics == MetricsOptions(token=None, port=None, host="127.0.0.1")
    assert settings.trusted_proxies == ()


def test_metrics_and_proxies_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "METRICS_TOKEN": "t" * 20,
            "METRICS_PORT": "9100",
            "METRICS_HOST": "10.0.0.5",
            "TRUSTED_PROXIES": "10.0.0.2, 10.1.0.0/16",
        }
    )
    assert settings.metrics == MetricsOptions(token="t" * 20, port=9100, host="10.0.0.5")
    assert settings.trusted_proxies == ("10.0.0.2", "10.1.0.0/16")


@pytest.mark.parametrize(
    ("name", "value"), [("METRICS_TOKEN", "short"), ("METRICS_PORT", "70000"), ("METRICS_PORT", "x")]
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
