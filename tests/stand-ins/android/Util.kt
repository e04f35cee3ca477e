// Stand-in for android.util.Log (developer.android.com/reference/android/util/Log).
package android.util

class Log private constructor() {
    companion object {
        @JvmStatic fun v(tag: String?, msg: String): Int = 0
        @JvmStatic fun d(tag: String?, msg: String): Int = 0
        @JvmStatic fun i(tag: String?, msg: String): Int = 0
        @JvmStatic fun w(tag: String?, msg: String): Int = 0
        @JvmStatic fun e(tag: String?, msg: String): Int = 0
    }
}

// developer.android.com/reference/android/util/Size
class Size(val width: Int, val height: Int)
