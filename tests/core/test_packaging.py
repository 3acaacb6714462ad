"""A built wheel carries the templates, static files, catalogues and migrations."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_templates_static_files_catalogues_and_migrations(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("expo_crm-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "expo_crm/templates/base.html" in names
    assert "expo_crm/templates/errors/error.html" in names
    assert "expo_crm/static/css/app.css" in names
    assert "expo_crm/translations/zh/LC_MESSAGES/messages.mo" in names
    assert "expo_crm/migrations/versions/0001_initial_schema.py" in names
    assert any(n.endswith("LC_MESSAGES/messages.mo") and n.count("/") > 4 for n in names)
