"""The site's logo as PNG files, drawn from the favicon's mark (``static/img/favicon.svg``).

Search engines want a raster publisher logo (``NewsArticle`` JSON-LD) and feed readers a raster
icon (JSON Feed ``icon`` and ``favicon``); the PNGs are committed in ``static/img/`` and redrawn
with ``python -m blog.brand`` after the mark or the colours change.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"
STATIC_IMG = Path(__file__).resolve().parent.parent / "static" / "img"
# name in static/img → (side in pixels, with the wordmark under the mark)
LOGOS = {"logo.png": (512, True), "icon-64.png": (64, False)}
BLUE = (31, 95, 191)  # #1f5fbf, the favicon's background
WHITE = (255, 255, 255)
# The favicon's "A" on its 64-unit grid: the outer outline and the counter.
MARK_OUTLINE = [(18, 48), (30, 14), (34, 14), (46, 48), (39, 48), (36, 39), (24, 39), (21, 48)]
MARK_COUNTER = [(26, 33), (34, 33), (30, 21)]
WORDMARK = "ALLFORCES"
SUPERSAMPLE = 4  # drawn larger and scaled down: smooth edges without an anti-aliasing renderer


def draw_logo(side: int, *, wordmark: bool) -> Image.Image:
    """The blue rounded square with the white mark, and ``ALLFORCES`` under it when ``wordmark``."""
    big = side * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 14 // 64, fill=BLUE)
    if wordmark:
        scale, dx, dy = big / 64 * 0.8, big * 0.1, -big * 0.06
    else:
        scale, dx, dy = big / 64, 0, 0

    def place(points):
        return [(dx + x * scale, dy + y * scale) for x, y in points]

    draw.polygon(place(MARK_OUTLINE), fill=WHITE)
    draw.polygon(place(MARK_COUNTER), fill=BLUE)
    if wordmark:
        size = big // 9
        font = ImageFont.truetype(str(FONT_PATH), size)
        while font.getlength(WORDMARK) > big * 0.84:
            size -= SUPERSAMPLE
            font = ImageFont.truetype(str(FONT_PATH), size)
        width = font.getlength(WORDMARK)
        draw.text(((big - width) / 2, big * 0.76), WORDMARK, font=font, fill=WHITE)
    return image.resize((side, side), Image.Resampling.LANCZOS)


def write_logos(directory: Path = STATIC_IMG) -> list[Path]:
    written = []
    for name, (side, wordmark) in LOGOS.items():
        path = directory / name
        draw_logo(side, wordmark=wordmark).save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_logos(Path(sys.argv[1]) if len(sys.argv) > 1 else STATIC_IMG):
        print(path)
