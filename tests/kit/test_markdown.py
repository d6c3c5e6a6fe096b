"""User-written Markdown becomes sanitised HTML: no script travels through a note."""

from __future__ import annotations

from propulse.kit.markdown import render_markdown


def test_markdown_renders_structure():
    html = str(
        render_markdown("## Rehearsal\n\n- **D-7**: full run\n- [slides](https://example.com)")
    )
    assert "<h2>Rehearsal</h2>" in html
    assert "<strong>D-7</strong>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer"' in html


def test_scripts_handlers_and_javascript_links_are_removed():
    html = str(
        render_markdown(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))"
            '\n\n<a href="data:text/html,<script>alert(4)</script>">x</a>'
        )
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert 'href="javascript:' not in html  # left as inert text, never a link
    assert "data:text/html" not in html


def test_empty_text_renders_nothing():
    assert str(render_markdown(None)) == ""
    assert str(render_markdown("")) == ""
