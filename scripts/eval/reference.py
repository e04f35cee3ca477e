"""The server-side reference that the device is measured against: Meta's C++ PDQ (PyPI `pdqhash`) fed the
pixels that the C++ reference's own loader would give it.

Why not PIL's resize: the C++ reference shrinks any image with a side over 512 to exactly 512x512 by
sampling source pixel (floor(i*H/512), floor(j*W/512)) for output pixel (i, j). PIL's NEAREST picks
pixel centres instead, which lands up to 16 bits away on large photos, so it is not the reference.
"""
import numpy as np
import pdqhash

SIDE = 512


def reference_pixels(rgb):
    """The RGB array the C++ reference hashes: unchanged up to 512 a side, else sampled to 512x512."""
    height, width = rgb.shape[:2]
    if height <= SIDE and width <= SIDE:
        return rgb
    rows = (np.arange(SIDE) * height) // SIDE
    cols = (np.arange(SIDE) * width) // SIDE
    return rgb[rows[:, None], cols[None, :]]


def reference_hashes(img):
    """The 8 dihedral reference hashes (bool arrays, pdqhash's bit order) and the quality of a PIL image."""
    rgb = np.ascontiguousarray(reference_pixels(np.asarray(img.convert("RGB"))))
    hashes, quality = pdqhash.compute_dihedral(rgb)
    return [np.asarray(h, dtype=bool) for h in hashes], int(quality)


def distance(a, b):
    return int(np.count_nonzero(a != b))


def min_dihedral_distance(hashes, listed):
    """What the reference's matcher sees: the closest of the copy's 8 dihedral hashes to the listed hash."""
    return min(distance(h, listed) for h in hashes)


def to_hex(bits):
    """The reference's text form (64 hex digits, word 15 first). pdqhash lists bit 255 first."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8)[::-1], bitorder="little")
    return packed[::-1].tobytes().hex()
