"""The layers hold: no module imports from a layer above its own, and no two packages import
each other, whether the import stands at module level or inside a function."""

from __future__ import annotations

from pathlib import Path

from tests import layering

ROOT = Path(__file__).resolve().parents[2]


def test_no_module_imports_upward_and_no_packages_import_each_other():
    problems = layering.problems_in(layering.read_tree(ROOT))
    assert not problems, "\n".join(problems)


def test_every_package_of_the_tree_has_a_layer():
    units = {layering.unit_of(name) for name in layering.read_tree(ROOT)}
    assert units <= set(layering.LAYER_OF), sorted(units - set(layering.LAYER_OF))


def test_an_upward_import_inside_a_function_is_named_with_its_line():
    modules = layering.read_tree(ROOT)
    modules["expo_crm.shows.planted"] = (
        "expo_crm/shows/planted.py",
        "def attendance():\n    from expo_crm.visitors.models import Visitor\n    return Visitor\n",
    )
    problems = layering.problems_in(modules)
    assert any(
        problem.startswith(
            "expo_crm/shows/planted.py:2: expo_crm.shows.planted imports expo_crm.visitors.models"
        )
        and "higher layer blueprints (visitors)" in problem
        for problem in problems
    ), problems


def test_a_relative_upward_import_is_found_too():
    modules = layering.read_tree(ROOT)
    modules["expo_crm.mail.planted"] = (
        "expo_crm/mail/planted.py",
        "from ..surveys import models\n",
    )
    problems = layering.problems_in(modules)
    assert any(p.startswith("expo_crm/mail/planted.py:1:") for p in problems), problems


def test_two_packages_of_one_layer_importing_each_other_are_a_cycle():
    modules = {
        "expo_crm": ("expo_crm/__init__.py", ""),
        "expo_crm.staff": ("expo_crm/staff/__init__.py", ""),
        "expo_crm.staff.a": ("expo_crm/staff/a.py", "import expo_crm.partners.b\n"),
        "expo_crm.partners": ("expo_crm/partners/__init__.py", ""),
        "expo_crm.partners.b": (
            "expo_crm/partners/b.py",
            "x = 1\n\ndef f():\n    from expo_crm.staff import a\n",
        ),
    }
    problems = layering.problems_in(modules)
    assert len(problems) == 1
    assert "partners <-> staff" in problems[0]
    assert "expo_crm/partners/b.py:4: expo_crm.partners.b imports expo_crm.staff.a" in problems[0]
    assert "expo_crm/staff/a.py:1: expo_crm.staff.a imports expo_crm.partners.b" in problems[0]
