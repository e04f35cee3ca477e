package org.imageguard

import java.io.File
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.ScanOutcome

/**
 * One image of a batch: its [index] among [total] (progress is `index + 1` of `total`), the [input], and
 * either its [outcome] or the [error] that image failed with (a failing image does not stop the batch).
 */
class BatchItem<T>(val input: T, val index: Int, val total: Int, val outcome: ScanOutcome?, val error: ImageGuardException?)

/**
 * Scans [inputs] one after another as a cold [Flow], with [scanOne] (any of the scanner's calls). The
 * scans run in the collector's coroutine, one at a time, each on the SDK's dispatcher: cancelling the
 * collector (or `take(n)`, `first { }`) stops the batch within the image being scanned, and nothing
 * later is read or decoded.
 */
fun <T> ImageGuard.scanBatch(inputs: List<T>, scanOne: suspend ImageGuard.(T) -> ScanOutcome): Flow<BatchItem<T>> = flow {
    inputs.forEachIndexed { index, input ->
        currentCoroutineContext().ensureActive()
        val item = try {
            BatchItem(input, index, inputs.size, scanOne(input), null)
        } catch (e: ImageGuardException) {
            BatchItem(input, index, inputs.size, null, e)
        }
        emit(item)
    }
}

/** [scanBatch] over files (read by the library). */
fun ImageGuard.scanFiles(files: List<File>): Flow<BatchItem<File>> = scanBatch(files) { scanFile(it.path) }

/** [scanBatch] over encoded images in memory. */
fun ImageGuard.scanImages(images: List<ByteArray>): Flow<BatchItem<ByteArray>> = scanBatch(images) { scan(it) }
