"""A small valid WAV file: what the audio endpoints answer (a quiet deterministic tone)."""

from __future__ import annotations

import io
import math
import random
import struct
import wave

__all__ = ["wav_bytes"]

_RATE = 16_000


def wav_bytes(rng: random.Random, seconds: float = 0.25) -> bytes:
    """Mono 16-bit PCM at 16 kHz: a sine tone whose pitch comes from ``rng``."""
    frequency = 220 + rng.randrange(440)
    frames = int(_RATE * seconds)
    samples = (int(3000 * math.sin(2 * math.pi * frequency * i / _RATE)) for i in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()
