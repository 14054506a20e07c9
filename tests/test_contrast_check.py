"""The contrast measure the browser tests use (tests/browser/contrast.py) on drawn images with known answers."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from tests.browser.contrast import low_contrast, measure, ratio


@pytest.mark.parametrize(("fg", "bg", "expected"), [
    ((0, 0, 0), (255, 255, 255), 21.0),
    ((0x76, 0x76, 0x76), (255, 255, 255), 4.54),  # the lightest grey that passes on white
    ((0x77, 0x77, 0x77), (255, 255, 255), 4.48),
    ((255, 255, 255), (255, 255, 255), 1.0),
])
def test_the_wcag_ratio(fg, bg, expected) -> None:
    assert ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert ratio(bg, fg) == pytest.approx(expected, abs=0.01)


def _drawn(text_colour: tuple[int, int, int], background: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (200, 40), background)
    ImageDraw.Draw(image).text((8, 10), "Lösenfras 123", fill=text_colour, font_size=18)
    return image


def test_drawn_text_is_measured_by_its_colour_not_its_anti_aliased_edges() -> None:
    found = measure(_drawn((0x1a, 0x1c, 0x1e), (0xf4, 0xfb, 0xf8)), "dark on light", (0, 0, 200, 40))
    assert found is not None
    assert found.background == (0xf4, 0xfb, 0xf8) and found.foreground == (0x1a, 0x1c, 0x1e)
    assert found.ratio > 15


def test_pale_text_is_reported_and_dark_text_is_not() -> None:
    image = Image.new("RGB", (400, 40), (255, 255, 255))
    image.paste(_drawn((0xaa, 0xaa, 0xaa), (255, 255, 255)), (0, 0))
    image.paste(_drawn((0x30, 0x30, 0x30), (255, 255, 255)), (200, 0))
    boxes = [{"text": "pale", "left": 0, "top": 0, "right": 200, "bottom": 40},
             {"text": "dark", "left": 200, "top": 0, "right": 400, "bottom": 40}]
    low = low_contrast(image, boxes)
    assert [m.text for m in low] == ["pale"]
    assert low[0].ratio == pytest.approx(2.32, abs=0.01)


def test_a_box_off_the_image_or_with_nothing_drawn_is_skipped() -> None:
    image = Image.new("RGB", (100, 100), (255, 255, 255))
    assert measure(image, "empty", (10, 10, 90, 90)) is None
    assert measure(image, "outside", (150, 150, 300, 300)) is None
