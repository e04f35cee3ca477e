"""Python tests of the generated imageguard bindings, against the real library (libimageguard_ffi.so).

Run by scripts/test-bindings with the generated imageguard_ffi.py and the .so in PYTHONPATH. Each test checks
behaviour a Python caller relies on: values round-trip, failures raise ImageGuardError subclasses with a
readable message, the logger is called, calls are thread-safe, objects are freed, panics become errors.
"""

import gc
import os
import threading
import time
import unittest

import imageguard_ffi as ig

BUNDLE_SEQ = 7
FIXTURES = os.environ.get("IMAGEGUARD_FIXTURES", "fixtures")


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def config(**changes):
    fields = dict(trusted_keys=[fixture("provider.pub")], threshold=1, locale="fr-CA", region=None,
                  overrides=ig.AppOverrides(), report_context=b"surface=python-test", bundle_ids=["fixtures"])
    fields.update(changes)
    return ig.ScannerConfig(**fields)


def scanner(device_key=None, locale="fr-CA", bundle="bundle-v1.bin", trust_state=b"", **changes):
    # The fixtures' policy reports, which needs a device key.
    device_key = device_key or ig.DeviceKey.generate()
    return ig.Scanner(fixture(bundle), config(locale=locale, **changes), trust_state, b"", device_key)


# The 8 small-order points include the identity (y = 1); y = p is a non-canonical encoding of y = 0.
IDENTITY_KEY = b"\x01" + bytes(31)
NON_CANONICAL_KEY = b"\xed" + b"\xff" * 30 + b"\x7f"
ORDER_8_KEY = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")


def perceptual_entry():
    return ig.MatchedEntry.PERCEPTUAL(hash_hex="f0" * 32, variant=ig.Variant.ROTATE90, strength=ig.MatchStrength.STRONG)


def gradient(width, height, channels):
    """A smooth synthetic image with structure in both directions (PDQ quality well above 50)."""
    out = bytearray(width * height * channels)
    for y in range(height):
        for x in range(width):
            v = (x * 255 // width + (y // 16 % 2) * 96 + (x // 32 % 2) * 64) % 256
            i = (y * width + x) * channels
            out[i:i + channels] = bytes([v] * channels) if channels != 4 else bytes([v, v, v, 255])
    return bytes(out)


class Recorder(ig.Logger):
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    def log(self, level, message):
        with self.lock:
            self.messages.append((level, message))


class KeysAndReports(unittest.TestCase):
    def test_round_trip_verifies_and_tamper_is_rejected(self):
        key = ig.DeviceKey.generate()
        self.assertEqual(len(key.public_key()), 32)
        self.assertEqual(len(key.key_id()), 16)
        report = key.sign_report(1_700_000_123, "bundle-a", "list-1", BUNDLE_SEQ, perceptual_entry(), b"ctx")
        record = ig.verify_report(report, [key.public_key()])
        self.assertEqual(record.bundle_id, "bundle-a")
        self.assertEqual(record.list_id, "list-1")
        self.assertEqual(record.bundle_sequence, BUNDLE_SEQ)
        self.assertEqual(record.created_unix_seconds, 1_700_000_123 // 60 * 60)
        self.assertEqual(record.context, b"ctx")
        self.assertEqual(record.device_key_id_hex, key.key_id())
        self.assertEqual(record.entry, perceptual_entry())

        tampered = bytearray(report)
        tampered[30] ^= 1
        with self.assertRaises(ig.ImageGuardError.ReportRejected) as caught:
            ig.verify_report(bytes(tampered), [key.public_key()])
        self.assertIn("signature is invalid", caught.exception.detail)

        other = ig.DeviceKey.generate()
        with self.assertRaises(ig.ImageGuardError.ReportRejected) as caught:
            ig.verify_report(report, [other.public_key()])
        self.assertIn("not trusted", caught.exception.detail)

    def test_pkcs8_round_trip_keeps_the_key(self):
        key = ig.DeviceKey.generate()
        again = ig.DeviceKey.from_pkcs8(key.to_pkcs8())
        self.assertEqual(again.public_key(), key.public_key())
        self.assertEqual(again.key_id(), key.key_id())

    def test_bad_input_raises_with_a_readable_message(self):
        with self.assertRaises(ig.ImageGuardError.InvalidKey) as caught:
            ig.DeviceKey.from_pkcs8(b"not a key")
        self.assertIn("PKCS#8", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.ReportRejected) as caught:
            ig.verify_report(b"garbage", [])
        self.assertEqual(caught.exception.reason, ig.ReportRejectReason.MALFORMED)
        self.assertIn("bad magic", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.InvalidKey) as caught:
            ig.verify_report(b"IGRP", [b"short"])
        self.assertIn("32 bytes", caught.exception.detail)
        key = ig.DeviceKey.generate()
        bad_entry = ig.MatchedEntry.EXACT(kind=ig.HashKind.SHA256, hash_hex="abcd")
        with self.assertRaises(ig.ImageGuardError.InvalidArgument) as caught:
            key.sign_report(0, "b", "l", 1, bad_entry, b"")
        self.assertIn("32 bytes", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.InvalidArgument) as caught:
            key.sign_report(0, "b", "l", 1, perceptual_entry(), bytes(5000))
        self.assertIn("context", caught.exception.detail)


class Hashing(unittest.TestCase):
    def test_pixels_hash_the_same_in_every_layout(self):
        w, h = 64, 48
        gray = ig.pdq_hash_pixels(gradient(w, h, 1), w, h, w, ig.PixelFormat.GRAY8)
        rgba = ig.pdq_hash_pixels(gradient(w, h, 4), w, h, w * 4, ig.PixelFormat.RGBA8)
        padded = b"".join(row + b"\0" * 8 for row in (gradient(w, h, 3)[i * w * 3:(i + 1) * w * 3] for i in range(h)))
        rgb = ig.pdq_hash_pixels(padded, w, h, w * 3 + 8, ig.PixelFormat.RGB8)
        self.assertEqual(len(gray.hash_hex), 64)
        self.assertGreaterEqual(gray.quality, 50)
        self.assertEqual(gray, rgba)
        self.assertEqual(gray, rgb)
        flat = ig.pdq_hash_pixels(bytes(w * h), w, h, w, ig.PixelFormat.GRAY8)
        self.assertLess(flat.quality, 50)

    def test_bad_pixels_and_images_raise(self):
        with self.assertRaises(ig.ImageGuardError.InvalidArgument) as caught:
            ig.pdq_hash_pixels(bytes(10), 64, 48, 64, ig.PixelFormat.GRAY8)
        self.assertIn("needed", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.InvalidArgument) as caught:
            ig.pdq_hash_pixels(bytes(100), 10, 10, 5, ig.PixelFormat.RGBA8)
        self.assertIn("stride", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.NeedsPlatformDecode) as caught:
            ig.pdq_hash_image(b"definitely not an image")
        self.assertIn("unsupported image format", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.NeedsPlatformDecode) as caught:
            ig.pdq_hash_image(b"\0\0\0\x18ftypheic" + bytes(64))
        self.assertIn("HEIF", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.Decode):
            ig.pdq_hash_image(b"")


class Bridge(unittest.TestCase):
    def test_logger_receives_imageguard_messages(self):
        recorder = Recorder()
        ig.set_logger(recorder, ig.LogLevel.DEBUG)
        try:
            ig.DeviceKey.generate()
            with self.assertRaises(ig.ImageGuardError.ReportRejected):
                ig.verify_report(b"garbage", [])
        finally:
            ig.clear_logger()
        texts = [m for _, m in recorder.messages]
        self.assertIn("generated a device key", texts)
        self.assertTrue(any(level == ig.LogLevel.WARN and "bad magic" in m for level, m in recorder.messages), texts)
        count = len(recorder.messages)
        ig.DeviceKey.generate()
        self.assertEqual(len(recorder.messages), count, "no messages after clear_logger")

    def test_induced_panic_is_an_internal_error(self):
        with self.assertRaises(ig.ImageGuardError.Internal) as caught:
            ig.debug_induce_panic()
        self.assertIn("deliberate panic", caught.exception.detail)
        # The library still works afterwards.
        self.assertEqual(len(ig.DeviceKey.generate().public_key()), 32)

    def test_concurrent_calls_from_threads(self):
        key = ig.DeviceKey.generate()
        errors = []

        def worker(n):
            try:
                for i in range(50):
                    report = key.sign_report(i * 60, "b", "l", n, perceptual_entry(), bytes([n]))
                    record = ig.verify_report(report, [key.public_key()])
                    assert record.bundle_sequence == n and record.context == bytes([n])
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_objects_are_freed(self):
        gc.collect()
        before = ig.live_object_count()
        held = [ig.DeviceKey.generate() for _ in range(100)]
        self.assertEqual(ig.live_object_count(), before + 100)
        del held
        gc.collect()
        self.assertEqual(ig.live_object_count(), before)
        rss_before = rss_kib()
        for _ in range(10_000):
            ig.DeviceKey.generate()
        gc.collect()
        self.assertEqual(ig.live_object_count(), before)
        self.assertLess(rss_kib() - rss_before, 8 * 1024, "RSS grew by more than 8 MiB over 10k keys")


class TypedErrors(unittest.TestCase):
    """Each ImageGuardError variant an app can meet here, told apart by its type and reason, never by text."""

    def assert_error(self, variant, call, prefix, **fields):
        with self.assertRaises(variant) as caught:
            call()
        for name, value in fields.items():
            self.assertEqual(getattr(caught.exception, name), value, name)
        self.assertTrue(caught.exception.detail.startswith(prefix), caught.exception.detail)
        return caught.exception

    def test_bundle_rejected_reasons(self):
        R = ig.BundleRejectReason
        rejected = ig.ImageGuardError.BundleRejected
        self.assert_error(rejected, lambda: scanner(bundle="known.jpg"), "bundle refused: ", reason=R.MALFORMED)
        stranger = config(trusted_keys=[ig.DeviceKey.generate().public_key()])
        self.assert_error(rejected, lambda: ig.Scanner(fixture("bundle-v1.bin"), stranger, b"", b"", ig.DeviceKey.generate()),
                          "bundle refused: ", reason=R.NOT_ENOUGH_SIGNATURES)
        self.assert_error(rejected, lambda: scanner(bundle_ids=["acme-csam"]), "bundle refused: ", reason=R.WRONG_BUNDLE_ID)
        s = scanner(bundle="bundle-v2.bin")
        self.assert_error(rejected, lambda: s.update_bundle(fixture("bundle-v1.bin")), "bundle refused: ", reason=R.ROLLBACK)
        self.assert_error(rejected, lambda: s.apply_delta(fixture("delta-v1-v2.bin")), "bundle refused: ", reason=R.WRONG_BASE)
        self.assertEqual(s.bundle_info().sequence, 2, "a refused update changes nothing")

    def test_decode_kinds_and_platform_reasons(self):
        self.assert_error(ig.ImageGuardError.Decode, lambda: ig.pdq_hash_image(b""), "could not decode the image: ",
                          kind=ig.DecodeErrorKind.EMPTY)
        self.assert_error(ig.ImageGuardError.NeedsPlatformDecode, lambda: ig.pdq_hash_image(b"\0\0\0\x18ftypheic" + bytes(64)),
                          "could not decode the image: ", reason=ig.PlatformDecodeReason.HEIF)
        self.assert_error(ig.ImageGuardError.NeedsPlatformDecode, lambda: ig.pdq_hash_image(b"II*\0\x08\0\0\0" + bytes(64)),
                          "could not decode the image: ", reason=ig.PlatformDecodeReason.TIFF)
        self.assert_error(ig.ImageGuardError.NeedsPlatformDecode, lambda: ig.pdq_hash_image(b"not an image"),
                          "could not decode the image: ", reason=ig.PlatformDecodeReason.UNKNOWN_FORMAT)

    def test_report_rejected_reasons(self):
        key = ig.DeviceKey.generate()
        report = key.sign_report(0, "b", "l", 1, perceptual_entry(), b"")
        R = ig.ReportRejectReason
        tampered = report[:30] + bytes([report[30] ^ 1]) + report[31:]
        self.assert_error(ig.ImageGuardError.ReportRejected, lambda: ig.verify_report(tampered, [key.public_key()]),
                          "report rejected: ", reason=R.BAD_SIGNATURE)
        self.assert_error(ig.ImageGuardError.ReportRejected, lambda: ig.verify_report(report, [ig.DeviceKey.generate().public_key()]),
                          "report rejected: ", reason=R.UNTRUSTED_KEY)
        self.assert_error(ig.ImageGuardError.ReportRejected, lambda: ig.verify_report(b"garbage", []),
                          "report rejected: ", reason=R.MALFORMED)

    def test_confirmation_rejected_reasons(self):
        s = scanner(bundle="bundle-confirm.bin", bundle_ids=["fixtures-confirm"])
        lists = fixture("platform-lists.bin")
        first = s.scan_bytes(fixture("known.jpg")).pending
        second = s.scan_bytes(fixture("known.jpg")).pending
        answer = ig.platform_answer(lists, first.request_bytes())
        R = ig.ConfirmationRejectReason
        rejected = ig.ImageGuardError.ConfirmationRejected
        self.assert_error(rejected, lambda: s.confirm(second, answer), "confirmation refused: ", reason=R.NONCE_MISMATCH)
        self.assert_error(rejected, lambda: s.confirm(first, answer[:10]), "confirmation refused: ", reason=R.MALFORMED)
        self.assertTrue(s.confirm(first, answer).is_MATCH())
        self.assert_error(rejected, lambda: s.confirm(first, answer), "confirmation refused: ", reason=R.ALREADY_USED)

    def test_the_other_variants(self):
        self.assert_error(ig.ImageGuardError.InvalidArgument, lambda: ig.pdq_hash_pixels(bytes(10), 64, 48, 64, ig.PixelFormat.GRAY8),
                          "invalid argument: ")
        self.assert_error(ig.ImageGuardError.InvalidKey, lambda: ig.DeviceKey.from_pkcs8(b"not a key"), "invalid key: ")
        self.assert_error(ig.ImageGuardError.InvalidState, lambda: scanner(trust_state=b"junk"), "invalid saved state: ")
        self.assert_error(ig.ImageGuardError.Io, lambda: scanner().scan_file("/nonexistent/image.jpg"), "could not read the file: ")
        self.assert_error(ig.ImageGuardError.Internal, ig.debug_induce_panic, "internal error in imageguard: ")
        # Every variant is an ImageGuardError: one `except` catches them all.
        self.assertTrue(issubclass(ig.ImageGuardError.Io, ig.ImageGuardError))


class Scanning(unittest.TestCase):
    def test_known_image_prompts_and_reports_verifiably(self):
        key = ig.DeviceKey.generate()
        outcome = scanner(key).scan_bytes(fixture("known.jpg"))
        self.assertTrue(outcome.is_MATCH(), outcome)
        self.assertEqual(outcome.kind, ig.MatchKind.EXACT(algorithm=ig.HashKind.BLAKE3))
        self.assertEqual((outcome.bundle_id, outcome.list_id, outcome.bundle_sequence), ("fixtures", "synthetic-known", 1))
        self.assertEqual(outcome.action, ig.Action.PROMPT_AND_REPORT)
        self.assertEqual(outcome.prompt.locale, "fr", "fr-CA falls back to fr")
        self.assertTrue(outcome.prompt.title and outcome.prompt.body and outcome.prompt.help_links)
        record = ig.verify_report(outcome.report, [key.public_key()])
        self.assertEqual(record.context, b"surface=python-test")
        self.assertEqual(record.bundle_id, "fixtures")
        self.assertTrue(record.entry.is_EXACT())

    def test_edited_copy_and_pixels_match_unrelated_does_not(self):
        s = scanner()
        rotated = s.scan_bytes(fixture("known-rotated.jpg"))
        self.assertTrue(rotated.is_MATCH(), rotated)
        pixels = s.scan_pixels(fixture("known.rgba"), 800, 600, 800 * 4, ig.PixelFormat.RGBA8)
        self.assertTrue(pixels.is_MATCH(), pixels)
        self.assertEqual(s.scan_bytes(fixture("unrelated.jpg")), ig.ScanOutcome.NO_MATCH())
        self.assertTrue(s.scan_file(os.path.join(FIXTURES, "unrelated.jpg")).is_NO_MATCH())
        self.assertTrue(s.scan_bytes(fixture("known-v2.jpg")).is_NO_MATCH(), "only in v2")

    def test_a_video_session_counts_a_held_frame_once_and_finishes_once(self):
        s = scanner()
        session = ig.VideoSession(s)
        known = fixture("known.rgba")
        # A listed still held for five seconds (fed at 2 fps: every other frame is skipped) is one
        # distinct frame, fewer than the policy's 3: the video is no match (the still matches as an image).
        for i in range(10):
            session.add_frame(known, 800, 600, 800 * 4, ig.PixelFormat.RGBA8, i * 500)
        self.assertEqual(session.frames_sampled(), 5)
        with self.assertRaises(ig.ImageGuardError.InvalidArgument):
            session.add_frame(known[:100], 800, 600, 800 * 4, ig.PixelFormat.RGBA8, 9000)
        outcome = session.finish()
        self.assertEqual((outcome.frames_sampled, outcome.distinct_frames), (5, 1))
        self.assertTrue(outcome.outcome.is_NO_MATCH(), outcome)
        with self.assertRaises(ig.ImageGuardError.InvalidArgument):
            session.finish()  # a session finishes once

    def test_a_known_video_is_one_video_match_and_an_unrelated_one_is_not(self):
        s = scanner(bundle="bundle-video.bin", bundle_ids=["fixtures-video"])
        frames, size = fixture("video-frames.rgba"), 320 * 240 * 4
        session = ig.VideoSession(s)
        for i in range(4):
            session.add_frame(frames[i * size:(i + 1) * size], 320, 240, 320 * 4, ig.PixelFormat.RGBA8, i * 1000)
        outcome = session.finish()
        self.assertEqual((outcome.frames_sampled, outcome.distinct_frames), (4, 4))
        self.assertTrue(outcome.outcome.is_MATCH(), outcome)
        # The very frames that were listed: their PDQ hashes are on the list exactly.
        self.assertEqual(outcome.outcome.kind, ig.MatchKind.EXACT(ig.HashKind.PDQ_EXACT))
        # Four seconds of an unrelated picture: sampled, no match.
        session = ig.VideoSession(s)
        unrelated = fixture("known.rgba")
        for i in range(4):
            session.add_frame(unrelated, 800, 600, 800 * 4, ig.PixelFormat.RGBA8, i * 1000)
        outcome = session.finish()
        self.assertEqual(outcome.frames_sampled, 4)
        self.assertTrue(outcome.outcome.is_NO_MATCH(), outcome)

    def test_confirmation_round_trip_with_the_platform_in_process(self):
        key = ig.DeviceKey.generate()
        s = scanner(key, bundle="bundle-confirm.bin", bundle_ids=["fixtures-confirm"])
        lists = fixture("platform-lists.bin")
        # The unrelated image is no candidate at all; the known one is, and nothing is shown yet.
        self.assertTrue(s.scan_bytes(fixture("unrelated.jpg")).is_NO_MATCH())
        outcome = s.scan_bytes(fixture("known.jpg"))
        self.assertTrue(outcome.is_NEEDS_CONFIRMATION(), outcome)
        pending = outcome.pending
        self.assertIsNone(pending.provisional_prompt())
        request = pending.request_bytes()
        response = ig.platform_answer(lists, request)
        # A changed byte is refused, and the handle stays usable.
        tampered = response[:-1] + bytes([response[-1] ^ 1])
        with self.assertRaises(ig.ImageGuardError.ConfirmationRejected):
            s.confirm(pending, tampered)
        confirmed = s.confirm(pending, response)
        self.assertTrue(confirmed.is_MATCH(), confirmed)
        self.assertEqual(confirmed.action, ig.Action.PROMPT_AND_REPORT)
        self.assertIsNotNone(confirmed.prompt)
        record = ig.verify_report(confirmed.report, [key.public_key()])
        self.assertEqual(record.bundle_id, "fixtures-confirm")
        with self.assertRaises(ig.ImageGuardError.ConfirmationRejected):
            s.confirm(pending, response)  # a handle confirms once
        # An answer to an earlier request (another nonce) is refused for a new one.
        again = s.scan_bytes(fixture("known.jpg")).pending
        with self.assertRaises(ig.ImageGuardError.ConfirmationRejected):
            s.confirm(again, response)

    def test_bundle_update_delta_and_rollback(self):
        s = scanner()
        info = s.bundle_info()
        self.assertEqual((info.bundle_id, info.sequence, len(info.root_hex)), ("fixtures", 1, 64))
        v2 = s.apply_delta(fixture("delta-v1-v2.bin"))
        self.assertEqual(v2.sequence, 2)
        self.assertEqual(s.bundle_bytes(), fixture("bundle-v2.bin"))
        self.assertTrue(s.scan_bytes(fixture("known-v2.jpg")).is_MATCH())
        with self.assertRaises(ig.ImageGuardError.BundleRejected) as caught:
            s.update_bundle(fixture("bundle-v1.bin"))
        self.assertIn("rollback", caught.exception.detail)
        # The saved trust state refuses v1 in a new scanner too.
        with self.assertRaises(ig.ImageGuardError.BundleRejected):
            scanner(trust_state=s.trust_state())
        self.assertEqual(scanner(bundle="bundle-v2.bin", trust_state=s.trust_state()).bundle_info().sequence, 2)

    def test_bad_bundles_config_and_images_raise(self):
        with self.assertRaises(ig.ImageGuardError.BundleRejected) as caught:
            scanner(bundle="known.jpg")
        self.assertIn("bad magic", caught.exception.detail)
        config = ig.ScannerConfig(trusted_keys=[ig.DeviceKey.generate().public_key()], threshold=1, locale="en",
                                  region=None, overrides=ig.AppOverrides(), report_context=b"", bundle_ids=["fixtures"])
        with self.assertRaises(ig.ImageGuardError.BundleRejected) as caught:
            ig.Scanner(fixture("bundle-v1.bin"), config, b"", b"", None)
        self.assertIn("signature", caught.exception.detail)
        config.threshold = 2
        with self.assertRaises(ig.ImageGuardError.InvalidArgument):
            ig.Scanner(fixture("bundle-v1.bin"), config, b"", b"", None)
        with self.assertRaises(ig.ImageGuardError.InvalidState):
            scanner(trust_state=b"junk")
        s = scanner()
        with self.assertRaises(ig.ImageGuardError.Decode):
            s.scan_bytes(fixture("known.jpg")[:100])  # cut inside the headers (a cut in the data decodes)
        with self.assertRaises(ig.ImageGuardError.Io) as caught:
            s.scan_file("/nonexistent/image.jpg")
        self.assertIn("could not read the file", caught.exception.detail)

    def test_small_order_and_non_canonical_keys_are_refused(self):
        key = ig.DeviceKey.generate()
        outcome = scanner(key).scan_bytes(fixture("known.jpg"))
        for bad in (IDENTITY_KEY, NON_CANONICAL_KEY, ORDER_8_KEY):
            with self.assertRaises(ig.ImageGuardError.InvalidKey):
                ig.verify_report(outcome.report, [bad])
            with self.assertRaises(ig.ImageGuardError.InvalidKey):
                ig.Scanner(fixture("bundle-v1.bin"), config(trusted_keys=[bad]), b"", b"", key)

    def test_only_pinned_bundle_ids_are_accepted(self):
        with self.assertRaises(ig.ImageGuardError.BundleRejected) as caught:
            scanner(bundle_ids=["acme-csam"])
        self.assertIn("bundle id", caught.exception.detail)

    def test_stale_bundles_keep_scanning_and_say_why(self):
        self.assertIsNone(scanner().bundle_info().stale)
        s = scanner(trusted_time=4_000_000_000)
        self.assertEqual(s.bundle_info().stale, ig.StaleReason.EXPIRED)
        outcome = s.scan_bytes(fixture("known.jpg"))
        self.assertEqual(outcome.action, ig.Action.PROMPT, "stale: prompts, no report")
        self.assertIsNone(outcome.report)
        s.set_trusted_time(1_000_000_000)
        self.assertEqual(s.bundle_info().stale, ig.StaleReason.NOT_YET_VALID)

    def test_misconfiguration_is_refused_at_creation(self):
        with self.assertRaises(ig.ImageGuardError.InvalidArgument) as caught:
            ig.Scanner(fixture("bundle-v1.bin"), config(), b"", b"", None)
        self.assertIn("no device key", caught.exception.detail)
        with self.assertRaises(ig.ImageGuardError.InvalidArgument):
            scanner(report_context=bytes(1025))

    def test_concurrent_scans(self):
        s = scanner()
        known, unrelated = fixture("known.jpg"), fixture("unrelated.jpg")
        results, errors = [], []

        def worker():
            try:
                for _ in range(5):
                    results.append((s.scan_bytes(known).is_MATCH(), s.scan_bytes(unrelated).is_NO_MATCH()))
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(results, [(True, True)] * 20)

    def test_scanners_are_freed(self):
        gc.collect()
        before = ig.live_object_count()
        for _ in range(200):
            scanner()
        gc.collect()
        self.assertEqual(ig.live_object_count(), before)


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    unittest.main()
