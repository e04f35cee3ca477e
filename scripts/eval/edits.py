"""The edits users make to a photo before sharing it, each written as the file they would end up with.

Every edit works at the photo's own resolution (a 12 MP photo stays 12 MP unless the edit is a resize) and
is deterministic for a given photo index, so two runs build the same corpus. `EDITS` maps a name to
(function(img, index) -> PIL image, file format, encoder options).
"""
import math
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

PHONE_RE_ENCODE = ("JPEG", {"quality": 90})


def font(size):
    try:
        return ImageFont.load_default(size=max(8, int(size)))
    except TypeError:  # Pillow without FreeType sizing
        return ImageFont.load_default()


def crop(img, fraction):
    """Removes `fraction` of the width and of the height, more from the top-left than the bottom-right (as
    a hand crop does)."""
    w, h = img.size
    dx, dy = int(w * fraction), int(h * fraction)
    left, top = dx * 2 // 3, dy * 2 // 3
    return img.crop((left, top, w - (dx - left), h - (dy - top)))


def rotate_small(img, degrees):
    """Straightening: rotate, then crop to the largest centred rectangle of the same aspect without corners."""
    w, h = img.size
    theta = math.radians(abs(degrees))
    scale = min(w / (w * math.cos(theta) + h * math.sin(theta)), h / (w * math.sin(theta) + h * math.cos(theta)))
    rotated = img.rotate(degrees, resample=Image.BICUBIC)
    cw, ch = int(w * scale), int(h * scale)
    return rotated.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch))


def stickers(img, index):
    """Two round emoji-like stickers (face, eyes, smile) of 18% and 12% of the short side."""
    img = img.copy()
    draw = ImageDraw.Draw(img)
    w, h = img.size
    rng = np.random.default_rng(index)
    for size_fraction in (0.18, 0.12):
        r = int(min(w, h) * size_fraction / 2)
        cx, cy = int(rng.uniform(r, w - r)), int(rng.uniform(r, h - r))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 204, 40), outline=(200, 120, 0), width=max(1, r // 12))
        eye = max(1, r // 7)
        for ex in (cx - r // 3, cx + r // 3):
            draw.ellipse((ex - eye, cy - r // 3 - eye, ex + eye, cy - r // 3 + eye), fill=(60, 30, 10))
        draw.arc((cx - r // 2, cy - r // 4, cx + r // 2, cy + r // 2), 20, 160, fill=(60, 30, 10), width=max(1, r // 10))
    return img


def watermark(img, index):
    """A half-transparent text stamp along the bottom, as apps and reposters add."""
    img = img.convert("RGBA")
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = img.size
    size = h * 0.05
    draw.text((w * 0.04, h * 0.90), "@shared_by_someone  #photo", font=font(size), fill=(255, 255, 255, 150), stroke_width=max(1, int(size / 20)), stroke_fill=(0, 0, 0, 120))
    return Image.alpha_composite(img, layer).convert("RGB")


def brightness_contrast(img, index):
    return ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.15)).enhance(1.2)


def border(img, index):
    """A uniform frame, 5% of the width left and right and 5% of the height top and bottom."""
    colour = [(255, 255, 255), (0, 0, 0), (236, 236, 236)][index % 3]
    w, h = img.size
    return ImageOps.expand(img, border=(int(w * 0.05), int(h * 0.05), int(w * 0.05), int(h * 0.05)), fill=colour)


def letterbox(img, index):
    """A landscape photo in a 9:16 story frame (black bars above and below); a portrait one pillarboxed in 16:9."""
    w, h = img.size
    if w >= h:
        canvas = Image.new("RGB", (w, max(h, w * 16 // 9)), (0, 0, 0))
    else:
        canvas = Image.new("RGB", (max(w, h * 16 // 9), h), (0, 0, 0))
    canvas.paste(img, ((canvas.width - w) // 2, (canvas.height - h) // 2))
    return canvas


def screenshot(img, index):
    """A phone screenshot of the photo in a chat or gallery app: status bar, app bar, margins, a caption
    and a navigation bar around the photo, at a phone's resolution."""
    dark = index % 2 == 1
    background, ink = ((18, 18, 18), (230, 230, 230)) if dark else ((255, 255, 255), (30, 30, 30))
    screen = Image.new("RGB", (1080, 2340), background)
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, 1080, 90), fill=(0, 0, 0) if dark else (240, 240, 240))
    draw.text((40, 22), "9:41", font=font(44), fill=ink)
    for i in range(4):
        draw.rectangle((880 + i * 40, 60 - i * 10, 900 + i * 40, 66), fill=ink)
    draw.rectangle((0, 90, 1080, 250), fill=(32, 48, 64) if dark else (0, 120, 110))
    draw.text((140, 140), "Family group", font=font(52), fill=(255, 255, 255))
    draw.ellipse((30, 120, 110, 200), fill=(200, 200, 200))
    margin = 36
    photo = img.copy()
    photo.thumbnail((1080 - 2 * margin, 1500), Image.LANCZOS)
    top = 250 + 140
    screen.paste(photo, ((1080 - photo.width) // 2, top))
    caption_top = top + photo.height + 40
    draw.text((margin, caption_top), "look at this one!", font=font(46), fill=ink)
    draw.text((margin, caption_top + 70), "12:03", font=font(34), fill=(128, 128, 128))
    draw.rectangle((0, 2340 - 140, 1080, 2340), fill=(0, 0, 0) if dark else (245, 245, 245))
    draw.rounded_rectangle((40, 2340 - 120, 900, 2340 - 30), radius=40, outline=(128, 128, 128), width=3)
    return screen


def noise(img, index):
    rng = np.random.default_rng(index)
    pixels = np.asarray(img, dtype=np.float32)
    pixels = pixels + rng.normal(0.0, 8.0, size=pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))


def blur(img, index):
    # About 1.5 px at the 512-px scale PDQ sees, whatever the resolution.
    return img.filter(ImageFilter.GaussianBlur(radius=1.5 * max(img.size) / 512))


def messenger(img, index):
    """What chat apps send: the long side brought down to 1600 px."""
    copy = img.copy()
    copy.thumbnail((1600, 1600), Image.LANCZOS)
    return copy


def unchanged(img, index):
    return img


EDITS = {
    "jpeg-q30": (unchanged, "JPEG", {"quality": 30}),
    "jpeg-q50": (unchanged, "JPEG", {"quality": 50}),
    "jpeg-q80": (unchanged, "JPEG", {"quality": 80}),
    "webp-q80": (unchanged, "WEBP", {"quality": 80, "method": 2}),
    "messenger-1600-q75": (messenger, "JPEG", {"quality": 75}),
    "upscale-2x": (lambda i, n: i.resize((i.width * 2, i.height * 2), Image.BICUBIC), *PHONE_RE_ENCODE),
    "downscale-0.5x": (lambda i, n: i.resize((i.width // 2, i.height // 2), Image.LANCZOS), *PHONE_RE_ENCODE),
    "sticker": (stickers, *PHONE_RE_ENCODE),
    "watermark": (watermark, *PHONE_RE_ENCODE),
    "brightness-contrast": (brightness_contrast, *PHONE_RE_ENCODE),
    "darker": (lambda i, n: ImageEnhance.Brightness(i).enhance(0.75), *PHONE_RE_ENCODE),
    "crop-2pc": (lambda i, n: crop(i, 0.02), *PHONE_RE_ENCODE),
    "crop-5pc": (lambda i, n: crop(i, 0.05), *PHONE_RE_ENCODE),
    "crop-10pc": (lambda i, n: crop(i, 0.10), *PHONE_RE_ENCODE),
    "rotate-3deg": (lambda i, n: rotate_small(i, 3), *PHONE_RE_ENCODE),
    "mirror": (lambda i, n: i.transpose(Image.FLIP_LEFT_RIGHT), *PHONE_RE_ENCODE),
    "rotate-90": (lambda i, n: i.transpose(Image.ROTATE_90), *PHONE_RE_ENCODE),
    "rotate-180": (lambda i, n: i.transpose(Image.ROTATE_180), *PHONE_RE_ENCODE),
    "border-5pc": (border, *PHONE_RE_ENCODE),
    "letterbox": (letterbox, *PHONE_RE_ENCODE),
    "screenshot": (screenshot, "PNG", {"compress_level": 1}),
    "grayscale": (lambda i, n: i.convert("L"), *PHONE_RE_ENCODE),
    "blur": (blur, *PHONE_RE_ENCODE),
    "noise": (noise, *PHONE_RE_ENCODE),
}

EXTENSIONS = {"JPEG": "jpg", "WEBP": "webp", "PNG": "png"}
