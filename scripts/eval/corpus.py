"""Builds the evaluation corpus: natural photos at their own resolution (Debian wallpaper packages, 2-20 MP,
split in halves from 12 MP; scikit-image's sample photos), a known half and an unrelated half, every photo
with the edited copies users share (edits.py), and the reference PDQ of each file (reference.py).

Usage: corpus.py CACHE_DIR OUT_DIR [WORKERS]
Writes OUT_DIR/manifest.csv: name,set,transform,path,ref_distance,ref_quality,ref_hash
  ref_distance: the closest of the file's 8 dihedral reference hashes to the original's reference hash
  ref_quality:  the reference's quality of the file
  ref_hash:     the file's own reference hash (hex); for an original, what a list would hold
"""
import csv
import os
import sys
import time
from multiprocessing import Pool
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edits import EDITS, EXTENSIONS  # noqa: E402
from reference import min_dihedral_distance, reference_hashes, to_hex  # noqa: E402
from sources import fetch_wallpapers, select_photos, skimage_files, wallpaper_files  # noqa: E402

MEGAPIXEL_BINS = [0, 1, 2, 4, 8, 12, 20, 100]


def build_photo(job):
    """Writes one photo's original and edited files; returns their manifest rows."""
    index, (subset, name, path, box, _), out = job
    img = Image.open(path).convert("RGB")
    if box:
        img = img.crop(box)
    stem = f"{index:03d}-{name}"[:60]
    original_path = os.path.join(out, f"{stem}-original.jpg")
    img.save(original_path, quality=95)
    original = Image.open(original_path).convert("RGB")
    hashes, quality = reference_hashes(original)
    listed = hashes[0]
    rows = [(stem, subset, "original", original_path, 0, quality, to_hex(listed))]
    for transform, (apply, file_format, options) in EDITS.items():
        copy_path = os.path.join(out, f"{stem}-{transform}.{EXTENSIONS[file_format]}")
        apply(original, index).save(copy_path, file_format, **options)
        copy_hashes, copy_quality = reference_hashes(Image.open(copy_path))
        rows.append((stem, subset, transform, copy_path, min_dihedral_distance(copy_hashes, listed), copy_quality, to_hex(copy_hashes[0])))
    return rows


def histogram(label, sizes):
    counts = [0] * (len(MEGAPIXEL_BINS) - 1)
    for w, h in sizes:
        mp = w * h / 1e6
        for i in range(len(counts)):
            if MEGAPIXEL_BINS[i] <= mp < MEGAPIXEL_BINS[i + 1]:
                counts[i] += 1
    cells = ", ".join(f"{lo}-{hi} MP: {n}" for lo, hi, n in zip(MEGAPIXEL_BINS, MEGAPIXEL_BINS[1:], counts))
    print(f"{label} by size: {cells}", file=sys.stderr)


def main():
    cache, out = sys.argv[1], sys.argv[2]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    os.makedirs(out, exist_ok=True)
    started = time.time()
    files = wallpaper_files(fetch_wallpapers(cache)) + skimage_files(out)
    photos = select_photos(files)
    histogram("photos", [p[4] for p in photos])
    print(f"{len(EDITS)} edits each; {sum(p[0] == 'known' for p in photos)} known photos", file=sys.stderr)
    rows = []
    with Pool(workers) as pool:
        for done, photo_rows in enumerate(pool.imap(build_photo, [(i, p, out) for i, p in enumerate(photos)]), 1):
            rows.extend(photo_rows)
            if done % 10 == 0:
                print(f"  {done}/{len(photos)} photos, {time.time() - started:.0f} s", file=sys.stderr)
    partial = os.path.join(out, "manifest.csv.partial")
    with open(partial, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "set", "transform", "path", "ref_distance", "ref_quality", "ref_hash"])
        writer.writerows(rows)
    os.rename(partial, os.path.join(out, "manifest.csv"))
    print(f"wrote {len(rows)} images in {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
