package org.imageguard.android

import android.util.Log
import org.imageguard.ffi.LogLevel
import org.imageguard.ffi.Logger

/**
 * Sends imageguard's log messages to Logcat. Install with `ImageGuard.setLogger(LogcatLogger(), LogLevel.INFO)`.
 * imageguard never logs hash material or anything about images that did not match.
 */
class LogcatLogger(private val tag: String = "ImageGuard") : Logger {
    override fun log(level: LogLevel, message: String) {
        when (level) {
            LogLevel.ERROR -> Log.e(tag, message)
            LogLevel.WARN -> Log.w(tag, message)
            LogLevel.INFO -> Log.i(tag, message)
            LogLevel.DEBUG -> Log.d(tag, message)
            LogLevel.TRACE -> Log.v(tag, message)
        }
    }
}
