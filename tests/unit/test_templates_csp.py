"""Every template keeps to the Content-Security-Policy (service/headers.py): no inline
script, no event-handler attributes, no style attributes or blocks, no `javascript:`
links. Script and style live in service/static/."""

from __future__ import annotations

import re

import pytest

from service.paths import TEMPLATES_DIR

TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
#: Data blocks: JSON for a script file to read, which the browser never runs.
DATA_BLOCK = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
REFUSED = {
    "an event-handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_template_needs_no_inline_script_or_style(template):
    text = template.read_text()
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes or DATA_BLOCK.search(attributes), (
            f"{template.name}: inline <script{attributes}>; put it in service/static/js/"
        )
    for what, pattern in REFUSED.items():
        assert not pattern.search(text), f"{template.name}: {what}"
