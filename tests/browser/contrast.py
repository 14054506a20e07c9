"""WCAG 2 contrast of text as drawn, measured on a screenshot (issue 6).

Flutter paints the web client on a canvas, so there are no CSS colours to read. For each piece of text the
semantics tree places on screen, the box is cut out of a screenshot: its background is the colour most of
the box has, its text colour the pixel that stands out most from it (glyph stems reach the full colour;
anti-aliased edges only lie between the two). AA asks for 4.5:1 for body text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

AA_TEXT = 4.5

RGB = tuple[int, int, int]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """Relative luminance as WCAG 2 defines it."""
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: RGB, b: RGB) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Measured:
    text: str
    ratio: float
    background: RGB
    foreground: RGB
    box: tuple[int, int, int, int]

    def __str__(self) -> str:
        fg, bg = ("#" + "".join(f"{v:02x}" for v in c) for c in (self.foreground, self.background))
        return f"{self.text[:50]!r}: {self.ratio:.2f}:1, text {fg} on {bg} at {self.box}"


def measure(image: Any, text: str, box: tuple[int, int, int, int]) -> Measured | None:
    """The contrast of the text in `box` (left, top, right, bottom) of a PIL image; None when the box is
    off the image or a single colour (nothing drawn)."""
    left, top, right, bottom = (max(0, box[0]), max(0, box[1]), min(image.width, box[2]),
                                min(image.height, box[3]))
    if right - left < 2 or bottom - top < 2:
        return None
    colours = Counter(image.crop((left, top, right, bottom)).convert("RGB").get_flattened_data())
    if len(colours) < 2:
        return None
    background = colours.most_common(1)[0][0]
    foreground = max(colours, key=lambda c: ratio(c, background))
    return Measured(text, round(ratio(foreground, background), 2), background, foreground,
                    (left, top, right, bottom))


def low_contrast(image: Any, boxes: list[dict[str, Any]], minimum: float = AA_TEXT) -> list[Measured]:
    """The texts (from `FletWeb.text_boxes`) drawn below `minimum`:1."""
    found = []
    for item in boxes:
        m = measure(image, item["text"], (round(item["left"]), round(item["top"]), round(item["right"]),
                                          round(item["bottom"])))
        if m is not None and m.ratio < minimum:
            found.append(m)
    return found
