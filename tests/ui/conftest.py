import pytest


@pytest.fixture(autouse=True)
def _device_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screens start in the profile's language unless the device asks for one: make the device silent."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
