package org.imageguard.android

import android.graphics.Bitmap
import java.nio.ByteBuffer
import kotlinx.coroutines.withContext
import org.imageguard.ImageGuard
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.PixelFormat
import org.imageguard.ffi.ScanOutcome

/**
 * Scans a Bitmap's pixels (perceptual matching only: a Bitmap has no file bytes to hash exactly).
 *
 * A bitmap larger than 1024 pixels on its long side is first reduced to that (filtered), so the copy is
 * small. `ARGB_8888` bitmaps are RGBA bytes in memory and are read through one direct-buffer copy, which the
 * library reads in place; other configs (RGB_565, HARDWARE, ...) are converted to ARGB_8888 first. For a
 * photo on disk prefer [scanUri] / [scanImageFile]: they add exact matching and never hold the full-size
 * bitmap.
 */
suspend fun ImageGuard.scanBitmap(bitmap: Bitmap): ScanOutcome {
    val pixels = withContext(dispatcher) {
        val reduced = bitmap.reducedForScan() // at most 1024 px on the long side: PDQ needs 512
        try { reduced.toRgbaPixels() } finally { if (reduced !== bitmap) reduced.recycle() }
    }
    return scanPixels(pixels.buffer, pixels.width, pixels.height, pixels.rowBytes, PixelFormat.RGBA8)
}

internal class RgbaPixels(val buffer: ByteBuffer, val width: Int, val height: Int, val rowBytes: Int)

internal fun Bitmap.toRgbaPixels(): RgbaPixels {
    val source = if (config == Bitmap.Config.ARGB_8888) this else copy(Bitmap.Config.ARGB_8888, false)
        ?: throw ImageGuardException.InvalidArgument("invalid argument: the bitmap (config $config) could not be converted to ARGB_8888")
    try {
        val buffer = ByteBuffer.allocateDirect(source.rowBytes * source.height)
        source.copyPixelsToBuffer(buffer)
        buffer.rewind()
        return RgbaPixels(buffer, source.width, source.height, source.rowBytes)
    } finally {
        if (source !== this) source.recycle()
    }
}
