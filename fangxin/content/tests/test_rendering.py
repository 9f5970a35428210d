"""Markdown rendering: raw HTML is escaped, only http(s) and relative links survive, remote images never reach
the page (no request to another host at read time)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangxin.content.rendering import image_allowed, link_allowed, mask_markdown, mask_preview, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](java\tscript:alert(1))",
    "[点我](&#106;avascript:alert(1))",
    "[点我](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[点我](data:text/html;base64,PHNjcmlwdD4=)",
    "[点我](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "[x]: javascript:alert(1)\n\n[点我][x]",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_attacks_never_reach_the_page(source):
    html = render_markdown(source).lower()
    assert "<script" not in html and "<iframe" not in html and "<img src=x" not in html
    assert 'href="javascript' not in html and 'href="vbscript' not in html and 'href="data:' not in html
    assert "onerror=" not in html or "&lt;img" in html  # only as escaped text


@pytest.mark.parametrize("source", ["![海报](https://evil.example/p.png)", "![海报](//evil.example/p.png)",
                                    "![海报](http://192.168.1.5/p.png)"])
def test_remote_images_are_dropped_with_their_alt_text(source):
    html = render_markdown(source)
    assert "<img" not in html and "evil.example" not in html and "192.168" not in html
    assert "[图片：海报]" in html


def test_local_images_and_safe_links_are_kept():
    html = render_markdown("![标志](/static/img/favicon.svg)\n\n[实施意见](/policy/) [国家平台](https://www.12315.cn/)")
    assert '<img src="/static/img/favicon.svg" alt="标志" loading="lazy"' in html
    assert '<a href="/policy/">实施意见</a>' in html
    assert '<a href="https://www.12315.cn/" rel="noopener noreferrer nofollow">国家平台</a>' in html


def test_markdown_structure():
    html = render_markdown("## 维权提示\n\n- 保留票据\n- 拨打 12315\n\n**注意**")
    assert "<h2>维权提示</h2>" in html and "<li>保留票据</li>" in html and "<strong>注意</strong>" in html


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"<>\"'&[]()!:/\\ javscriptJAVSCRIPT\t\n#;=x1", "&#106;", "javascript:",
                                 "](", "[a]", "<img ", "<script>"]), max_size=30).map("".join))
def test_arbitrary_text_never_produces_a_tag_or_script_link(source):
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert 'href="javascript' not in html and 'src="javascript' not in html
    for tag in ("<a ", "<img "):
        start = html.find(tag)
        while start != -1:
            attrs = html[start:html.find(">", start)]
            assert "javascript" not in attrs.replace("&", "")
            start = html.find(tag, start + 1)


@pytest.mark.parametrize(("url", "ok"), [("https://a.cn/x", True), ("http://a.cn", True), ("/zixun/", True),
                                         ("zixun/1/", True), ("#top", True), ("ftp://a.cn", False),
                                         ("javascript:x", False), ("mailto:a@b.cn", False), ("https:", False),
                                         ("java\nscript:x", False)])
def test_link_allowed(url, ok):
    assert link_allowed(url) is ok


def test_image_allowed_only_same_site():
    assert image_allowed("/media/a.png") and image_allowed("a.png")
    assert not image_allowed("https://a.cn/a.png") and not image_allowed("//a.cn/a.png")


def test_mask_preview_lists_what_publishing_hides():
    found = mask_preview("消费者张某某（电话 13912345678）投诉")
    assert {"type": "手机号", "text": "13912345678"} in found


def test_masked_names_do_not_turn_into_emphasis():
    source = "消费者张建国与经营者李华明协商，张建国电话 13847801234。"
    masked = mask_markdown(source)
    html = render_markdown(masked)
    assert "<em>" not in html and "<strong>" not in html
    assert "张建国" not in html and "13847801234" not in html and "138****1234" in html
