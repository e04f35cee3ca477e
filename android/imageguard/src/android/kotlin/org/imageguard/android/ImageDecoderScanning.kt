package org.imageguard.android

import android.graphics.ImageDecoder
import androidx.annotation.RequiresApi
import java.io.IOException
import kotlinx.coroutines.withContext
import org.imageguard.ImageGuard
import org.imageguard.ffi.DecodeErrorKind
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.ScanOutcome
import org.imageguard.ioError

/**
 * Scans what an [ImageDecoder.Source] decodes (Android 9+): the input an app already has from
 * `ImageDecoder.createSource(...)` (a ContentResolver Uri, a File, a ByteBuffer, an asset), in any format
 * the platform decodes (HEIF/HEIC, AVIF, DNG, animated WebP's first frame...).
 *
 * Perceptual matching only: a Source hands over pixels, not the file's bytes. When the app has the bytes,
 * [scanImageBytes] / [scanUri] are better: they add exact matching and use the core's decoder first.
 *
 * The platform decodes on the SDK's [ImageGuard.dispatcher], into a software bitmap reduced by the
 * largest power of two that keeps the short side >= 512 (PDQ's working size), so a 48 MP photo never
 * becomes a full-size bitmap. A source the platform cannot decode throws [ImageGuardException.Decode]
 * (kind `CORRUPT`), one it cannot read [ImageGuardException.Io]; the platform's exception is the cause.
 */
@RequiresApi(28)
suspend fun ImageGuard.scanImageSource(source: ImageDecoder.Source): ScanOutcome {
    val bitmap = withContext(dispatcher) {
        try {
            ImageDecoder.decodeBitmap(source) { decoder, info, _ ->
                decoder.allocator = ImageDecoder.ALLOCATOR_SOFTWARE // readable pixels, not a HARDWARE bitmap
                decoder.setTargetSampleSize(sampleSizeFor(info.size.width, info.size.height))
            }
        } catch (e: ImageDecoder.DecodeException) {
            throw ImageGuardException.Decode(DecodeErrorKind.CORRUPT, "could not decode the image: ${e.message ?: "the platform decoder failed"}")
                .also { it.initCause(e) }
        } catch (e: IOException) {
            throw ioError("cannot read the image source", e)
        }
    }
    return try {
        scanBitmap(bitmap)
    } finally {
        bitmap.recycle()
    }
}
