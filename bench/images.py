"""Photo normalisation: one EXIF-rotated 12 MP phone JPEG, three ways, in one run.

- ``certdesk``: ``bot.images.normalise`` (JPEG draft mode, quality checks, ≤ 2000 px, ≤ 1 MB);
- ``certdesk without draft``: the same pipeline decoding every pixel;
- ``naive Pillow``: open → exif_transpose → thumbnail(2000) → save JPEG.

Prints the median time per photo and each path's peak memory (resident set growth of a fresh
process normalising one photo: Pillow's pixel buffers are not seen by tracemalloc).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from PIL import Image, ImageOps

from bot.images import MAX_LONG_SIDE, normalise
from tests.photos import phone_photo

RUNS = 15
TARGET_MS = 60.0
TARGET_SPEEDUP = 3.5


def naive(data: bytes) -> bytes:
    """What one writes first with Pillow: decode everything, rotate, shrink, save."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    image.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def certdesk(data: bytes) -> bytes:
    return normalise(data).jpeg


def certdesk_without_draft(data: bytes) -> bytes:
    return normalise(data, draft=False).jpeg


PATHS: dict[str, Callable[[bytes], bytes]] = {
    "certdesk": certdesk,
    "certdesk without draft": certdesk_without_draft,
    "naive Pillow": naive,
}


def timings_ms(path: Callable[[bytes], bytes], data: bytes) -> tuple[float, float]:
    """Median and fastest wall time of ``RUNS`` runs after one warm-up."""
    path(data)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        path(data)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _peak_child(name: str, data: bytes, answer: Connection) -> None:
    # A fresh process inherits its parent's high-water mark: reset it (Linux ≥ 4.0) first.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status_kib("VmRSS")
    PATHS[name](data)
    answer.send((_status_kib("VmHWM") - before) / 1024)
    answer.close()


def peak_mb(name: str, data: bytes) -> float:
    """Peak resident memory added by normalising one photo in a fresh process."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_peak_child, args=(name, data, sender))
    process.start()
    peak = float(receiver.recv())
    process.join()
    return peak


async def main() -> None:
    """Run the three paths on the same photo and print the figures."""
    data = phone_photo()
    with Image.open(io.BytesIO(data)) as probe:
        size = probe.size
    print(f"input: {size[0]}x{size[1]} JPEG, EXIF orientation 6, {len(data) / 1e6:.1f} MB")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    results = {name: (*timings_ms(path, data), peak_mb(name, data)) for name, path in PATHS.items()}
    for name, (ms, fastest, mb) in results.items():
        print(f"{name:24} median {ms:6.1f} ms (fastest {fastest:6.1f})   peak +{mb:5.1f} MB")
    ours, _, ours_mb = results["certdesk"]
    naive_ms, _, naive_mb = results["naive Pillow"]
    speedup = naive_ms / ours
    print(f"draft mode speed-up: {results['certdesk without draft'][0] / ours:.1f}x")
    less = naive_mb / max(ours_mb, 0.1)
    print(f"against naive Pillow: {speedup:.1f}x faster, {less:.1f}x less peak memory")
    met = ours <= TARGET_MS and speedup >= TARGET_SPEEDUP and ours_mb < naive_mb
    targets = f"≤ {TARGET_MS:.0f} ms, ≥ {TARGET_SPEEDUP}x faster, less memory"
    print(f"targets ({targets}): {'met' if met else 'NOT met'}")
