package org.imageguard

import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.imageguard.ffi.BundleInfo
import org.imageguard.ffi.DeviceKey
import org.imageguard.ffi.Scanner
import org.imageguard.ffi.ScannerConfig

/**
 * Opens a scanner whose bundle, trust state and decision state the library keeps in [directory] (created if
 * needed; use one under `context.filesDir`), with crash-safe writes: the stored bundle, else the previous
 * one, else [bootstrapBundle], a bundle file shipped with the app (copy it out of the APK's assets first).
 * Bundles never pass through the app's memory: update with [updateBundleFile] or [applyDelta].
 */
suspend fun ImageGuard.Companion.open(
    directory: File,
    config: ScannerConfig,
    bootstrapBundle: File? = null,
    deviceKey: DeviceKey? = null,
): ImageGuard = withContext(Dispatchers.IO) {
    ImageGuard(Scanner.open(directory.path, config, bootstrapBundle?.path, deviceKey), config.maxConcurrentScans)
}

/**
 * Installs the full bundle in [file] (a finished download), read by the library; saved in the directory
 * when the scanner came from [open]. Nothing changes if any check fails.
 */
suspend fun ImageGuard.updateBundleFile(file: File): BundleInfo = withContext(Dispatchers.IO) {
    scanner.updateBundleFile(file.path)
}

/** Saves the decision state in the scanner's directory: call when the app goes to the background. */
suspend fun ImageGuard.saveState() = withContext(Dispatchers.IO) { scanner.saveState() }
