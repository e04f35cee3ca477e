package org.imageguard.test

import java.io.File
import java.nio.ByteBuffer
import java.util.Collections
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.imageguard.ImageGuard
import org.imageguard.ffi.Action
import org.imageguard.ffi.BundleRejectReason
import org.imageguard.ffi.ConfirmationRejectReason
import org.imageguard.ffi.DecodeErrorKind
import org.imageguard.ffi.DeviceKey
import org.imageguard.ffi.HashKind
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.LogLevel
import org.imageguard.ffi.MatchKind
import org.imageguard.ffi.MatchStrength
import org.imageguard.ffi.MatchedEntry
import org.imageguard.ffi.PixelFormat
import org.imageguard.ffi.PlatformDecodeReason
import org.imageguard.ffi.ReportRejectReason
import org.imageguard.ffi.ScanOutcome
import org.imageguard.ffi.ScannerConfig
import org.imageguard.ffi.StaleReason
import org.imageguard.ffi.Variant
import org.imageguard.ffi.debugInducePanic
import org.imageguard.ffi.liveObjectCount
import org.imageguard.ffi.pdqHashPixels
import org.imageguard.ffi.platformAnswer
import org.imageguard.ffi.verifyReport
import org.imageguard.toDirectBuffer
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/** The generated Kotlin bindings and the `ImageGuard` facade, on the JVM, against the real library. */
class ImageGuardTest {
    private val fixtures = File(System.getenv("IMAGEGUARD_FIXTURES") ?: "fixtures")
    private fun fixture(name: String): ByteArray = File(fixtures, name).readBytes()

    private fun config(locale: String = "fr-CA", bundleIds: List<String> = listOf("fixtures"), trustedTime: ULong? = null) = ScannerConfig(
        trustedKeys = listOf(fixture("provider.pub")),
        locale = locale,
        reportContext = "surface=kotlin-test".toByteArray(),
        bundleIds = bundleIds,
        trustedTime = trustedTime,
    )

    /** The fixtures' policy reports, which needs a device key: one is made when none is given. */
    private fun open(
        deviceKey: DeviceKey? = null,
        bundle: String = "bundle-v1.bin",
        trustState: ByteArray = ByteArray(0),
        config: ScannerConfig = config(),
    ) = runBlocking {
        // The scanner keeps its own copy of the key: the one made here is closed at once.
        val made = if (deviceKey == null) ImageGuard.newDeviceKey() else null
        try {
            ImageGuard.open(fixture(bundle), config, trustState = trustState, deviceKey = deviceKey ?: made)
        } finally {
            made?.close()
        }
    }

    private val entry = MatchedEntry.Perceptual("f0".repeat(32), Variant.ROTATE90, MatchStrength.STRONG)

    private inline fun <reified E : ImageGuardException> assertThrowsWithMessage(part: String, block: () -> Unit): E {
        try {
            block()
        } catch (e: ImageGuardException) {
            assertTrue("expected ${E::class.simpleName}, got $e", e is E)
            // The readable sentence: toString() (the Rust Display text) and the `detail` field of each variant.
            assertTrue("'$e' should contain '$part'", e.toString().contains(part))
            assertTrue("message '${e.message}' should contain '$part'", (e.message ?: "").contains(part))
            return e as E
        }
        fail("expected ${E::class.simpleName}")
        throw AssertionError()
    }

    @Test
    fun keysAndReportsRoundTrip() {
        ImageGuard.newDeviceKey().use { key ->
            assertEquals(32, key.publicKey().size)
            val report = key.signReport(1_700_000_123uL, "bundle-a", "list-1", 7uL, entry, "ctx".toByteArray().toDirectBuffer())
            val record = verifyReport(report.toDirectBuffer(), listOf(key.publicKey()))
            assertEquals("bundle-a", record.bundleId)
            assertEquals(7uL, record.bundleSequence)
            assertEquals(1_700_000_123uL / 60uL * 60uL, record.createdUnixSeconds)
            assertEquals(entry, record.entry)
            assertEquals(key.keyId(), record.deviceKeyIdHex)
            ImageGuard.importDeviceKey(key.toPkcs8()).use { again -> assertArrayEquals(key.publicKey(), again.publicKey()) }

            report[30] = (report[30].toInt() xor 1).toByte()
            assertThrowsWithMessage<ImageGuardException.ReportRejected>("signature is invalid") {
                verifyReport(report.toDirectBuffer(), listOf(key.publicKey()))
            }
        }
    }

    @Test
    fun badInputThrowsWithReadableMessages() {
        assertThrowsWithMessage<ImageGuardException.InvalidKey>("PKCS#8") { ImageGuard.importDeviceKey("nope".toByteArray()) }
        assertThrowsWithMessage<ImageGuardException.ReportRejected>("bad magic") { verifyReport(ByteArray(9).toDirectBuffer(), emptyList()) }
        assertThrowsWithMessage<ImageGuardException.InvalidArgument>("stride") {
            pdqHashPixels(ByteBuffer.allocateDirect(100), 10u, 10u, 5u, PixelFormat.RGBA8)
        }
        assertThrowsWithMessage<ImageGuardException.BundleRejected>("bad magic") {
            runBlocking { ImageGuard.open(fixture("known.jpg"), config()) }
        }
        open().use { guard ->
            // Not decodable by the core: its own exception type, for the platform fallback (no message matching).
            assertThrowsWithMessage<ImageGuardException.NeedsPlatformDecode>("unsupported image format") {
                runBlocking { guard.scan("not an image".toByteArray()) }
            }
            val heic = byteArrayOf(0, 0, 0, 0x18) + "ftypheic".toByteArray() + ByteArray(64)
            assertThrowsWithMessage<ImageGuardException.NeedsPlatformDecode>("HEIF") {
                runBlocking { guard.scan(heic) }
            }
        }
    }

    /** Asserts that [block] throws [E], and returns it: tests then check its reason, never its text. */
    private inline fun <reified E : ImageGuardException> assertThrowsVariant(block: () -> Unit): E {
        try {
            block()
        } catch (e: ImageGuardException) {
            assertTrue("expected ${E::class.simpleName}, got $e", e is E)
            return e as E
        }
        fail("expected ${E::class.simpleName}")
        throw AssertionError()
    }

    @Test
    fun bundleRejectionsCarryTheirReason() {
        fun reason(block: () -> Unit) = assertThrowsVariant<ImageGuardException.BundleRejected>(block).reason
        assertEquals(BundleRejectReason.MALFORMED, reason { open(bundle = "known.jpg") })
        val stranger = ImageGuard.newDeviceKey().use { it.publicKey() }
        assertEquals(BundleRejectReason.NOT_ENOUGH_SIGNATURES, reason { open(config = config().copy(trustedKeys = listOf(stranger))) })
        assertEquals(BundleRejectReason.WRONG_BUNDLE_ID, reason { open(config = config(bundleIds = listOf("acme-csam"))) })
        open(bundle = "bundle-v2.bin").use { guard ->
            assertEquals(BundleRejectReason.ROLLBACK, reason { runBlocking { guard.updateBundle(fixture("bundle-v1.bin")) } })
            assertEquals(BundleRejectReason.WRONG_BASE, reason { runBlocking { guard.applyDelta(fixture("delta-v1-v2.bin")) } })
            assertEquals(2uL, guard.bundleInfo.sequence)
        }
    }

    @Test
    fun decodeReportAndConfirmationErrorsCarryTheirReason() {
        open().use { guard ->
            val empty = assertThrowsVariant<ImageGuardException.Decode> { runBlocking { guard.scan(ByteArray(0)) } }
            assertEquals(DecodeErrorKind.EMPTY, empty.kind)
            val heic = byteArrayOf(0, 0, 0, 0x18) + "ftypheic".toByteArray() + ByteArray(64)
            val platform = assertThrowsVariant<ImageGuardException.NeedsPlatformDecode> { runBlocking { guard.scan(heic) } }
            assertEquals(PlatformDecodeReason.HEIF, platform.reason)
            assertTrue(platform.detail, platform.detail.startsWith("could not decode the image: "))
            val missing = assertThrowsVariant<ImageGuardException.Io> { runBlocking { guard.scanFile("/nonexistent/image.jpg") } }
            assertTrue(missing.detail, missing.detail.startsWith("could not read the file: "))
            val pixels = assertThrowsVariant<ImageGuardException.InvalidArgument> {
                runBlocking { guard.scanPixels(ByteBuffer.allocateDirect(4), 0, 1, 4) }
            }
            assertTrue(pixels.detail, pixels.detail.startsWith("invalid argument: "))
        }
        ImageGuard.newDeviceKey().use { key ->
            val report = key.signReport(0uL, "b", "l", 1uL, entry, ByteBuffer.allocateDirect(0))
            val stranger = ImageGuard.newDeviceKey().use { it.publicKey() }
            fun reason(block: () -> Unit) = assertThrowsVariant<ImageGuardException.ReportRejected>(block).reason
            assertEquals(ReportRejectReason.UNTRUSTED_KEY, reason { verifyReport(report.toDirectBuffer(), listOf(stranger)) })
            report[30] = (report[30].toInt() xor 1).toByte()
            assertEquals(ReportRejectReason.BAD_SIGNATURE, reason { verifyReport(report.toDirectBuffer(), listOf(key.publicKey())) })
            assertEquals(ReportRejectReason.MALFORMED, reason { verifyReport(ByteArray(9).toDirectBuffer(), emptyList()) })
        }
        open(bundle = "bundle-confirm.bin", config = config(bundleIds = listOf("fixtures-confirm"))).use { guard ->
            val first = (runBlocking { guard.scan(fixture("known.jpg")) } as ScanOutcome.NeedsConfirmation).pending
            val second = (runBlocking { guard.scan(fixture("known.jpg")) } as ScanOutcome.NeedsConfirmation).pending
            val answer = platformAnswer(fixture("platform-lists.bin"), first.requestBytes())
            fun reason(block: () -> Unit) = assertThrowsVariant<ImageGuardException.ConfirmationRejected>(block).reason
            assertEquals(ConfirmationRejectReason.NONCE_MISMATCH, reason { runBlocking { guard.confirm(second, answer) } })
            assertEquals(ConfirmationRejectReason.MALFORMED, reason { runBlocking { guard.confirm(first, answer.copyOf(10)) } })
            assertTrue(runBlocking { guard.confirm(first, answer) } is ScanOutcome.Match)
            assertEquals(ConfirmationRejectReason.ALREADY_USED, reason { runBlocking { guard.confirm(first, answer) } })
        }
        val state = assertThrowsVariant<ImageGuardException.InvalidState> { open(trustState = "junk".toByteArray()) }
        assertTrue(state.detail, state.detail.startsWith("invalid saved state: "))
    }

    @Test
    fun knownImagePromptsAndReportsUnrelatedDoesNot() {
        val key = ImageGuard.newDeviceKey()
        open(key).use { guard ->
            val outcome = runBlocking { guard.scan(fixture("known.jpg")) }
            assertTrue("$outcome", outcome is ScanOutcome.Match)
            val match = outcome as ScanOutcome.Match
            assertEquals(MatchKind.Exact(HashKind.BLAKE3), match.kind)
            assertEquals(Action.PROMPT_AND_REPORT, match.action)
            val prompt = assertNotNull(match.prompt).let { match.prompt!! }
            assertEquals("fr", prompt.locale)
            assertTrue(prompt.title.isNotEmpty() && prompt.helpLinks.isNotEmpty())
            val record = verifyReport(match.report!!.toDirectBuffer(), listOf(key.publicKey()))
            assertEquals("surface=kotlin-test", String(record.context))
            assertTrue(record.entry is MatchedEntry.Exact)

            assertEquals(ScanOutcome.NoMatch, runBlocking { guard.scan(fixture("unrelated.jpg")) })
            assertEquals(ScanOutcome.NoMatch, runBlocking { guard.scanFile(File(fixtures, "unrelated.jpg").path) })
            val rotated = runBlocking { guard.scan(ByteBuffer.wrap(fixture("known-rotated.jpg"))) }
            assertTrue("$rotated", rotated is ScanOutcome.Match && rotated.kind is MatchKind.Perceptual)
            val pixels = ByteBuffer.allocateDirect(800 * 600 * 4).put(fixture("known.rgba"))
            pixels.flip()
            assertTrue(runBlocking { guard.scanPixels(pixels, 800, 600, 800 * 4) } is ScanOutcome.Match)
        }
        key.close()
    }

    @Test
    fun aKnownVideoIsOneVideoMatchAndAnUnrelatedOneIsNot() {
        open(bundle = "bundle-video.bin", config = config(bundleIds = listOf("fixtures-video"))).use { guard ->
            val frames = fixture("video-frames.rgba")
            val size = 320 * 240 * 4
            guard.startVideo().use { session ->
                for (i in 0 until 4) {
                    val frame = ByteBuffer.allocateDirect(size).put(frames, i * size, size).flip() as ByteBuffer
                    session.addFrame(frame, 320u, 240u, (320 * 4).toUInt(), PixelFormat.RGBA8, (i * 1000).toULong())
                }
                val video = session.finish()
                assertEquals(4u, video.framesSampled)
                assertEquals(4u, video.distinctFrames)
                val match = video.outcome as ScanOutcome.Match
                // The very frames that were listed: their PDQ hashes are on the list exactly.
                assertEquals(MatchKind.Exact(HashKind.PDQ_EXACT), match.kind)
                assertThrowsVariant<ImageGuardException.InvalidArgument> { session.finish() } // finishes once
            }
            guard.startVideo().use { session ->
                val unrelated = fixture("known.rgba").toDirectBuffer()
                for (i in 0 until 4) session.addFrame(unrelated, 800u, 600u, (800 * 4).toUInt(), PixelFormat.RGBA8, (i * 1000).toULong())
                val video = session.finish()
                assertEquals(4u, video.framesSampled)
                assertEquals(ScanOutcome.NoMatch, video.outcome)
            }
        }
    }

    @Test
    fun confirmationRoundTripWithThePlatformInProcess() {
        val key = ImageGuard.newDeviceKey()
        open(key, bundle = "bundle-confirm.bin", config = config(bundleIds = listOf("fixtures-confirm"))).use { guard ->
            assertEquals(ScanOutcome.NoMatch, runBlocking { guard.scan(fixture("unrelated.jpg")) })
            val outcome = runBlocking { guard.scan(fixture("known.jpg")) }
            assertTrue("$outcome", outcome is ScanOutcome.NeedsConfirmation)
            val pending = (outcome as ScanOutcome.NeedsConfirmation).pending
            assertNull(pending.provisionalPrompt())
            val response = platformAnswer(fixture("platform-lists.bin"), pending.requestBytes())
            val tampered = response.copyOf().also { it[it.size - 1] = (it[it.size - 1].toInt() xor 1).toByte() }
            assertThrowsWithMessage<ImageGuardException.ConfirmationRejected>("confirmation refused") {
                runBlocking { guard.confirm(pending, tampered) }
            }
            val confirmed = runBlocking { guard.confirm(pending, response) }
            assertTrue("$confirmed", confirmed is ScanOutcome.Match)
            val match = confirmed as ScanOutcome.Match
            assertEquals(Action.PROMPT_AND_REPORT, match.action)
            val record = verifyReport(match.report!!.toDirectBuffer(), listOf(key.publicKey()))
            assertEquals("fixtures-confirm", record.bundleId)
            assertThrowsWithMessage<ImageGuardException.ConfirmationRejected>("already used") {
                runBlocking { guard.confirm(pending, response) }
            }
        }
        key.close()
    }

    @Test
    fun bundleDeltaUpdateAndRollback() {
        open().use { guard ->
            assertEquals(1uL, guard.bundleInfo.sequence)
            assertEquals(ScanOutcome.NoMatch, runBlocking { guard.scan(fixture("known-v2.jpg")) })
            val info = runBlocking { guard.applyDelta(fixture("delta-v1-v2.bin")) }
            assertEquals(2uL, info.sequence)
            assertArrayEquals(fixture("bundle-v2.bin"), guard.bundleBytes())
            assertTrue(runBlocking { guard.scan(fixture("known-v2.jpg")) } is ScanOutcome.Match)
            assertThrowsWithMessage<ImageGuardException.BundleRejected>("rollback") {
                runBlocking { guard.updateBundle(fixture("bundle-v1.bin")) }
            }
            assertThrowsWithMessage<ImageGuardException.BundleRejected>("rollback") { open(trustState = guard.trustState()) }
        }
    }

    @Test
    fun smallOrderAndNonCanonicalKeysAreRefused() {
        val identity = ByteArray(32).also { it[0] = 1 }
        val nonCanonical = ByteArray(32) { 0xff.toByte() }.also { it[0] = 0xed.toByte(); it[31] = 0x7f }
        for (bad in listOf(identity, nonCanonical)) {
            assertThrowsWithMessage<ImageGuardException.InvalidKey>("public key") {
                verifyReport(ByteArray(200).toDirectBuffer(), listOf(bad))
            }
            assertThrowsWithMessage<ImageGuardException.InvalidKey>("public key") {
                open(config = config().copy(trustedKeys = listOf(bad)))
            }
        }
    }

    @Test
    fun onlyPinnedBundleIdsAndStaleBundlesKeepScanning() {
        assertThrowsWithMessage<ImageGuardException.BundleRejected>("bundle id") {
            open(config = config(bundleIds = listOf("acme-csam")))
        }
        open(config = config(trustedTime = 4_000_000_000uL)).use { guard ->
            assertEquals(StaleReason.EXPIRED, guard.bundleInfo.stale)
            val outcome = runBlocking { guard.scan(fixture("known.jpg")) }
            assertTrue("$outcome", outcome is ScanOutcome.Match && outcome.action == Action.PROMPT && outcome.report == null)
        }
        open().use { guard -> assertNull(guard.bundleInfo.stale) }
        assertThrowsWithMessage<ImageGuardException.InvalidArgument>("no device key") {
            runBlocking { ImageGuard.open(fixture("bundle-v1.bin"), config(), deviceKey = null) }
        }
    }

    @Test
    fun loggerReceivesMessages() {
        val messages = Collections.synchronizedList(mutableListOf<Pair<LogLevel, String>>())
        ImageGuard.setLogger(LogLevel.DEBUG) { level, message -> messages.add(level to message) }
        try {
            open().use { guard -> runBlocking { guard.scan(fixture("known.jpg")) } }
        } finally {
            ImageGuard.clearLogger()
        }
        assertTrue("$messages", messages.any { it.second.contains("bundle fixtures v1 loaded") })
        // A match is logged at DEBUG at most, never INFO or WARN (issue 15).
        assertTrue("$messages", messages.any { it.first == LogLevel.DEBUG && it.second.startsWith("match (exact)") })
        assertTrue("$messages", messages.none { it.first != LogLevel.DEBUG && it.first != LogLevel.TRACE && it.second.startsWith("match") })
        val count = messages.size
        DeviceKey.generate().close()
        assertEquals("no messages after clearLogger", count, messages.size)
    }

    @Test
    fun concurrentScansFromCoroutinesAndThreads() {
        open().use { guard ->
            val known = fixture("known.jpg")
            val unrelated = fixture("unrelated.jpg")
            val results = runBlocking {
                (0 until 16).map { i ->
                    async(Dispatchers.Default) { guard.scan(if (i % 2 == 0) known else unrelated) is ScanOutcome.Match }
                }.awaitAll()
            }
            assertEquals((0 until 16).map { it % 2 == 0 }, results)
            val pool = Executors.newFixedThreadPool(4)
            val futures = (0 until 8).map { pool.submit<Boolean> { runBlocking { guard.scan(unrelated) } == ScanOutcome.NoMatch } }
            assertTrue(futures.all { it.get() })
            pool.shutdown()
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS))
        }
    }

    @Test
    fun objectsAreFreedAfterClose() {
        val before = liveObjectCount()
        // The first round warms up the JIT and the heap; a leak shows as growth over the second.
        val round = {
            repeat(10_000) { DeviceKey.generate().close() }
            repeat(100) { open().close() }
            assertEquals(before, liveObjectCount())
        }
        round()
        System.gc()
        val rss = rssKib()
        round()
        System.gc()
        val grown = rssKib() - rss
        assertTrue("RSS grew by $grown KiB over 10k keys and 100 scanners", grown < 8 * 1024)
    }

    @Test
    fun inducedPanicArrivesAsInternalError() {
        assertThrowsWithMessage<ImageGuardException.Internal>("deliberate panic") { debugInducePanic() }
        assertEquals(32, DeviceKey.generate().use { it.publicKey().size })
    }

    private fun rssKib(): Long =
        File("/proc/self/status").readLines().firstOrNull { it.startsWith("VmRSS:") }?.split(Regex("\\s+"))?.get(1)?.toLong() ?: 0
}
