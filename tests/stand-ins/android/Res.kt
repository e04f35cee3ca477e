// Stand-in for android.content.res.AssetFileDescriptor.
package android.content.res

import java.io.Closeable
import java.io.FileInputStream

class AssetFileDescriptor private constructor() : Closeable {
    val startOffset: Long get() = 0
    val length: Long get() = UNKNOWN_LENGTH
    fun createInputStream(): FileInputStream = throw UnsupportedOperationException("stand-in")
    override fun close() {}

    companion object {
        const val UNKNOWN_LENGTH: Long = -1
    }
}
