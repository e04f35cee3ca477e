package org.imageguard.android

import android.graphics.Bitmap

/** PDQ works at 512x512: a Bitmap is reduced to this long side before its pixels are copied to the library. */
internal const val SCAN_MAX_SIDE = 1024

/**
 * This bitmap, or a filtered copy whose long side is [SCAN_MAX_SIDE] when it is larger, so that scanning a
 * 48 MP camera bitmap copies 4 MB of pixels, not 192 MB. The caller recycles the copy (`!== this`).
 */
internal fun Bitmap.reducedForScan(): Bitmap {
    val long = maxOf(width, height)
    if (long <= SCAN_MAX_SIDE) return this
    val scale = SCAN_MAX_SIDE.toDouble() / long
    val w = maxOf(1, Math.round(width * scale).toInt())
    val h = maxOf(1, Math.round(height * scale).toInt())
    return Bitmap.createScaledBitmap(this, w, h, true)
}
