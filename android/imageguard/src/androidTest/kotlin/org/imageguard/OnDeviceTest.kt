package org.imageguard

import android.graphics.Bitmap
import androidx.test.ext.junit.runners.AndroidJUnit4
import java.io.ByteArrayOutputStream
import org.imageguard.ffi.pdqHashImage
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Test
import org.junit.runner.RunWith

/**
 * Runs on an emulator or device (the Android workflow, .github/workflows/android.yml): the AAR's native
 * library loads through JNA for the device's ABI, signs, and hashes an image Android itself encoded. The
 * full behaviour is covered by the JVM suite (tests/bindings/kotlin); this proves the packaging.
 */
@RunWith(AndroidJUnit4::class)
class OnDeviceTest {
    @Test
    fun nativeLibraryLoadsAndMakesKeys() {
        val key = ImageGuard.newDeviceKey()
        assertEquals(32, key.publicKey().size)
        assertEquals(key.publicKey().toList(), ImageGuard.importDeviceKey(key.toPkcs8()).publicKey().toList())
    }

    @Test
    fun hashesAPngEncodedByAndroid() {
        val bitmap = Bitmap.createBitmap(256, 256, Bitmap.Config.ARGB_8888)
        for (y in 0 until 256) for (x in 0 until 256) bitmap.setPixel(x, y, if ((x / 32 + y / 32) % 2 == 0) -0x1 else -0x1000000)
        val png = ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }.toByteArray()
        val record = pdqHashImage(png)
        assertEquals(64, record.hashHex.length)
        assertNotEquals("0".repeat(64), record.hashHex)
    }
}
