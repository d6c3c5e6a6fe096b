"""A workspace's brand kit, also readable from a YAML file.

```yaml
name: Propulse
logo: logo.svg              # relative to the YAML file; PNG or SVG
colors: ["#4338ca", "#0f172a"]
font: Libertinus Serif      # one of FONTS, shipped with the typst package
cta_url: https://example.com/ebook
cta_text: Téléchargez l'e-book
hashtags: [growth, "#B2B", marketing automation]   # -> #growth #B2B #MarketingAutomation
tone: formal                # formal ("vous") or informal ("tu") in French
```

Every key is optional (``BrandKit``'s defaults apply); an unknown key, a wrong type or a bad
value raises ``BrandError`` naming the field, so the CLI and the web form can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from propulse.content.document import BrandKit
from propulse.kit.text import strip_accents

__all__ = ["FIELDS", "FONTS", "BrandError", "brand_from_dict", "load_brand"]

FONTS = ("Libertinus Serif", "New Computer Modern", "DejaVu Sans Mono")
FIELDS = ("name", "logo", "colors", "font", "cta_url", "cta_text", "hashtags", "tone")
TONES = ("formal", "informal")
LOGO_SUFFIXES = (".png", ".svg")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_HASHTAG_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class BrandError(ValueError):
    """A brand kit value that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def load_brand(path: Path) -> BrandKit:
    """Read a brand kit from a YAML file; the logo path is relative to that file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BrandError("file", f"cannot read {path}: {error.strerror or error}") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise BrandError("file", f"{path} is not valid YAML: {error}") from error
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise BrandError("file", f"{path} must hold a mapping of brand fields")
    return brand_from_dict(data, base_dir=path.resolve().parent)


def brand_from_dict(data: Mapping[str, Any], *, base_dir: Path | None = None) -> BrandKit:
    """Check and normalise brand fields; with ``base_dir``, the logo must exist under it."""
    unknown = sorted(str(name) for name in data if name not in FIELDS)
    if unknown:
        raise BrandError(unknown[0], f"unknown field; expected one of {', '.join(FIELDS)}")
    defaults = BrandKit()
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = _text(data, "name", required=True)
    if data.get("logo") is not None:
        values["logo"] = _logo(_text(data, "logo", required=True), base_dir)
    if "colors" in data:
        values["colors"] = _colors(data["colors"])
    if "font" in data:
        values["font"] = _font(data["font"])
    if "cta_url" in data:
        values["cta_url"] = _url(data["cta_url"])
    if "cta_text" in data:
        values["cta_text"] = _text(data, "cta_text")
    if "hashtags" in data:
        values["hashtags"] = _hashtags(data["hashtags"])
    if "tone" in data:
        values["tone"] = _tone(data["tone"])
    return BrandKit(**{**defaults.__dict__, **values})


def _text(data: Mapping[str, Any], field: str, *, required: bool = False) -> str:
    value = data[field]
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise BrandError(field, "must be text")
    value = " ".join(value.split())
    if required and not value:
        raise BrandError(field, "must not be empty")
    return value


def _logo(value: str, base_dir: Path | None) -> str:
    path = Path(value).expanduser()
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise BrandError("logo", f"must be a PNG or SVG file, not {value!r}")
    if base_dir is not None:
        if not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise BrandError("logo", f"file not found: {path}")
    return str(path)


def _colors(value: Any) -> list[str]:
    if value is None or value == "" or value == []:
        return BrandKit().colors  # nothing chosen: the default palette
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        raise BrandError("colors", "must be a list of colours written #rrggbb")
    colors = []
    for item in value:
        if not isinstance(item, str) or not _COLOR.fullmatch(item.strip()):
            raise BrandError("colors", f"{item!r} is not a colour written #rrggbb")
        colors.append(item.strip().lower())
    return colors


def _font(value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in FONTS:
        raise BrandError("font", f"{value!r} is not available; choose one of {', '.join(FONTS)}")
    return value.strip()


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise BrandError("cta_url", "must be text")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise BrandError("cta_url", f"{url!r} is not an http or https address")
    return url


def _hashtags(value: Any) -> list[str]:
    """Normalise to ``#Tag``: a leading #, no spaces (words joined in CamelCase), no accents."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        raise BrandError("hashtags", "must be a list of hashtags")
    tags: list[str] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str):
            raise BrandError("hashtags", f"{item!r} is not text")
        words = _HASHTAG_WORD.findall(strip_accents(item))
        if not words:
            raise BrandError("hashtags", f"{item!r} holds no letters or digits")
        joined = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
        if joined.isdigit():
            raise BrandError("hashtags", f"{item!r}: a hashtag needs at least one letter")
        if joined.lower() not in seen:
            seen.add(joined.lower())
            tags.append("#" + joined)
    return tags


def _tone(value: Any) -> str:
    if value not in TONES:
        raise BrandError("tone", f"{value!r} is not a tone; choose formal or informal")
    return str(value)
