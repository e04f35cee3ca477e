package org.imageguard

import java.io.IOException
import org.imageguard.ffi.ImageGuardException

// The SDK throws only `ImageGuardException`s: what the platform throws while the Kotlin layer reads files
// or checks arguments is wrapped here, so that an app needs one `catch` and can act on the variant (and its
// `reason`) without ever reading a message. The original exception is kept as the `cause`. Each `detail`
// is a whole sentence that starts like the library's own ("invalid argument: ...").

/** Runs [block], turning I/O and permission failures into [ImageGuardException.Io] (cause kept). */
internal inline fun <T> readingFiles(what: String, block: () -> T): T =
    try {
        block()
    } catch (e: IOException) {
        throw ioError(what, e)
    } catch (e: SecurityException) {
        throw ioError(what, e)
    }

internal fun ioError(what: String, cause: Throwable? = null): ImageGuardException =
    ImageGuardException.Io("could not read the file: $what${cause?.let { ": ${it.message ?: it.javaClass.simpleName}" } ?: ""}").also { error ->
        cause?.let { error.initCause(it) }
    }

/** An [ImageGuardException.InvalidArgument] unless [condition] holds. */
internal inline fun requireArgument(condition: Boolean, detail: () -> String) {
    if (!condition) throw ImageGuardException.InvalidArgument("invalid argument: ${detail()}")
}
