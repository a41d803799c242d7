"""The audio the server answers (docs/mock-server.md: "a 0.25 s 16 kHz mono WAV tone"): a
valid WAV of 16-bit samples holding a quiet sine tone whose pitch, between 220 and 660 Hz,
comes from the request's random generator."""

from __future__ import annotations

import io
import itertools
import random
import struct
import wave

import pytest

from together.mock.audio import wav_bytes


def samples_of(raw: bytes) -> tuple[tuple[int, int, int], list[int]]:
    with wave.open(io.BytesIO(raw)) as sound:
        shape = (sound.getnchannels(), sound.getsampwidth(), sound.getframerate())
        frames = sound.readframes(sound.getnframes())
    return shape, list(struct.unpack(f"<{len(frames) // 2}h", frames))


def pitch_of(samples: list[int], seconds: float) -> float:
    """Hertz, from the number of rising zero crossings."""
    rising = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    return rising / seconds


@pytest.mark.parametrize("seed", range(8))
def test_a_quarter_second_mono_16_bit_16khz_tone(seed: int) -> None:
    shape, samples = samples_of(wav_bytes(random.Random(seed)))
    assert shape == (1, 2, 16_000)
    assert len(samples) == 4_000
    assert 220 - 8 <= pitch_of(samples, 0.25) <= 660 + 8
    assert 2_900 <= max(samples) <= 3_000 and -3_000 <= min(samples) <= -2_900  # quiet
    assert samples[0] == 0  # a sine starts at zero


def test_the_length_is_the_one_asked_for() -> None:
    _, samples = samples_of(wav_bytes(random.Random(1), seconds=1.0))
    assert len(samples) == 16_000


def test_the_pitch_follows_the_generator() -> None:
    pitches = {pitch_of(samples_of(wav_bytes(random.Random(s), 1.0))[1], 1.0) for s in range(6)}
    assert len(pitches) > 1
    assert all(219 <= p <= 660 for p in pitches)
    assert wav_bytes(random.Random(3)) == wav_bytes(random.Random(3))
