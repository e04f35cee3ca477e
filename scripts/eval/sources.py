"""Where the corpus's photos come from: Debian's wallpaper packages (2-20 MP photos and artwork, at their own
resolution) and scikit-image's sample photos (small ones), with near-duplicates dropped and the known /
unrelated split made by source image, so that no unrelated photo is a piece of a known one.
"""
import fcntl
import glob
import os
import subprocess
import sys
from PIL import Image

from reference import min_dihedral_distance, reference_hashes

PACKAGES = ["mate-backgrounds", "ukui-wallpapers", "lomiri-wallpapers", "gnome-backgrounds", "plasma-workspace-wallpapers"]
SPLIT_PIXELS = 12_000_000
NEAR_DUPLICATE_BITS = 48
Image.MAX_IMAGE_PIXELS = 200_000_000


def fetch_wallpapers(cache):
    """Downloads and unpacks the packages once into CACHE/debs and CACHE/wallpapers, under a lock so that
    two tools sharing the cache do not fetch at the same time."""
    debs, extracted = os.path.join(cache, "debs"), os.path.join(cache, "wallpapers")
    os.makedirs(debs, exist_ok=True)
    with open(os.environ.get("IMAGEGUARD_DEBS_LOCK", os.path.join(cache, "debs.lock")), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not glob.glob(os.path.join(debs, "*.deb")):
            subprocess.run(["apt-get", "download"] + PACKAGES, cwd=debs, check=True)
        if not os.path.isdir(extracted):
            partial = extracted + ".partial"
            for deb in glob.glob(os.path.join(debs, "*.deb")):
                subprocess.run(["dpkg-deb", "-x", deb, partial], check=True)
            os.rename(partial, extracted)
    return extracted


def wallpaper_files(extracted):
    """The largest file of each wallpaper: plasma ships one per resolution (light and dark separately)."""
    chosen = {}
    for path in glob.glob(os.path.join(extracted, "**", "*"), recursive=True):
        if not path.lower().endswith((".jpg", ".jpeg", ".png", ".webp")) or os.path.getsize(path) < 100_000:
            continue
        if path.endswith("/screenshot.png"):
            continue
        key = os.path.dirname(path) if "/contents/" in path else path
        if key not in chosen or os.path.getsize(path) > os.path.getsize(chosen[key]):
            chosen[key] = path
    return [(source_name(key), chosen[key]) for key in sorted(chosen)]


def source_name(key):
    if "/contents/" in key:
        package, variant = key.split("/contents/")
        return os.path.basename(package) + ("-dark" if variant.endswith("_dark") else "")
    return os.path.basename(key).rsplit(".", 1)[0]


def skimage_files(out):
    """scikit-image's colour photos, saved once as PNG so that workers can open them like the others."""
    try:
        from skimage import data
    except ImportError:
        print("scikit-image unavailable", file=sys.stderr)
        return []
    folder = os.path.join(out, "sources")
    os.makedirs(folder, exist_ok=True)
    files = []
    # Those that ship inside the package (the others are fetched at run time, which cannot work here).
    names = ["astronaut", "coffee", "chelsea", "cat", "rocket", "hubble_deep_field", "immunohistochemistry", "retina",
             "stereo_motorcycle", "colorwheel", "camera", "coins", "moon", "brick", "grass", "gravel", "clock", "cell"]
    for name in names:
        path = os.path.join(folder, name + ".png")
        try:
            if not os.path.exists(path):
                pixels = getattr(data, name)()
                pixels = pixels[0] if isinstance(pixels, tuple) else pixels  # stereo pairs: the left view
                Image.fromarray(pixels).convert("RGB").save(path)
            files.append(("skimage-" + name, path))
        except Exception as error:
            print(f"skimage {name}: {error}", file=sys.stderr)
    return files


def halves(width, height):
    """Two boxes splitting the long side, for sources of SPLIT_PIXELS or more; else the whole image."""
    if width * height < SPLIT_PIXELS:
        return [("", None)]
    if width >= height:
        return [("-L", (0, 0, width // 2, height)), ("-R", (width // 2, 0, width, height))]
    return [("-T", (0, 0, width, height // 2)), ("-B", (0, height // 2, width, height))]


def pixel_count(path):
    try:
        with Image.open(path) as img:
            return img.width * img.height
    except Exception:
        return 0


def group_of(name):
    """Sources that are one picture in several versions (light and dark, -l and -d) share a group, and a
    group goes whole to one side of the split: an unrelated photo must not be a recoloured known one."""
    name = name.lower()
    for suffix in ("-dark", "-l", "-d"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    if name.startswith("ubuntu-mate-"):
        return "ubuntu-mate"
    return name


def subsets(names):
    """known / unrelated for each source name: groups alternate in order of first appearance."""
    order = {}
    for name in names:
        order.setdefault(group_of(name), len(order))
    return {name: "known" if order[group_of(name)] % 2 == 0 else "unrelated" for name in names}


def select_photos(files):
    """Photos as (subset, name, path, box, size): sources PDQ can hash (quality >= 50), none within 48 bits of
    a larger one over all 8 rotations/flips, split when large; groups of sources alternate known /
    unrelated."""
    kept_hashes, photos = [], []
    # Largest first, so that of a photo shipped at several sizes the largest is kept.
    for name, path in sorted(files, key=lambda f: -pixel_count(f[1])):
        try:
            img = Image.open(path).convert("RGB")
        except Exception as error:
            print(f"skipped {path}: {error}", file=sys.stderr)
            continue
        hashes, quality = reference_hashes(img)
        if quality < 50:
            print(f"low quality dropped: {name} ({quality})", file=sys.stderr)
            continue
        if any(min_dihedral_distance(hashes, k) <= NEAR_DUPLICATE_BITS for k in kept_hashes):
            print(f"near-duplicate dropped: {name}", file=sys.stderr)
            continue
        kept_hashes.append(hashes[0])
        for suffix, box in halves(*img.size):
            part = img.crop(box) if box else img
            if box is None or reference_hashes(part)[1] >= 50:
                photos.append((name, name + suffix, path, box, part.size))
    subset_of = subsets([photo[0] for photo in photos])
    photos = [(subset_of[source], *rest) for source, *rest in photos]
    print(f"{len(photos)} photos from {len(kept_hashes)} distinct source images in {len(set(map(group_of, subset_of)))} groups", file=sys.stderr)
    return photos
