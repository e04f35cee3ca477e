package org.imageguard.android

import android.content.ContentResolver
import android.content.Context
import android.content.res.AssetFileDescriptor
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import java.io.ByteArrayInputStream
import java.io.File
import java.io.FileInputStream
import java.io.IOException
import java.io.InputStream
import java.nio.ByteBuffer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.imageguard.ImageGuard
import org.imageguard.readingFiles
import org.imageguard.ffi.DecodeErrorKind
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.ScanOutcome

/** Largest file read for scanning, as in the core's default decode limits. */
private const val MAX_FILE_BYTES = 64L shl 20

/** BitmapFactory decodes at least this short side, as PDQ's reference pipeline resamples to 512x512. */
private const val MIN_SHORT_SIDE = 512

/**
 * Scans the image behind a content:// or file:// Uri (a photo picker result, a share intent).
 *
 * The file's bytes go to the core (one direct-buffer copy, no Bitmap): exact and perceptual matching with
 * the reference PDQ pipeline and the core's JPEG luma decoding. Files the core does not decode (HEIF/HEIC,
 * AVIF, DNG, arithmetic-coded JPEG: [ImageGuardException.NeedsPlatformDecode]) fall back to BitmapFactory
 * with the largest `inSampleSize` that keeps the short side >= 512, then perceptual matching of the pixels
 * (the core has already checked the file's exact hashes). If BitmapFactory cannot decode it either, the
 * original exception is thrown: fail closed (see docs/android.md).
 */
suspend fun ImageGuard.scanUri(context: Context, uri: Uri): ScanOutcome {
    val resolver = context.contentResolver
    val bytes = withContext(Dispatchers.IO) { readingFiles("cannot read $uri") { resolver.readLimited(uri) } }
    return scanWithFallback(bytes) { resolver.openInputStream(uri) ?: throw IOException("cannot open $uri") }
}

/** Like [scanUri], for a file path. */
suspend fun ImageGuard.scanImageFile(file: File): ScanOutcome {
    val bytes = withContext(Dispatchers.IO) { readingFiles("cannot read $file") { FileInputStream(file).use { it.readDirect(file.length()) } } }
    return scanWithFallback(bytes) { FileInputStream(file) }
}

/** Like [scanUri], for bytes already in memory (a download, a message attachment). */
suspend fun ImageGuard.scanImageBytes(bytes: ByteArray): ScanOutcome =
    try {
        scan(bytes)
    } catch (e: ImageGuardException.NeedsPlatformDecode) {
        scanDecoded(e) { ByteArrayInputStream(bytes) }
    }

/**
 * Like [scanImageBytes], for a buffer's remaining bytes (no copy when it is direct); the buffer's
 * position is not moved.
 */
suspend fun ImageGuard.scanImageBytes(buffer: ByteBuffer): ScanOutcome =
    try {
        scan(buffer)
    } catch (e: ImageGuardException.NeedsPlatformDecode) {
        scanDecoded(e) { ByteBufferInputStream(buffer.duplicate()) }
    }

private suspend fun ImageGuard.scanWithFallback(bytes: ByteBuffer, open: () -> InputStream): ScanOutcome =
    try {
        scan(bytes)
    } catch (e: ImageGuardException.NeedsPlatformDecode) {
        scanDecoded(e, open)
    }

/** The platform fallback: BitmapFactory's pixels, scanned perceptually; [cause] again if it cannot decode. */
private suspend fun ImageGuard.scanDecoded(cause: ImageGuardException, open: () -> InputStream): ScanOutcome {
    // A file that cannot be reopened for the platform decoder fails like one it cannot decode: closed.
    val bitmap = withContext(dispatcher) {
        try {
            decodeSampled(open)
        } catch (e: IOException) {
            null
        } catch (e: SecurityException) {
            null
        }
    } ?: throw cause
    return try {
        scanBitmap(bitmap)
    } finally {
        bitmap.recycle()
    }
}

/** BitmapFactory's decode at the largest power-of-two reduction whose short side is still >= 512. */
internal fun decodeSampled(open: () -> InputStream): Bitmap? {
    val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
    open().use { BitmapFactory.decodeStream(it, null, bounds) }
    if (minOf(bounds.outWidth, bounds.outHeight) <= 0) return null
    val options = BitmapFactory.Options().apply {
        inSampleSize = sampleSizeFor(bounds.outWidth, bounds.outHeight)
        inPreferredConfig = Bitmap.Config.ARGB_8888
    }
    return open().use { BitmapFactory.decodeStream(it, null, options) }
}

/** The largest power-of-two reduction of a [width] x [height] image whose short side is still >= 512. */
internal fun sampleSizeFor(width: Int, height: Int): Int {
    val shortSide = minOf(width, height)
    var sample = 1
    while (shortSide / (sample * 2) >= MIN_SHORT_SIDE) sample *= 2
    return sample
}

/** A buffer's remaining bytes as a stream, for the platform decoder. */
private class ByteBufferInputStream(private val buffer: ByteBuffer) : InputStream() {
    override fun read(): Int = if (buffer.hasRemaining()) buffer.get().toInt() and 0xff else -1

    override fun read(b: ByteArray, off: Int, len: Int): Int {
        if (len == 0) return 0
        if (!buffer.hasRemaining()) return -1
        val n = minOf(len, buffer.remaining())
        buffer.get(b, off, n)
        return n
    }
}

private fun ContentResolver.readLimited(uri: Uri): ByteBuffer {
    val descriptor = openAssetFileDescriptor(uri, "r") ?: throw IOException("cannot open $uri")
    return descriptor.use { afd ->
        // The channel fast path reads from the descriptor's start: only for whole files (offset 0).
        val whole = afd.startOffset == 0L && afd.length != AssetFileDescriptor.UNKNOWN_LENGTH
        val length = if (whole) afd.length else -1L
        afd.createInputStream().use { it.readDirect(length) }
    }
}

/** Reads a whole stream into a direct buffer (zero-copy into Rust), refusing more than [MAX_FILE_BYTES]. */
private fun InputStream.readDirect(knownLength: Long): ByteBuffer {
    if (knownLength > MAX_FILE_BYTES) throw tooLarge("the file is $knownLength bytes, over the $MAX_FILE_BYTES byte limit")
    if (this is FileInputStream && knownLength >= 0) {
        val buffer = ByteBuffer.allocateDirect(knownLength.toInt())
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) Unit
        buffer.flip()
        return buffer
    }
    val bytes = readNBytesCompat(MAX_FILE_BYTES + 1)
    if (bytes.size > MAX_FILE_BYTES) throw tooLarge("the file is over the $MAX_FILE_BYTES byte limit")
    return ByteBuffer.allocateDirect(bytes.size).apply {
        put(bytes)
        flip()
    }
}

private fun tooLarge(why: String) = ImageGuardException.Decode(DecodeErrorKind.INPUT_TOO_LARGE, "could not decode the image: $why")

private fun InputStream.readNBytesCompat(limit: Long): ByteArray {
    val out = java.io.ByteArrayOutputStream()
    val chunk = ByteArray(64 * 1024)
    var total = 0L
    while (total < limit) {
        val n = read(chunk, 0, minOf(chunk.size.toLong(), limit - total).toInt())
        if (n < 0) break
        out.write(chunk, 0, n)
        total += n
    }
    return out.toByteArray()
}
