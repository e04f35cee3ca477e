// Stand-ins for android.graphics: Bitmap, BitmapFactory and Rect
// (developer.android.com/reference/android/graphics/Bitmap, .../BitmapFactory).
package android.graphics

import java.io.InputStream
import java.nio.Buffer

class Rect

class Bitmap private constructor() {
    enum class Config { ALPHA_8, RGB_565, ARGB_4444, ARGB_8888, RGBA_F16, HARDWARE, RGBA_1010102 }

    // Java getters (getWidth() ...), which Kotlin code reads as properties.
    val width: Int get() = 0
    val height: Int get() = 0
    val rowBytes: Int get() = 0
    val config: Config get() = Config.ARGB_8888
    fun copy(config: Config, isMutable: Boolean): Bitmap? = null
    fun copyPixelsToBuffer(dst: Buffer) {}
    fun recycle() {}

    companion object {
        @JvmStatic
        fun createScaledBitmap(src: Bitmap, dstWidth: Int, dstHeight: Int, filter: Boolean): Bitmap = src
    }
}

class BitmapFactory {
    class Options {
        @JvmField var inJustDecodeBounds: Boolean = false
        @JvmField var inSampleSize: Int = 0
        @JvmField var inPreferredConfig: Bitmap.Config? = Bitmap.Config.ARGB_8888
        @JvmField var outWidth: Int = 0
        @JvmField var outHeight: Int = 0
    }

    companion object {
        @JvmStatic
        fun decodeStream(`is`: InputStream?, outPadding: Rect?, opts: Options?): Bitmap? = null
    }
}

// developer.android.com/reference/android/graphics/ImageDecoder (API 28): only what ImageDecoderScanning.kt uses.
class ImageDecoder private constructor() {
    abstract class Source private constructor()

    class ImageInfo private constructor() {
        val size: android.util.Size get() = android.util.Size(0, 0)
    }

    fun interface OnHeaderDecodedListener {
        fun onHeaderDecoded(decoder: ImageDecoder, info: ImageInfo, source: Source)
    }

    class DecodeException private constructor() : java.io.IOException()

    // getAllocator()/setAllocator(int), which Kotlin code reads as a property.
    var allocator: Int = ALLOCATOR_DEFAULT
    fun setTargetSampleSize(sampleSize: Int) {}

    companion object {
        const val ALLOCATOR_DEFAULT = 0
        const val ALLOCATOR_SOFTWARE = 1

        @JvmStatic
        @Throws(java.io.IOException::class)
        fun decodeBitmap(src: Source, listener: OnHeaderDecodedListener): Bitmap = throw java.io.IOException()
    }
}
