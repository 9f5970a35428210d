"""Markdown to safe HTML for articles.

CommonMark with raw HTML off (any tag in the source is shown as text), links limited to http(s), mailto-free
relative paths and fragments, and images only from this site (a relative path): a remote image would make every
reader's browser call another host, so it is dropped and its alt text shown instead."""

from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from fangxin.triage.masking import find_spans
from fangxin.triage.masking import render as mask_value

ALLOWED_SCHEMES = frozenset({"http", "https"})


def link_allowed(url: str) -> bool:
    """http(s) URLs and relative ones; never javascript:, data:, vbscript:, file: or other schemes."""
    url = (url or "").strip()
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:"): refuse them all.
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc)
    return ":" not in url.split("/", 1)[0] and "\\" not in url


def image_allowed(url: str) -> bool:
    """Images from this site only: a relative path, not protocol-relative (//host/…)."""
    url = (url or "").strip()
    if not link_allowed(url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("//")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = link_allowed
    default_image = md.renderer.rules.get("image")
    default_link_open = md.renderer.rules.get("link_open")

    def image(renderer, tokens, idx, options, env):
        token = tokens[idx]
        if not image_allowed(token.attrGet("src") or ""):
            alt = renderer.renderInlineAsText(token.children or [], options, env)
            return f'<span class="image-dropped">[图片：{escapeHtml(alt)}]</span>' if alt else ""
        token.attrSet("loading", "lazy")
        return default_image(tokens, idx, options, env)

    def link_open(renderer, tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        if urlsplit(href).scheme:  # leaving the site: no referrer, no window access
            token.attrSet("rel", "noopener noreferrer nofollow")
        return default_link_open(tokens, idx, options, env) if default_link_open else \
            renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("image", image)
    md.add_render_rule("link_open", link_open)
    return md


_MD = _markdown()


def render_markdown(text: str) -> SafeString:
    return mark_safe(_MD.render(text or ""))  # html is off and links are validated above


def mask_preview(text: str) -> list[dict]:
    """What publishing would mask in `text`: each span's kind and the original fragment, for the reviewer."""
    from fangxin.triage.masking import TYPE_LABELS

    return [{"type": TYPE_LABELS.get(span.type, span.type), "text": text[span.start:span.end]}
            for span in find_spans(text or "")]


def mask_markdown(text: str) -> str:
    """The masker on Markdown source: the stars that replace personal information are escaped, so that two masked
    names in one paragraph ("张** … 李**") are not read as emphasis markers and rendered bold."""
    text = text or ""
    pieces, cursor = [], 0
    for span in find_spans(text):
        pieces.append(text[cursor:span.start])
        pieces.append(mask_value(text[span.start:span.end], span.type).replace("*", "\\*"))
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)
