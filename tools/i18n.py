"""Translation catalogues, one per package (each team edits its own .po).

    python tools/i18n.py update   # extract messages, merge into each zh catalogue, compile .mo
    python tools/i18n.py fill F.json [PACKAGE|core]   # set missing Chinese texts from {"msgid": "msgstr"}
    python tools/i18n.py check    # messages without a Chinese translation, or translated two ways

A catalogue covers its package's Python files and templates/<package>/ (with
templates/emails/<package>/ and templates/pdf/<package>/); the core catalogue in
expo_crm/translations covers everything else.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "expo_crm"
TEMPLATES = ROOT / "templates"
LOCALES = ("zh",)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}


def domain_packages() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/translations") if p.is_dir())


def _files_for(package: str | None) -> list[Path]:
    domains = set(domain_packages())
    if package is not None:
        py = [p for p in (PACKAGE / package).rglob("*.py")]
        tpl = [
            p
            for folder in (
                TEMPLATES / package,
                TEMPLATES / "emails" / package,
                TEMPLATES / "pdf" / package,
            )
            if folder.is_dir()
            for p in folder.rglob("*")
            if p.is_file()
        ]
        return py + tpl
    py = [
        p
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in domains and "migrations" not in p.parts
    ]
    tpl = []
    for p in TEMPLATES.rglob("*"):
        if not p.is_file():
            continue
        parts = p.relative_to(TEMPLATES).parts
        owner = parts[1] if parts[0] in ("emails", "pdf") and len(parts) > 2 else parts[0]
        if owner not in domains:
            tpl.append(p)
    return py + tpl


def extract(package: str | None) -> Catalog:
    catalog = Catalog(locale=None, project="expo-crm", fuzzy=False)
    for path in _files_for(package):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {} if method == "python" else JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(
                message,
                locations=[(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def catalog_dir(package: str | None) -> Path:
    return (PACKAGE / package / "translations") if package else (PACKAGE / "translations")


def po_path(package: str | None, locale: str) -> Path:
    return catalog_dir(package) / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="expo-crm", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def known_translations() -> dict[tuple, object]:
    """Every translation in any catalogue, so a message that moves to another package keeps it."""
    known = {}
    for package in [None, *domain_packages()]:
        for locale in LOCALES:
            catalog = load(po_path(package, locale), locale)
            for entry in [*catalog, *catalog.obsolete.values()]:
                if entry.id and entry.string:
                    known.setdefault((locale, entry.context, entry.id), entry.string)
    return known


def update() -> None:
    known = known_translations()
    for package in [None, *domain_packages()]:
        template = extract(package)
        for locale in LOCALES:
            path = po_path(package, locale)
            catalog = load(path, locale)
            catalog.update(template, no_fuzzy_matching=True)
            for entry in catalog:
                if entry.id and not entry.string:
                    entry.string = known.get((locale, entry.context, entry.id), entry.string)
            catalog.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
            with path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def untranslated() -> list[str]:
    """Messages in the code without a Chinese translation, or whose .mo is out of date."""
    problems = []
    for package in [None, *domain_packages()]:
        template = extract(package)
        for locale in LOCALES:
            path = po_path(package, locale)
            catalog = load(path, locale)
            where = str(path.relative_to(ROOT))
            for message in template:
                if not message.id:
                    continue
                entry = catalog.get(message.id, context=message.context)
                text = entry.string if entry is not None else None
                if not text or (isinstance(text, tuple) and not all(text)):
                    problems.append(f"{where}: untranslated {message.id!r}")
            mo = path.with_suffix(".mo")
            if catalog and (not mo.exists() or mo.stat().st_size == 0):
                problems.append(f"{where}: not compiled (run tools/i18n.py update)")
            elif mo.exists():
                from babel.support import Translations

                with mo.open("rb") as handle:
                    compiled = Translations(handle)
                for entry in catalog:
                    if (
                        entry.id
                        and isinstance(entry.id, str)
                        and entry.string
                        and compiled.gettext(entry.id) != entry.string
                    ):
                        problems.append(f"{where}: .mo out of date (run tools/i18n.py update)")
                        break
    return problems


def conflicts() -> list[str]:
    """All catalogues merge into one domain at run time, so a message must read the same in each."""
    seen: dict[tuple, dict[str, str]] = {}
    for package in [None, *domain_packages()]:
        for locale in LOCALES:
            for entry in load(po_path(package, locale), locale):
                if entry.id and isinstance(entry.id, str) and entry.string:
                    seen.setdefault((locale, entry.context, entry.id), {})[package or "core"] = (
                        entry.string
                    )
    return [
        f"{locale}: {msgid!r} is translated differently: {texts}"
        for (locale, _context, msgid), texts in seen.items()
        if len(set(texts.values())) > 1
    ]


def fill(json_path: str, only: str | None = None) -> None:
    """Set Chinese texts from a JSON object {msgid: msgstr} wherever a catalogue lacks them.

    With a package name (or "core"), only that package's catalogue is touched.
    """
    import json

    texts = json.loads(Path(json_path).read_text(encoding="utf-8"))
    packages = [None, *domain_packages()]
    if only is not None:
        packages = [None if only == "core" else only]
    for package in packages:
        for locale in LOCALES:
            path = po_path(package, locale)
            if not path.exists():
                continue
            catalog = load(path, locale)
            for message in catalog:
                if message.id and not message.string and message.id in texts:
                    message.string = texts[message.id]
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, sort_output=True)
            with path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        return 0
    if command == "fill":
        fill(argv[2], argv[3] if len(argv) > 3 else None)
        return 0
    problems = untranslated() + conflicts()
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
