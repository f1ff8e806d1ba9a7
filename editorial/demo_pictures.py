"""Cover images and author profiles for the demo content, drawn here with Pillow (no image is
downloaded or committed): calm gradients with one geometric motif per article, and initials on a
coloured disc for the authors. They go through the real pipeline (``blog.uploads.clean_image``,
``blog.pictures``), so the demo shows what an editor's upload gives."""

import math
import random
from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont, ImageOps

from blog import pictures
from blog.models import Article, Author, Picture
from blog.uploads import clean_image

FONT = Path(__file__).resolve().parent.parent / "blog" / "fonts" / "ipaexg.ttf"
SIZE = (1600, 900)
SCALE = 2  # drawn at twice the size, then reduced: smooth edges

# slug → (gradient from, gradient to, motif, alt text)
COVERS = {
    "rag-evaluation-design": ((18, 52, 86), (46, 134, 171), "nodes", "青緑のグラデーションに、点と線で結ばれたネットワークが広がる抽象イラスト"),
    "gpu-memory-bandwidth": ((16, 24, 48), (58, 80, 160), "grid", "濃紺の背景に、光る四角いチップが格子状に並ぶ抽象イラスト"),
    "ai-regulation-readiness": ((60, 40, 70), (170, 110, 90), "rings", "紫から橙へのグラデーションに、同心円が重なる抽象イラスト"),
    "open-weight-model-checklist": ((20, 60, 50), (90, 160, 120), "bars", "深緑の背景に、高さの違う縦棒が並ぶ抽象イラスト"),
    "llm-inference-cost": ((40, 30, 80), (200, 90, 120), "waves", "藍色から薔薇色へのグラデーションに、なだらかな波線が流れる抽象イラスト"),
    "ai-agents-small-start": ((30, 70, 110), (240, 170, 90), "steps", "青から山吹色へのグラデーションに、階段状のブロックが上っていく抽象イラスト"),
    "edge-ai-chips": ((12, 40, 40), (40, 150, 140), "circuit", "深い青緑の背景に、回路の配線のような線が走る抽象イラスト"),
}

# name → (role, bio, website, disc colour)
PROFILES = {
    "田中 健一": (
        "シニアエディター／AIハードウェア担当",
        "半導体メーカーでの設計経験を経て編集部へ。GPU、推論基盤、エッジAIを中心に、数字の裏にある仕組みをやさしく解説します。",
        "https://tanaka.allforces.example/",
        (31, 95, 191),
    ),
    "佐藤 美咲": (
        "テクニカルライター",
        "LLMアプリケーションの評価と、生成AIを業務に取り入れる方法を取材しています。小さく試して確かめる記事が得意です。",
        "https://misaki.allforces.example/",
        (176, 72, 96),
    ),
    "ALLFORCES編集部": (
        "",
        "ALLFORCES（AI技術ガイド）の編集部です。OpenAI、Google、Meta、NVIDIA、Anthropic をはじめ、AI技術の動きを日本語で深く読み解きます。",
        "https://allforces.example/",
        (29, 36, 51),
    ),
}


def _gradient(size, start, end) -> Image.Image:
    """From ``start`` at the top right to ``end`` at the bottom left."""
    down = Image.linear_gradient("L").resize(size)
    leftward = Image.linear_gradient("L").rotate(90).resize(size)
    return ImageOps.colorize(Image.blend(down, leftward, 0.5), start, end).convert("RGBA")


def _motif(draw: ImageDraw.ImageDraw, motif: str, width: int, height: int, rng: random.Random) -> None:
    light = (255, 255, 255)
    if motif == "nodes":
        points = [(rng.uniform(0.45, 0.98) * width, rng.uniform(0.08, 0.92) * height) for _ in range(26)]
        for i, a in enumerate(points):
            for b in points[i + 1 :]:
                if math.dist(a, b) < width * 0.16:
                    draw.line([a, b], fill=(*light, 70), width=4 * SCALE)
        for x, y in points:
            r = rng.uniform(8, 20) * SCALE
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(*light, 170))
    elif motif == "grid":
        cell = width // 16
        for col in range(7, 16):
            for row in range(1, 9):
                alpha = rng.choice([30, 50, 80, 140, 200])
                x, y = col * cell, row * cell * 0.95
                draw.rounded_rectangle([x, y, x + cell * 0.78, y + cell * 0.78], radius=cell // 8, fill=(120, 200, 255, alpha))
    elif motif == "rings":
        cx, cy = width * 0.72, height * 0.5
        for n in range(1, 11):
            r = n * height * 0.07
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(*light, 40 + n * 12), width=5 * SCALE)
    elif motif == "bars":
        bar = width // 30
        for n in range(10):
            h = height * rng.uniform(0.25, 0.8)
            x = width * 0.5 + n * bar * 1.6
            draw.rounded_rectangle([x, height - h, x + bar, height * 0.92], radius=bar // 3, fill=(*light, 60 + n * 12))
    elif motif == "waves":
        for n in range(9):
            points = [
                (x, height * (0.3 + n * 0.06) + math.sin(x / width * 2 * math.pi * 1.3 + n * 0.5) * height * 0.08)
                for x in range(0, width + 1, width // 80)
            ]
            draw.line(points, fill=(*light, 50 + n * 18), width=5 * SCALE, joint="curve")
    elif motif == "steps":
        step = width // 14
        for n in range(7):
            x, top = width * 0.42 + n * step, height * (0.78 - n * 0.09)
            draw.rounded_rectangle([x, top, x + step * 0.9, height * 0.9], radius=step // 10, fill=(*light, 50 + n * 22))
    elif motif == "circuit":
        for _ in range(18):
            x, y = rng.uniform(0.45, 0.95) * width, rng.uniform(0.1, 0.9) * height
            path = [(x, y)]
            for _ in range(4):
                if rng.random() < 0.5:
                    x += rng.choice([-1, 1]) * rng.uniform(0.04, 0.12) * width
                else:
                    y += rng.choice([-1, 1]) * rng.uniform(0.06, 0.18) * height
                path.append((x, y))
            draw.line(path, fill=(160, 255, 230, 120), width=4 * SCALE, joint="curve")
            r = 9 * SCALE
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(200, 255, 240, 200))


def cover_image(slug: str) -> bytes:
    """A 1600×900 JPEG for the demo article ``slug``, the same every time."""
    start, end, motif, _alt = COVERS[slug]
    width, height = SIZE[0] * SCALE, SIZE[1] * SCALE
    canvas = _gradient((width, height), start, end)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    _motif(ImageDraw.Draw(layer), motif, width, height, random.Random(slug))
    image = Image.alpha_composite(canvas, layer).convert("RGB").resize(SIZE, Image.Resampling.LANCZOS)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def portrait_image(name: str, colour) -> bytes:
    """An 800×800 PNG: the name's first character in white on a disc of ``colour``."""
    side = 800 * SCALE
    image = Image.new("RGB", (side, side), (238, 236, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse([0, 0, side, side], fill=colour)
    font = ImageFont.truetype(str(FONT), int(side * 0.5))
    draw.text((side / 2, side / 2), name[0], font=font, fill=(255, 255, 255), anchor="mm")
    buffer = BytesIO()
    image.resize((800, 800), Image.Resampling.LANCZOS).save(buffer, "PNG")
    return buffer.getvalue()


def _picture(kind: str, data: bytes, name: str, alt: str, focal=(0.5, 0.5)) -> Picture:
    picture = Picture(kind=kind, alt=alt, focal_x=focal[0], focal_y=focal[1])
    pictures.store_original(picture, *clean_image(SimpleUploadedFile(name, data)))
    picture.save()
    # Made here and now, not by the background task: the demo is complete when the command ends.
    pictures.generate_renditions(picture)
    return picture


def add_covers(report=None) -> int:
    """Give each demo article without a cover its drawn one; returns how many were added."""
    missing = list(Article.objects.filter(slug__in=COVERS, cover__isnull=True).only("pk", "slug"))
    for done, article in enumerate(missing, 1):
        # The motif sits right of centre: the focal point keeps it in the crops.
        article.cover = _picture(Picture.Kind.COVER, cover_image(article.slug), f"{article.slug}.jpg", COVERS[article.slug][3], (0.62, 0.5))
        article.save(update_fields=["cover"])
        if report:
            report(done, len(missing))
    return len(missing)


def add_profiles() -> None:
    """Fill in the demo authors' role, bio, website and photo where they are still empty."""
    for author in Author.objects.filter(name__in=PROFILES).select_related("photo"):
        role, bio, website, colour = PROFILES[author.name]
        author.role = author.role or role
        author.bio = author.bio or bio
        author.website_url = author.website_url or website
        if author.photo_id is None:
            author.photo = _picture(
                Picture.Kind.PORTRAIT, portrait_image(author.name, colour), "photo.png", f"{author.name}のアイコン"
            )
        author.save()
