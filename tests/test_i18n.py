"""The zh_Hans catalogue is complete and Chinese is the default (ADR 0007).

The completeness test re-runs ``makemessages`` on a copy of the source tree in a temporary
directory, merging into a copy of locale/, so it never touches the working tree (safe under
pytest-xdist) and fails as soon as someone adds a string to code or a template without
translating it. To fix such a failure, regenerate the catalogue::

    uv run python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules \
        --ignore=var --ignore=static/vendor --ignore=bench --no-obsolete --add-location=file

then translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po and run
``uv run python scripts/check_translations.py``.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from weibao.accounts.choices import BUILTIN_ROLES
from weibao.tickets.choices import Priority, Status

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
CATALOGUES = sorted(LOCALE.glob("zh_Hans/LC_MESSAGES/*.po"))
# The same exclusions as the makemessages command above; dot-directories are skipped by default.
IGNORE = [".venv", "node_modules", "var", "static/vendor", "bench"]
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js"}  # what makemessages reads (django + djangojs domains)


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_translations", ROOT / "scripts" / "check_translations.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_translations", module)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


def _require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq", "msgfmt") if shutil.which(tool) is None]
    assert not missing, f"GNU gettext is needed ({', '.join(missing)} missing): apt-get install gettext"


def _copy_sources(dest: Path) -> None:
    """Copy the translatable sources (not the ignored trees) so makemessages sees what it sees in ROOT."""

    def ignored(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).relative_to(ROOT)
        skip = set()
        for name in names:
            path = Path(directory) / name
            if (
                name.startswith(".")
                or name == "__pycache__"
                or (rel / name).as_posix() in IGNORE
                or (path.is_file() and path.suffix not in SOURCE_SUFFIXES)
            ):
                skip.add(name)
        return skip

    for child in ROOT.iterdir():
        if child.name.startswith(".") or child.name in IGNORE or child.name == "locale":
            continue
        if child.is_dir():
            shutil.copytree(child, dest / child.name, ignore=ignored)
        elif child.suffix in SOURCE_SUFFIXES:
            shutil.copy2(child, dest / child.name)
    shutil.copytree(LOCALE, dest / "locale", ignore=shutil.ignore_patterns("*.mo"))


@pytest.fixture
def regenerated_locale(tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """locale/ merged with the msgids extracted from the current sources, in tmp_path only."""
    _require_gettext()
    tree = tmp_path / "tree"
    tree.mkdir()
    _copy_sources(tree)
    # makemessages walks ".", and writes next to the first LOCALE_PATHS entry / the ./locale it finds.
    settings.LOCALE_PATHS = [str(tree / "locale")]
    monkeypatch.chdir(tree)
    for domain in ("django", "djangojs"):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            domain=domain,
            ignore_patterns=list(IGNORE),
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )
    return tree / "locale"


def test_catalogue_exists() -> None:
    assert (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po").is_file()


def test_every_msgid_in_the_sources_is_translated(regenerated_locale: Path) -> None:
    regenerated = sorted(regenerated_locale.glob("zh_Hans/LC_MESSAGES/*.po"))
    assert regenerated, "makemessages produced no catalogue"
    assert not any(ROOT.glob("locale/zh_Hans/LC_MESSAGES/*.pot")), "makemessages wrote into the working tree"
    problems = []
    for path in regenerated:
        entries = [e for e in checker.parse_po(path) if not e.is_header]
        assert entries or path.name != "django.po", (
            "no msgid extracted: is makemessages looking at the sources?"
        )
        committed = LOCALE / "zh_Hans" / "LC_MESSAGES" / path.name
        if not committed.exists():
            problems.append(
                f"locale/zh_Hans/LC_MESSAGES/{path.name} is missing ({len(entries)} msgids to translate)"
            )
        for entry in entries:
            if entry.fuzzy or not entry.translated:
                state = "fuzzy" if entry.fuzzy else "untranslated"
                problems.append(f"{path.name}: {state}: {entry.label!r}")
    assert not problems, (
        "Strings in the code are missing from the zh_Hans catalogue (see this module's docstring):\n"
        + "\n".join(problems)
    )


def test_committed_catalogues_pass_the_checker() -> None:
    """No untranslated or fuzzy entry, placeholders and HTML tags kept, msgfmt --check clean."""
    assert CATALOGUES
    _require_gettext()
    assert checker.main([str(p) for p in CATALOGUES]) == 0


@pytest.fixture
def compiled_locale(tmp_path: Path, settings) -> Path:
    """The committed .po compiled into tmp_path and used as the only LOCALE_PATHS entry."""
    _require_gettext()
    locale = tmp_path / "locale"
    for po in CATALOGUES:
        target = locale / po.relative_to(LOCALE)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["msgfmt", "--check", "-o", str(target.with_suffix(".mo")), str(po)], check=True)
    settings.LOCALE_PATHS = [str(locale)]  # setting_changed resets Django's translation caches
    return locale


def test_chinese_is_the_default() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.USE_I18N
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


@pytest.mark.usefixtures("compiled_locale")
def test_key_strings_render_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert {status: str(status.label) for status in Status} == {
            Status.NEW: "新建",
            Status.ASSIGNED: "已派单",
            Status.IN_PROGRESS: "处理中",
            Status.PENDING: "挂起",
            Status.RESOLVED: "已解决",
            Status.VERIFIED: "已验证",
            Status.CLOSED: "已关闭",
            Status.CANCELLED: "已取消",
        }
        assert [str(p.label) for p in Priority] == ["紧急", "高", "普通", "低"]
        roles = {code: str(name) for code, (name, _perms, _staff) in BUILTIN_ROLES.items()}
        assert roles["agent"] == "客服"
        assert roles["support_engineer"] == "技术支持工程师"
        assert roles["ops_engineer"] == "运维工程师"
        assert roles["project_manager"] == "项目经理"
        assert roles["service_manager"] == "服务经理"
        assert str(dict(settings.LANGUAGES)["zh-hans"]) == "简体中文"
        rendered = Template(
            '{% load i18n %}{% translate "Sign in" %}|{% translate "Progress update" %}|'
            "{% blocktranslate count counter=3 %}{{ counter }} ticket on this page{% plural %}"
            "{{ counter }} tickets on this page{% endblocktranslate %}"
        ).render(Context())
        assert rendered == "登录|进度反馈|本页共 3 个工单"
    with translation.override("en"):
        assert str(Status.PENDING.label) == "Pending"


def test_default_request_is_served_in_chinese(client, compiled_locale: Path) -> None:
    response = client.get("/accounts/login/", follow=True)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


# --- the checker itself -------------------------------------------------------------------------

SAMPLE_PO = r"""# header
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

#: a.py
#, python-format
msgid "Hello %(name)s"
msgstr "你好 %(nam)s"

#, fuzzy
msgid "Fuzzy one"
msgstr "模糊"

msgid "Empty"
msgstr ""

msgid "Braces {count}"
msgstr "花括号 {count}"

msgid "Bold <strong>x</strong>"
msgstr "粗体 x"

#, python-format
msgid "%(counter)s ticket"
msgid_plural "%(counter)s tickets"
msgstr[0] "%(counter)s 个工单"

msgctxt "verb"
msgid "Wrapped "
"line"
msgstr "换"
"行"

msgid "Percent %% kept"
msgstr "百分号 %% 保留"

#, python-brace-format
msgid "Lost {brace}"
msgstr "丢了"

#~ msgid "Obsolete"
#~ msgstr ""
"""


def test_checker_reports_untranslated_fuzzy_and_placeholder_mismatches(tmp_path: Path) -> None:
    po = tmp_path / "sample.po"
    po.write_text(SAMPLE_PO, encoding="utf-8")
    entries = {e.label: e for e in checker.parse_po(po)}
    assert "verb\x04Wrapped line" in entries
    assert entries["verb\x04Wrapped line"].msgstr == {0: "换行"}
    assert "Obsolete" not in entries
    problems = checker.catalogue_problems(po)
    text = "\n".join(problems)
    assert "placeholders differ" in text
    assert "'Hello %(name)s'" in text
    assert "fuzzy: 'Fuzzy one'" in text
    assert "untranslated: 'Empty'" in text
    assert "HTML tags differ" in text
    assert "'Lost {brace}'" in text
    for fine in ("Braces {count}", "%(counter)s ticket", "Wrapped line", "Percent %% kept"):
        assert f"'{fine}'" not in text, problems
    assert len(problems) == 5, problems
    assert checker.main([str(po)]) == 1


def test_placeholders() -> None:
    assert checker.placeholders("%(a)s and %s, %d%% {b} {{c}}") == {"%(a)s": 1, "%s": 1, "%d": 1, "{b}": 1}
    assert checker.placeholders("50% done", {"no-python-format"}) == {}
