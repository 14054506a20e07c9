"""pyproject.toml as setuptools will read it after 2027-02-18, when it stops building a `license` table:
the licence is an SPDX expression (PEP 639). Checked by building the metadata with deprecation warnings as
errors, from a copy of the file in a folder of its own (nothing is written into the repository)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.licenses import canonicalize_license_expression

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_is_an_spdx_expression_and_no_classifier_repeats_it() -> None:
    project = PYPROJECT["project"]
    assert isinstance(project["license"], str)
    assert canonicalize_license_expression(project["license"]) == project["license"]
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]


def test_setuptools_builds_the_metadata_without_a_deprecation(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    out = tmp_path / "metadata"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", "import sys, warnings;"
         " from setuptools.warnings import SetuptoolsDeprecationWarning as W;"
         " warnings.simplefilter('error', W); import setuptools.build_meta as b;"
         " b.prepare_metadata_for_build_wheel(sys.argv[1])", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    metadata = next(out.glob("*.dist-info")).joinpath("METADATA").read_text(encoding="utf-8")
    assert "License-Expression: AGPL-3.0-or-later" in metadata
