package org.imageguard.test

import java.io.File
import java.nio.file.Files
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.imageguard.ImageGuard
import org.imageguard.open
import org.imageguard.saveState
import org.imageguard.scanBatch
import org.imageguard.scanImages
import org.imageguard.updateBundleFile
import org.imageguard.ffi.ImageGuardException
import org.imageguard.ffi.SaveStep
import org.imageguard.ffi.ScanOutcome
import org.imageguard.ffi.ScannerConfig
import org.imageguard.ffi.debugCrashNextSave
import org.imageguard.ffi.debugPeakConcurrentScans
import org.imageguard.ffi.lowMemoryDecodeLimits
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/** SDK-owned state, batch flows and resource control (issue 16, items 4 and 5), on the real library. */
class SdkTest {
    private val fixtures = File(System.getenv("IMAGEGUARD_FIXTURES") ?: "fixtures")
    private fun fixture(name: String) = File(fixtures, name)

    private fun config(maxConcurrentScans: UInt = 0u) = ScannerConfig(
        trustedKeys = listOf(fixture("provider.pub").readBytes()),
        locale = "en",
        reportContext = ByteArray(0),
        bundleIds = listOf("fixtures"),
        maxConcurrentScans = maxConcurrentScans,
    )

    private val key = ImageGuard.newDeviceKey()

    private fun openIn(dir: File, bootstrap: File? = null) = runBlocking { ImageGuard.open(dir, config(), bootstrap, key) }

    @Test
    fun openBootstrapsUpdatesFromFilesAndReopens() {
        val dir = Files.createTempDirectory("imageguard-store").toFile()
        try {
            openIn(dir, fixture("bundle-v1.bin")).use { guard ->
                assertEquals(1uL, guard.bundleInfo.sequence)
                assertEquals(2uL, runBlocking { guard.updateBundleFile(fixture("bundle-v2.bin")) }.sequence)
                runBlocking { guard.saveState() }
            }
            openIn(dir).use { assertEquals(2uL, it.bundleInfo.sequence) }
            openIn(dir, fixture("bundle-v1.bin")).use { assertEquals("no rollback by the shipped bundle", 2uL, it.bundleInfo.sequence) }
        } finally {
            dir.deleteRecursively()
        }
    }

    @Test
    fun aCrashBetweenAnyTwoWritesReopensAndUpdatesAgain() {
        for (step in SaveStep.values()) {
            val dir = Files.createTempDirectory("imageguard-crash").toFile()
            try {
                openIn(dir, fixture("bundle-v1.bin")).use { guard ->
                    debugCrashNextSave(guard.scanner, step)
                    try {
                        runBlocking { guard.updateBundleFile(fixture("bundle-v2.bin")) }
                        fail("$step: the simulated crash must fail the update")
                    } catch (e: ImageGuardException.InvalidState) {
                        assertTrue(e.message!!.isNotEmpty())
                    }
                }
                val expected = if (step == SaveStep.BUNDLE_STAGED || step == SaveStep.PREVIOUS_KEPT) 1uL else 2uL
                openIn(dir).use { reopened ->
                    assertEquals("$step", expected, reopened.bundleInfo.sequence)
                    try {
                        runBlocking { reopened.updateBundleFile(fixture("bundle-v2.bin")) }
                    } catch (e: ImageGuardException.BundleRejected) {
                        assertEquals("$step: only an installed v2 refuses itself", 2uL, expected)
                    }
                    assertEquals(2uL, reopened.bundleInfo.sequence)
                }
            } finally {
                dir.deleteRecursively()
            }
        }
    }

    @Test
    fun batchFlowReportsProgressAndCancellationStopsWithinOneImage() = runBlocking {
        openIn(Files.createTempDirectory("imageguard-batch").toFile().apply { deleteOnExit() }, fixture("bundle-v1.bin")).use { guard ->
            val known = fixture("known.jpg").readBytes()
            val items = guard.scanImages(listOf(known, fixture("unrelated.jpg").readBytes(), known.copyOf(50))).toList()
            assertEquals(listOf(0, 1, 2), items.map { it.index })
            assertTrue(items.all { it.total == 3 })
            assertTrue(items[0].outcome is ScanOutcome.Match)
            assertEquals(ScanOutcome.NoMatch, items[1].outcome)
            assertTrue("a failing image is an item, not the end", items[2].error is ImageGuardException.Decode)

            // Cancel while the second image is being scanned: no third scan starts.
            val started = AtomicInteger()
            val secondStarted = CountDownLatch(1)
            val many = List(50) { fixture("unrelated.jpg").readBytes() }
            val job = launch(Dispatchers.Default) {
                guard.scanBatch(many) { bytes ->
                    if (started.incrementAndGet() == 2) secondStarted.countDown()
                    scan(bytes)
                }.collect { }
            }
            secondStarted.await()
            job.cancelAndJoin()
            assertTrue("scans started after cancelling: ${started.get()}", started.get() <= 3)
        }
    }

    @Test
    fun maxConcurrentScansBoundsScansInFlight() = runBlocking {
        val bytes = fixture("unrelated.jpg").readBytes()
        // The facade scans on Dispatchers.Default (at least 2 threads), so unbounded scans overlap by 2 or more.
        for ((bound, expectOverlap) in listOf(1u to false, 0u to true)) {
            ImageGuard.open(fixture("bundle-v1.bin").readBytes(), config(bound), deviceKey = key).use { guard ->
                (1..6).map { async(Dispatchers.Default) { repeat(4) { guard.scan(bytes) } } }.awaitAll()
                val peak = debugPeakConcurrentScans(guard.scanner)
                if (expectOverlap) assertTrue("unbounded: scans overlap ($peak)", peak >= 2uL)
                else assertTrue("peak $peak over the bound $bound", peak in 1uL..bound.toULong())
            }
        }
    }

    @Test
    fun theSdkDispatcherHoldsAtMostMaxConcurrentScansThreads() = runBlocking {
        // Dispatchers.Default has at least 2 threads, so an unbounded dispatcher would run 2 blocks at once.
        for ((bound, expectedPeak) in listOf(1u to 1, 0u to 2)) {
            ImageGuard.open(fixture("bundle-v1.bin").readBytes(), config(bound), deviceKey = key).use { guard ->
                val inFlight = AtomicInteger()
                val peak = AtomicInteger()
                (1..8).map {
                    async(Dispatchers.Default) {
                        withContext(guard.dispatcher) {
                            peak.accumulateAndGet(inFlight.incrementAndGet(), ::maxOf)
                            Thread.sleep(30)
                            inFlight.decrementAndGet()
                        }
                    }
                }.awaitAll()
                assertEquals("bound $bound", expectedPeak, peak.get())
            }
        }
    }

    @Test
    fun lowMemoryPresetScansAPhoto() = runBlocking {
        val config = config().copy(decodeLimits = lowMemoryDecodeLimits(), maxConcurrentScans = 1u)
        ImageGuard.open(fixture("bundle-v1.bin").readBytes(), config, deviceKey = key).use { guard ->
            assertTrue(guard.scan(fixture("known.jpg").readBytes()) is ScanOutcome.Match)
        }
    }
}
