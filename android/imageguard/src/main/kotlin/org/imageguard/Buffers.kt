package org.imageguard

import java.nio.ByteBuffer

// uniffi passes `&[u8]` arguments zero-copy, which needs *direct* buffers whose data starts at their
// address: these helpers make every buffer fit. A direct buffer (e.g. filled by Bitmap.copyPixelsToBuffer
// or a FileChannel) costs no copy; a heap buffer or a ByteArray is copied once, as JNA would anyway.

/** A direct buffer holding a copy of this array. */
fun ByteArray.toDirectBuffer(): ByteBuffer = ByteBuffer.allocateDirect(size).apply {
    put(this@toDirectBuffer)
    flip()
}

/** This buffer's remaining bytes as a direct buffer starting at position 0 (no copy if already direct). */
internal fun ByteBuffer.forFfi(): ByteBuffer =
    if (isDirect) {
        slice()
    } else {
        val copy = ByteBuffer.allocateDirect(remaining())
        copy.put(duplicate())
        copy.flip()
        copy
    }
