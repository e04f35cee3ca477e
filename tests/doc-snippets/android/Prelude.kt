// The app's own names that the Kotlin examples in docs/android.md use, declared so that
// scripts/check-platform-code can compile those examples (scripts/doc-snippets wraps each one in a function).
package snippets

import android.content.Context
import android.net.Uri
import java.io.File
import org.imageguard.ImageGuard
import org.imageguard.ffi.PromptContent

val PROVIDER_PUBLIC_KEY = ByteArray(32)

/** Where the app keeps its device key (Android Keystore-backed storage in a real app). */
object store {
    var pkcs8: ByteArray? = null
}

lateinit var context: Context
lateinit var uri: Uri
lateinit var shippedBundleFile: File
lateinit var guard: ImageGuard
val delta = ByteArray(0)
val reportQueue = mutableListOf<ByteArray>()

/** The app's client of the platform's confirmation endpoint. */
object platformApi {
    suspend fun confirm(request: ByteArray): ByteArray = request
}

object log {
    fun warn(message: String) = Unit
}

fun send(uri: Uri) = Unit
fun showPrompt(prompt: PromptContent) = Unit
suspend fun downloadFullBundle(): ByteArray = ByteArray(0)
