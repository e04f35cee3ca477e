package org.imageguard

import java.nio.ByteBuffer
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.imageguard.ffi.BundleInfo
import org.imageguard.ffi.DeviceKey
import org.imageguard.ffi.LogLevel
import org.imageguard.ffi.Logger
import org.imageguard.ffi.PixelFormat
import org.imageguard.ffi.PendingConfirmation
import org.imageguard.ffi.ScanOutcome
import org.imageguard.ffi.Scanner
import org.imageguard.ffi.ScannerConfig
import org.imageguard.ffi.VideoSession

/**
 * The app's entry point: one instance per app (per bundle), shared by every coroutine and thread.
 *
 * Scanning decodes and hashes images, which is CPU work: every suspending call, and every platform decode
 * of the Android helpers, runs on the SDK's own [dispatcher], so it is safe to call from the main thread.
 * Nothing here touches the network;
 * the app downloads bundle updates and sends reports itself. Every failure is an `ImageGuardException`
 * subclass: decide by the subclass and its `reason`/`kind`; its `detail` (and `toString()`) is the readable
 * sentence (docs/android.md, "Errors").
 *
 * The native scanner is freed by [close] (or `use { }`); a forgotten instance is freed when collected.
 * The state blobs ([trustState], [decisionState]) and [bundleBytes] are what the app persists.
 */
class ImageGuard internal constructor(internal val scanner: Scanner, maxConcurrentScans: UInt = 0u) : AutoCloseable {

    /**
     * Where the SDK's work runs: [Dispatchers.Default], limited to `ScannerConfig.maxConcurrentScans`
     * threads when that is set. Scans over the bound wait here as suspended coroutines, holding no thread
     * (the native bound would block one), and the app's own work on `Dispatchers.Default` keeps the rest.
     */
    val dispatcher: CoroutineDispatcher =
        if (maxConcurrentScans == 0u) Dispatchers.Default else Dispatchers.Default.limitedParallelism(maxConcurrentScans.toInt().coerceAtLeast(1))

    companion object {
        /**
         * Verifies [bundle] against [config]'s trusted keys and the saved [trustState] (anti-rollback), and
         * restores the saved [decisionState] (thresholds/caps). Reports are signed with [deviceKey] if given.
         */
        suspend fun open(
            bundle: ByteArray,
            config: ScannerConfig,
            trustState: ByteArray = ByteArray(0),
            decisionState: ByteArray = ByteArray(0),
            deviceKey: DeviceKey? = null,
        ): ImageGuard = withContext(Dispatchers.Default) {
            ImageGuard(Scanner(bundle, config, trustState.toDirectBuffer(), decisionState.toDirectBuffer(), deviceKey), config.maxConcurrentScans)
        }

        /** A new report-signing key; store [DeviceKey.toPkcs8] in the Android Keystore-backed storage. */
        fun newDeviceKey(): DeviceKey = DeviceKey.generate()

        /** Re-creates a key saved with [DeviceKey.toPkcs8]. */
        fun importDeviceKey(pkcs8: ByteArray): DeviceKey = DeviceKey.fromPkcs8(pkcs8.toDirectBuffer())

        /** Sends imageguard's log messages at [level] and above to [log] (from any thread). */
        fun setLogger(level: LogLevel = LogLevel.INFO, log: (LogLevel, String) -> Unit) {
            org.imageguard.ffi.setLogger(LambdaLogger(log), level)
        }

        /** Sends imageguard's log messages to [logger] (e.g. the Android `LogcatLogger`). */
        fun setLogger(logger: Logger, level: LogLevel = LogLevel.INFO) = org.imageguard.ffi.setLogger(logger, level)

        fun clearLogger() = org.imageguard.ffi.clearLogger()
    }

    /** Scans an encoded image (JPEG, PNG, WebP, GIF, BMP): exact and perceptual matching. */
    suspend fun scan(image: ByteArray): ScanOutcome = withContext(dispatcher) {
        scanner.scanBytes(image.toDirectBuffer())
    }

    /** Like [scan], without a copy when [image] is a direct buffer (its remaining bytes are scanned). */
    suspend fun scan(image: ByteBuffer): ScanOutcome = withContext(dispatcher) {
        scanner.scanBytes(image.forFfi())
    }

    /** Reads and scans a file (within the 64 MiB input limit). */
    suspend fun scanFile(path: String): ScanOutcome = withContext(dispatcher) { scanner.scanFile(path) }

    /**
     * Scans raw pixels: [height] rows of [rowBytes] bytes, each starting with [width] pixels of [format].
     * Perceptual matching only (there are no file bytes to hash exactly).
     */
    suspend fun scanPixels(
        pixels: ByteBuffer,
        width: Int,
        height: Int,
        rowBytes: Int,
        format: PixelFormat = PixelFormat.RGBA8,
    ): ScanOutcome {
        requireArgument(width > 0 && height > 0 && rowBytes > 0) { "width, height and rowBytes must be positive" }
        return withContext(dispatcher) {
            scanner.scanPixels(pixels.forFfi(), width.toUInt(), height.toUInt(), rowBytes.toUInt(), format)
        }
    }

    /**
     * Checks the platform's answer to a [ScanOutcome.NeedsConfirmation]: send `pending.requestBytes()` to
     * the platform, pass its answer here. [ScanOutcome.Match] only when the answer proves a listed entry
     * that matches; [ScanOutcome.NoMatch] otherwise. A refused answer throws
     * `ImageGuardException.ConfirmationRejected` and the handle stays usable; offline, keep it and retry.
     */
    suspend fun confirm(pending: PendingConfirmation, response: ByteArray): ScanOutcome = withContext(dispatcher) {
        scanner.confirm(pending, response)
    }

    /** Replaces the bundle with a newer full bundle; persist [bundleBytes] and [trustState] afterwards. */
    suspend fun updateBundle(bundle: ByteArray): BundleInfo = withContext(dispatcher) { scanner.updateBundle(bundle) }

    /** Applies a delta to the active bundle; persist [bundleBytes] and [trustState] afterwards. */
    suspend fun applyDelta(delta: ByteArray): BundleInfo = withContext(dispatcher) {
        scanner.applyDelta(delta.toDirectBuffer())
    }

    /**
     * Starts scanning a video with the active bundle: feed decoded frames (about one per second) with
     * `addFrame`, then `finish()` for one outcome (see `scanVideoUri` on Android). Close it when done.
     */
    fun startVideo(): VideoSession = VideoSession(scanner)

    val bundleInfo: BundleInfo get() = scanner.bundleInfo()

    fun bundleBytes(): ByteArray = scanner.bundleBytes()

    fun trustState(): ByteArray = scanner.trustState()

    fun decisionState(): ByteArray = scanner.decisionState()

    override fun close() = scanner.close()
}

private class LambdaLogger(private val block: (LogLevel, String) -> Unit) : Logger {
    override fun log(level: LogLevel, message: String) = block(level, message)
}
