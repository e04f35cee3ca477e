package org.imageguard.android

import android.content.Context
import android.graphics.Bitmap
import android.media.MediaMetadataRetriever
import android.net.Uri
import kotlin.coroutines.coroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.withContext
import org.imageguard.ImageGuard
import org.imageguard.ffi.DecodeErrorKind
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.PixelFormat
import org.imageguard.ffi.VideoOutcome

/** One frame per second, as vPDQ hashes videos. */
private const val FRAME_INTERVAL_US = 1_000_000L

/**
 * Scans the video behind a content:// or file:// Uri: one frame per second, decoded by
 * MediaMetadataRetriever at the video's own size (vPDQ hashes frames unresized), fed to a video session;
 * one outcome for the whole video.
 *
 * Cancellable: cancelling the calling coroutine stops between frames, frees the session and throws
 * `CancellationException` (nothing is kept about the frames seen). [onProgress] gets (frames done,
 * frames expected) after each second of video. A frame the retriever cannot produce is skipped; a video
 * it cannot open throws [ImageGuardException.Decode] (kind `CORRUPT`, the retriever's exception as the
 * cause). Frames are decoded on the SDK's [ImageGuard.dispatcher].
 */
suspend fun ImageGuard.scanVideoUri(
    context: Context,
    uri: Uri,
    onProgress: (done: Int, total: Int) -> Unit = { _, _ -> },
): VideoOutcome = withContext(dispatcher) {
    val retriever = MediaMetadataRetriever()
    try {
        try {
            retriever.setDataSource(context, uri)
        } catch (e: RuntimeException) { // IllegalArgumentException included: a Uri it cannot open
            throw ImageGuardException.Decode(DecodeErrorKind.CORRUPT, "could not decode the image: the video cannot be opened: ${e.message ?: e.javaClass.simpleName}")
                .also { it.initCause(e) }
        }
        val durationMs = retriever.extractMetadata(MediaMetadataRetriever.METADATA_KEY_DURATION)?.toLongOrNull() ?: 0L
        val total = (durationMs / 1000L + 1L).toInt()
        val session = startVideo()
        try {
            for (second in 0 until total) {
                coroutineContext.ensureActive()
                val timeUs = second * FRAME_INTERVAL_US
                val frame: Bitmap? = retriever.getFrameAtTime(timeUs, MediaMetadataRetriever.OPTION_CLOSEST)
                if (frame != null) {
                    try {
                        val pixels = frame.toRgbaPixels()
                        session.addFrame(
                            pixels.buffer,
                            pixels.width.toUInt(),
                            pixels.height.toUInt(),
                            pixels.rowBytes.toUInt(),
                            PixelFormat.RGBA8,
                            (timeUs / 1000L).toULong(),
                        )
                    } finally {
                        frame.recycle()
                    }
                }
                onProgress(second + 1, total)
            }
            coroutineContext.ensureActive()
            session.finish()
        } finally {
            session.close()
        }
    } finally {
        retriever.release()
    }
}
