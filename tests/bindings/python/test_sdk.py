"""Python tests of the SDK-owned state and resource control (issue 16, items 4 and 5), on the real library.

Run by scripts/test-bindings beside test_imageguard.py: Scanner.open keeps bundle, trust state and decision
state in a directory and survives a crash between any two writes of an update (simulated by the test-hooks
build); max_concurrent_scans bounds scans in flight; decode limits reach the core.
"""

import os
import shutil
import tempfile
import threading
import unittest

import imageguard_ffi as ig
from test_imageguard import config, fixture, FIXTURES

STEPS = [ig.SaveStep.BUNDLE_STAGED, ig.SaveStep.PREVIOUS_KEPT, ig.SaveStep.BUNDLE_INSTALLED, ig.SaveStep.TRUST_SAVED]


def path(name):
    return os.path.join(FIXTURES, name)


class DirectoryStore(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="imageguard-store-")
        self.key = ig.DeviceKey.generate()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def open(self, bootstrap=None):
        return ig.Scanner.open(os.path.join(self.dir, "state"), config(), bootstrap, self.key)

    def test_bootstraps_updates_from_files_and_reopens(self):
        s = self.open(path("bundle-v1.bin"))
        self.assertEqual(s.bundle_info().sequence, 1)
        self.assertEqual(s.update_bundle_file(path("bundle-v2.bin")).sequence, 2)
        self.assertTrue(s.scan_bytes(fixture("known-v2.jpg")).is_MATCH())
        s.save_state()
        del s
        self.assertEqual(self.open().bundle_info().sequence, 2, "reopened from the directory alone")
        # The shipped v1 cannot roll the store back.
        self.assertEqual(self.open(path("bundle-v1.bin")).bundle_info().sequence, 2)

    def test_an_empty_directory_without_a_shipped_bundle_is_refused(self):
        with self.assertRaises(ig.ImageGuardError.BundleRejected):
            self.open()

    def test_a_crash_between_any_two_writes_reopens_and_updates_again(self):
        for step in STEPS:
            with self.subTest(step=step):
                shutil.rmtree(os.path.join(self.dir, "state"), ignore_errors=True)
                s = self.open(path("bundle-v1.bin"))
                ig.debug_crash_next_save(s, step)
                with self.assertRaises(ig.ImageGuardError.InvalidState):
                    s.update_bundle_file(path("bundle-v2.bin"))
                del s  # the process dies here
                reopened = self.open()
                expected = 1 if step in (ig.SaveStep.BUNDLE_STAGED, ig.SaveStep.PREVIOUS_KEPT) else 2
                self.assertEqual(reopened.bundle_info().sequence, expected)
                try:
                    reopened.update_bundle_file(path("bundle-v2.bin"))
                except ig.ImageGuardError.BundleRejected:
                    self.assertEqual(expected, 2, "only an already-installed v2 may refuse itself")
                self.assertEqual(reopened.bundle_info().sequence, 2)


class ResourceControl(unittest.TestCase):
    def test_max_concurrent_scans_bounds_scans_in_flight(self):
        for bound, threads in ((2, 6), (0, 6)):
            s = ig.Scanner(fixture("bundle-v1.bin"), config(max_concurrent_scans=bound), b"", b"", ig.DeviceKey.generate())
            image = fixture("unrelated.jpg")
            start = threading.Barrier(threads)

            def worker():
                start.wait()
                for _ in range(4):
                    s.scan_bytes(image)

            pool = [threading.Thread(target=worker) for _ in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            peak = ig.debug_peak_concurrent_scans(s)
            if bound:
                self.assertTrue(1 <= peak <= bound, f"peak {peak} with a bound of {bound}")
            else:
                self.assertGreater(peak, 2, "unbounded: the threads overlap (shows the check can fail)")

    def test_decode_limits_reach_the_core(self):
        low = ig.low_memory_decode_limits()
        self.assertLess(low.max_decoded_bytes, ig.default_decode_limits().max_decoded_bytes)
        tiny = ig.DecodeLimits(max_encoded_bytes=1000, max_pixels=low.max_pixels,
                               max_decoded_bytes=low.max_decoded_bytes, max_jpeg_scan_blocks=low.max_jpeg_scan_blocks)
        s = ig.Scanner(fixture("bundle-v1.bin"), config(decode_limits=tiny), b"", b"", ig.DeviceKey.generate())
        with self.assertRaises(ig.ImageGuardError.Decode):
            s.scan_bytes(fixture("unrelated.jpg"))
        s = ig.Scanner(fixture("bundle-v1.bin"), config(decode_limits=low), b"", b"", ig.DeviceKey.generate())
        self.assertTrue(s.scan_bytes(fixture("known.jpg")).is_MATCH())


if __name__ == "__main__":
    unittest.main()
