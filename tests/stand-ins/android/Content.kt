// Stand-ins for android.content (developer.android.com/reference/android/content/ContentResolver).
package android.content

import android.content.res.AssetFileDescriptor
import android.net.Uri
import java.io.InputStream

abstract class ContentResolver {
    fun openInputStream(uri: Uri): InputStream? = null
    fun openAssetFileDescriptor(uri: Uri, mode: String): AssetFileDescriptor? = null
}

abstract class Context {
    /** `getContentResolver()` in Java, a property from Kotlin. */
    abstract val contentResolver: ContentResolver
    /** `getFilesDir()`: used by the examples of docs/android.md. */
    abstract val filesDir: java.io.File
}
