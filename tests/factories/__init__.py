"""Factories for test data: `create_show(...)`, `create_staff(...)`, ... Each domain adds a
module here; every public name of every module is re-exported, so tests import from
`tests.factories` alone."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    _loaded = importlib.import_module(f"{__name__}.{_module.name}")
    for _name in getattr(_loaded, "__all__", [n for n in dir(_loaded) if n.startswith("create_")]):
        globals()[_name] = getattr(_loaded, _name)
