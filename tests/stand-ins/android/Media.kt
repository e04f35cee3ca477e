// Stand-in for android.media.MediaMetadataRetriever
// (developer.android.com/reference/android/media/MediaMetadataRetriever): what VideoFrames.kt uses.
package android.media

import android.content.Context
import android.graphics.Bitmap
import android.net.Uri

class MediaMetadataRetriever : AutoCloseable {
    fun setDataSource(context: Context, uri: Uri) {}
    fun extractMetadata(keyCode: Int): String? = null
    fun getFrameAtTime(timeUs: Long, option: Int): Bitmap? = null
    fun release() {}
    override fun close() {}

    companion object {
        const val METADATA_KEY_DURATION: Int = 9
        const val OPTION_CLOSEST: Int = 3
    }
}
