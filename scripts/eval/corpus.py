"""Builds the evaluation corpus: natural photos from Debian wallpaper packages and scikit-image's sample
data, normalised to at most 1600 px, split into a known half and an unrelated half, plus the edited copies
of every image, and the reference PDQ (PyPI pdqhash = Meta's C++) of everything.

Usage: corpus.py CACHE_DIR OUT_DIR
Writes OUT_DIR/manifest.csv: name,set,transform,path,ref_distance,ref_quality
"""
import csv, glob, os, subprocess, sys
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance
import pdqhash

cache, out = sys.argv[1], sys.argv[2]
PACKAGES = ["mate-backgrounds", "ukui-wallpapers", "lomiri-wallpapers", "gnome-backgrounds", "plasma-workspace-wallpapers"]
debs = os.path.join(cache, "debs")
extracted = os.path.join(cache, "wallpapers")
os.makedirs(debs, exist_ok=True)
if not glob.glob(os.path.join(debs, "*.deb")):
    subprocess.run(["apt-get", "download"] + PACKAGES, cwd=debs, check=True)
if not os.path.isdir(extracted):
    for deb in glob.glob(os.path.join(debs, "*.deb")):
        subprocess.run(["dpkg-deb", "-x", deb, extracted], check=True)

def reference(img):
    """The reference pipeline: nearest-neighbour resize to 512 when a side is over 512, then PDQ."""
    if img.width > 512 or img.height > 512:
        img = img.resize((512, 512), Image.NEAREST)
    hashes, quality = pdqhash.compute_dihedral(np.asarray(img.convert("RGB")))
    return [np.asarray(h, dtype=bool) for h in hashes], quality

# Sources: the largest file of each wallpaper (plasma ships one per resolution), and skimage's colour photos.
sources = {}
for path in glob.glob(os.path.join(extracted, "**", "*"), recursive=True):
    if not path.lower().endswith((".jpg", ".jpeg", ".png", ".webp")) or os.path.getsize(path) < 100_000:
        continue
    key = path.split("/contents/")[0] if "/contents/" in path else path
    if key not in sources or os.path.getsize(path) > os.path.getsize(sources[key]):
        sources[key] = path
images = []
for key in sorted(sources):
    try:
        images.append((os.path.basename(key).rsplit(".", 1)[0], Image.open(sources[key]).convert("RGB")))
    except Exception as error:
        print(f"skipped {sources[key]}: {error}", file=sys.stderr)
try:
    from skimage import data
    for name in ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry", "retina", "motorcycle_left", "motorcycle_right", "colorwheel"]:
        try:
            images.append(("skimage-" + name, Image.fromarray(getattr(data, name)()).convert("RGB")))
        except Exception as error:
            print(f"skimage {name}: {error}", file=sys.stderr)
except ImportError:
    print("scikit-image unavailable", file=sys.stderr)

# Normalise; keep photos PDQ can hash (quality >= 50) and drop near-duplicates (packages ship the same
# photo at several sizes, or light/dark variants): nothing within 48 bits of a kept one, over all 8
# rotations/flips. Then split wide ones into halves to reach >= 100 photos; both halves of a source go to
# the same side of the known/unrelated split, so no unrelated image is a piece of a known one.
kept, kept_hashes = [], []
for name, img in images:
    img.thumbnail((1600, 1600), Image.LANCZOS)
    hashes, quality = reference(img)
    if quality < 50:
        continue
    if any(min(int(np.count_nonzero(h != k)) for h in hashes) <= 48 for k in kept_hashes):
        print(f"near-duplicate dropped: {name}", file=sys.stderr)
        continue
    kept.append((name, img))
    kept_hashes.append(hashes[0])
photos = []
for source, (name, img) in enumerate(kept):
    subset = "known" if source % 2 == 0 else "unrelated"
    parts = [(name + "-L", img.crop((0, 0, img.width // 2, img.height))), (name + "-R", img.crop((img.width // 2, 0, img.width, img.height)))] if img.width >= 1200 else [(name, img)]
    photos.extend((subset, n, i) for n, i in parts if reference(i)[1] >= 50)
print(f"{len(photos)} photos from {len(kept)} distinct source images", file=sys.stderr)

def watermark(img):
    img = img.copy()
    draw = ImageDraw.Draw(img, "RGBA")
    w, h = img.size
    # A small corner label, as apps stamp shared images: 16% x 5% of the image, half transparent.
    box = (int(w * 0.81), int(h * 0.93), int(w * 0.97), int(h * 0.98))
    draw.rectangle(box, fill=(255, 255, 255, 110))
    draw.text((box[0] + 4, box[1] + 2), "@imageguard", fill=(20, 20, 20, 200))
    return img

def crop(img, fraction):
    w, h = img.size
    dx, dy = int(w * fraction / 2), int(h * fraction / 2)
    return img.crop((dx, dy, w - dx, h - dy))

# Each transform's image is saved as JPEG at the quality in its name, else at 95.
TRANSFORMS = {
    "jpeg-q50": lambda i: i,
    "jpeg-q70": lambda i: i,
    "jpeg-q90": lambda i: i,
    "resize-50": lambda i: i.resize((i.width // 2, i.height // 2), Image.LANCZOS),
    "resize-25": lambda i: i.resize((i.width // 4, i.height // 4), Image.LANCZOS),
    "resize-50+jpeg-q70": lambda i: i.resize((i.width // 2, i.height // 2), Image.LANCZOS),
    "flip": lambda i: i.transpose(Image.FLIP_LEFT_RIGHT),
    "rotate-90": lambda i: i.transpose(Image.ROTATE_90),
    "watermark": watermark,
    "brightness+": lambda i: ImageEnhance.Brightness(i).enhance(1.25),
    "brightness-": lambda i: ImageEnhance.Brightness(i).enhance(0.75),
    "crop-2pc": lambda i: crop(i, 0.02),
}

os.makedirs(out, exist_ok=True)
rows = []
for index, (subset, name, img) in enumerate(photos):
    stem = f"{index:03d}-{name}"[:60]
    original_path = os.path.join(out, stem + "-original.jpg")
    img.save(original_path, quality=95)
    original = Image.open(original_path).convert("RGB")
    original_hash = reference(original)[0][0]
    rows.append((stem, subset, "original", original_path, 0, reference(original)[1]))
    for transform, apply in TRANSFORMS.items():
        edited = apply(original)
        path = os.path.join(out, f"{stem}-{transform}.jpg")
        quality = int(transform.rsplit("q", 1)[1]) if "jpeg-q" in transform else 95
        edited.save(path, quality=quality)
        hashes, quality = reference(Image.open(path).convert("RGB"))
        distance = min(int(np.count_nonzero(h != original_hash)) for h in hashes)
        rows.append((stem, subset, transform, path, distance, quality))
with open(os.path.join(out, "manifest.csv"), "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["name", "set", "transform", "path", "ref_distance", "ref_quality"])
    writer.writerows(rows)
print(f"wrote {len(rows)} images", file=sys.stderr)
