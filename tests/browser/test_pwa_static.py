"""Checks of the phone app's files that need no browser: generated files are current, every
user-visible string lives in the one catalogue, nothing can inject HTML or inline code."""
import json
import re
import shutil
import struct
import subprocess
import sys

import pytest

from .conftest import ROOT

PWA = ROOT / "pwa"
CATALOGUE = PWA / "js" / "i18n" / "zh-CN.js"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LINE_COMMENT = re.compile(r"(^|\s)//.*$", re.M)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def scripts():
    """The app's own source (not the catalogue, vendored or generated files, nor the build's tools)."""
    return sorted(p for p in PWA.rglob("*.js") if p != CATALOGUE and not {"vendor", "bundle", "node_modules"} & set(p.parts)
                  and p.name != "precache-manifest.js")


def code_of(path):
    return LINE_COMMENT.sub(r"\1", BLOCK_COMMENT.sub("", path.read_text(encoding="utf-8")))


def catalogue():
    text = CATALOGUE.read_text(encoding="utf-8")
    return dict(re.findall(r'^\s*"([\w.]+)":\s*"((?:[^"\\]|\\.)*)",?$', text, re.M))


def test_build_output_is_current():
    """The committed bundle, precache list and compressed copies are of the sources as they are:
    after changing anything under pwa/, `make pwa` (the browser and the server use the output)."""
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pwa.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_a_changed_module_makes_the_bundle_stale(tmp_path):
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy, ignore=shutil.ignore_patterns("node_modules"))
    check = [sys.executable, str(ROOT / "scripts" / "build_pwa.py"), "--check", "--root", str(copy)]
    assert subprocess.run(check, capture_output=True).returncode == 0
    module = copy / "js" / "views" / "tasks.js"
    module.write_text(module.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    res = subprocess.run(check, capture_output=True, text=True)
    assert res.returncode == 1 and "bundle/app.js is older than the modules in js/" in res.stderr


def test_precache_manifest_lists_the_shell_not_the_modules():
    listed = (PWA / "precache-manifest.js").read_text()
    for must in ("/index.html", "/bundle/app.js", "/js/boot.js", "/js/i18n/zh-CN.js", "/css/app.css",
                 "/manifest.webmanifest", "/icons/icon-192.png", "/icons/maskable-192.png"):
        assert f'"{must}"' in listed
    assert '"/sw.js"' not in listed and '"/js/app.js"' not in listed and '"/js/views/' not in listed


def test_the_page_loads_only_precached_files():
    """Offline the page finds everything it names in the worker's cache (apple-touch-icon is
    fetched only by iOS when adding to the home screen, online)."""
    html = (PWA / "index.html").read_text(encoding="utf-8")
    named = set(re.findall(r'(?:src|href)="(/[^"#]+)"', html)) - {"/icons/apple-touch-icon.png"}
    listed = (PWA / "precache-manifest.js").read_text()
    assert named and all(f'"{path}"' in listed for path in named), named
    assert '<script type="module" src="/bundle/app.js">' in html


def test_vendored_files_match_their_record():
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor.py"), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("path", scripts(), ids=lambda p: str(p.relative_to(PWA)))
def test_no_user_text_outside_the_catalogue(path):
    found = [line.strip() for line in code_of(path).splitlines() if CJK.search(line)]
    assert found == [], f"user-visible text belongs in js/i18n/zh-CN.js: {found}"


@pytest.mark.parametrize("path", scripts(), ids=lambda p: str(p.relative_to(PWA)))
def test_no_html_injection_or_inline_code(path):
    code = code_of(path)
    for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                "setAttribute(\"style\"", ".style.", "cssText"):
        assert bad not in code, f"{path.name} uses {bad}"


def test_every_catalogue_key_used_exists():
    keys = catalogue()
    assert len(keys) > 100
    missing = set()
    groups = {k.split(".")[0] for k in keys}
    for path in scripts():
        code = code_of(path)
        for key in re.findall(r"\bt\(\s*\"([\w.]+)\"", code):
            if key not in keys:
                missing.add(f"{path.name}: {key}")
        for prefix in re.findall(r"\bt\(\s*`([\w.]+)\.\$\{", code):
            if not any(k.startswith(prefix + ".") for k in keys):
                missing.add(f"{path.name}: {prefix}.*")
        for group in re.findall(r"\blabel\(\s*\"(\w+)\"", code):
            if group not in groups:
                missing.add(f"{path.name}: {group}.*")
    assert not missing, sorted(missing)


def test_contract_words_are_in_the_catalogue():
    words = set(catalogue().values())
    for word in ("手机号", "密码", "登录", "包联户", "任务", "消息", "待办", "统计", "我的", "长辈模式", "退出登录",
                 "记录走访", "走访方式", "情况记录", "困难程度", "诉求类别", "需要上报", "保存", "已同步",
                 "上报", "派单", "接单", "布置任务", "办结", "销号", "重新打开"):
        assert word in words, word
    assert any(v.startswith("待同步") and "{n}" in v for v in words)


def test_index_has_no_inline_script_or_style():
    html = (PWA / "index.html").read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S):
        assert tag.strip() == "", "inline script"
    assert all("src=" in t for t in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "<style" not in html
    assert 'lang="zh-CN"' in html and 'rel="manifest"' in html


def test_manifest_icons_on_disk():
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "包联" and manifest["lang"] == "zh-CN" and manifest["display"] == "standalone"
    purposes = set()
    for icon in manifest["icons"]:
        body = (PWA / icon["src"].lstrip("/")).read_bytes()
        w, h = struct.unpack(">II", body[16:24])
        assert f"{w}x{h}" == icon["sizes"]
        purposes.add((icon["purpose"], w))
    assert {("any", 192), ("any", 512), ("maskable", 512)} <= purposes


def test_catalogue_agrees_with_the_server():
    from app.messages import CATEGORIES, HARDSHIP, HOUSEHOLD_TAGS, ROLE_NAMES, VISIT_MODES

    keys = catalogue()
    assert keys["household.tag_options"].split("|") == list(HOUSEHOLD_TAGS)
    for group, table in (("category", CATEGORIES), ("mode", VISIT_MODES), ("hardship", HARDSHIP), ("role", ROLE_NAMES)):
        for code, name in table.items():
            assert keys.get(f"{group}.{code}") == name, (group, code)
