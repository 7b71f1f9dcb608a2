#!/usr/bin/env python3
"""Render a synthetic "veracity" corpus: music pieces with exact stems and labels that are known
functions of ONE stem each, to check whether stem-level explanations (audioLIME over stemtrace's
stems) point at the stem that truly caused a label.

Standard library only (Python 3.11). External programs: fluidsynth (+ the FluidR3 GM soundfont)
renders the instrumental stems from MIDI files written here; espeak-ng sings the vocal stem one
syllable per melody note. Normally started through tools/make_veracity_corpus, which installs them.

Output (OUT_DIR):
  <piece>/{vocals,drums,bass,piano,other,mixture}.wav   22 050 Hz mono 16-bit, exactly N seconds;
                                                        mixture = sum of the five stems, sample by sample
  midi/<piece>/{drums,bass,piano,other}.mid             the MIDI that was rendered (for inspection)
  labels.csv    file,artist,style + 7 mid-level labels + arousal, valence (all on [-1, 1])
  truth.csv     label,stem: which stem generates each mid-level label
  factors.csv   the raw random factors of every piece (tempo, key, programs, ...)
  README.md     every rule, the styles, the factors, the seed and the software used

The rules (also written to README.md, see RULES below) in short:
  rhythm_stability   <- drums   2*drum_regularity - 1
  rhythm_complexity  <- drums   2*drum_density - 1
  minorness          <- piano   2*minor_fraction - 1
  tonal_stability    <- piano   2*chord_regularity - 1
  melody             <- vocals  2*stepwise_fraction - 1
  articulation       <- bass    2*staccato - 1
  dissonance         <- other   2*dissonant_fraction - 1
  arousal = clip(0.6*rhythm_complexity + 0.4*articulation)
  valence = clip(-0.7*minorness - 0.3*dissonance)

Design rule that keeps the ground truth honest: a factor changes ONLY its own stem. Everything shared
by several stems (tempo, key, chord roots, bar grid) is drawn independently of every label, and the
pitch material of the other stems is chosen so it does not leak a label: the vocal melody and the
"other" part use no chord thirds (so they carry no major/minor information), the bass plays roots,
fifths and octaves on the regular bar grid (so it carries no minorness, no tonal-stability and no
dissonance information), and the piano's voicings are plain triads (no cluster dissonance).
"""

import argparse
import array
import csv
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave

SR = 22050                      # output sample rate (Hz), mono 16-bit
TPQ = 480                       # MIDI ticks per quarter note
STEMS = ("vocals", "drums", "bass", "piano", "other")
INSTRUMENTAL = ("drums", "bass", "piano", "other")
N_ARTISTS = 8                   # pseudo-artists (group ids); artist j plays style STYLE_ORDER[j % 5]
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2")
SYLLABLES = ("la", "na", "lo", "ma", "no")
# espeak-ng voice: the female variant puts the sung line at about 140-290 Hz (-p 10..90), above the
# bass (65-123 Hz); the default male voice would sit at about 63-147 Hz, on top of the bass.
VOICE = "en+f3"

# Loudness of each stem before mixing (RMS on a [-1, 1] scale). Fixed for every piece, so the stems'
# relative levels never depend on a label.
STEM_RMS = {"vocals": 0.10, "drums": 0.10, "bass": 0.09, "piano": 0.07, "other": 0.06}

# General MIDI percussion keys (channel 10).
KICK, SIDE, SNARE, CLAP, CHH, PHH, OHH, CRASH, RIDE = 36, 37, 38, 39, 42, 44, 46, 49, 51
LTOM, MTOM, HTOM = 45, 47, 50

# ---------------------------------------------------------------------------------------------------
# Styles. Drum patterns are on a 16-step grid per 4/4 bar: base = {key: [steps]} always played;
# extras = (key, step) hits added by drum density (the first k of a per-piece shuffle).
# comp = piano chord hits (start beat, length in beats) per bar; other = "other" part hits;
# bass = (start beat, slot length in beats, interval above the root: 0 root, 7 fifth, 12 octave,
# -1 = chromatic approach to the next bar's root). Programs are GM program numbers (0-based); each
# artist picks one per stem from its style's list.
STYLES = {
    "hiphop": dict(
        tempo=(80, 98), swing=0.0,
        drums=dict(base={KICK: [0, 10], SNARE: [4, 12], CHH: [0, 2, 4, 6, 8, 10, 12, 14]},
                   extras=[(CHH, 1), (CHH, 5), (CHH, 9), (CHH, 13), (KICK, 3), (KICK, 7), (KICK, 14),
                           (SNARE, 7), (SNARE, 15), (OHH, 14), (CHH, 11), (SNARE, 9)]),
        comp=[(0, 1.5), (1.5, 2.5)],
        other=[(0, 4)],
        bass=[(0, 1.5, 0), (1.5, 1.0, 0), (2.5, 1.5, 7)],
        programs=dict(piano=[4, 5, 0], bass=[38, 33, 39], other=[89, 48, 88])),
    "rock": dict(
        tempo=(110, 140), swing=0.0,
        drums=dict(base={KICK: [0, 8], SNARE: [4, 12], CHH: [0, 2, 4, 6, 8, 10, 12, 14]},
                   extras=[(KICK, 6), (KICK, 10), (KICK, 14), (KICK, 3), (SNARE, 14), (SNARE, 15),
                           (OHH, 14), (HTOM, 13), (MTOM, 14), (LTOM, 15), (CHH, 7), (CHH, 15)]),
        comp=[(0, 1), (1, 1), (2, 1), (3, 1)],
        other=[(b / 2, 0.5) for b in range(8)],
        bass=[(b / 2, 0.5, 0) for b in range(8)],
        programs=dict(piano=[0, 16, 1], bass=[33, 34, 33], other=[29, 30, 27])),
    "jazz": dict(
        tempo=(100, 160), swing=1.0 / 6.0,      # off-beat 8ths are played a triplet 16th late
        drums=dict(base={RIDE: [0, 4, 6, 8, 12, 14], PHH: [4, 12]},
                   extras=[(SNARE, 6), (SNARE, 14), (KICK, 10), (SNARE, 11), (KICK, 0), (SNARE, 3),
                           (RIDE, 10), (RIDE, 2), (KICK, 7), (SNARE, 15), (SIDE, 12), (KICK, 15)]),
        comp=[(0, 0.75), (1.5, 0.5), (2.5, 1.0), (3.5, 0.5)],
        other=[(0, 1), (1, 1), (2, 1), (3, 1)],
        bass=[(0, 1, 0), (1, 1, 7), (2, 1, 12), (3, 1, -1)],
        programs=dict(piano=[0, 4, 11], bass=[32, 32, 33], other=[26, 27, 24])),
    "electronic": dict(
        tempo=(120, 132), swing=0.0,
        drums=dict(base={KICK: [0, 4, 8, 12], CLAP: [4, 12], OHH: [2, 6, 10, 14]},
                   extras=[(CHH, 1), (CHH, 3), (CHH, 5), (CHH, 7), (CHH, 9), (CHH, 11), (CHH, 13),
                           (CHH, 15), (KICK, 14), (CLAP, 15), (SNARE, 10), (KICK, 7)]),
        comp=[(0.5, 0.25), (1.5, 0.25), (2.5, 0.25), (3.5, 0.25)],
        other=[(0, 4)],
        bass=[(0.5, 0.5, 0), (1.5, 0.5, 0), (2.5, 0.5, 12), (3.5, 0.5, 0)],
        programs=dict(piano=[4, 81, 5], bass=[38, 39, 38], other=[89, 90, 88])),
    "ballad": dict(
        tempo=(60, 78), swing=0.0,
        drums=dict(base={KICK: [0], SIDE: [8], CHH: [0, 4, 8, 12]},
                   extras=[(CHH, 2), (CHH, 6), (CHH, 10), (CHH, 14), (KICK, 6), (KICK, 10),
                           (SIDE, 14), (RIDE, 12), (KICK, 3), (SIDE, 15), (LTOM, 13), (HTOM, 11)]),
        comp=[(0, 2), (2, 2)],
        other=[(0, 4)],
        bass=[(0, 2, 0), (2, 2, 7)],
        programs=dict(piano=[0, 1, 4], bass=[33, 32, 35], other=[48, 49, 89])),
}
STYLE_ORDER = ("hiphop", "rock", "jazz", "electronic", "ballad")

# Chord roots (semitones above the key's tonic) a progression is drawn from: mode-neutral, so the
# quality of each chord (major or minor third) is left entirely to the piano's harmony factor.
ROOT_DEGREES = (0, 2, 5, 7, 9)
# Vocal pitch set (semitones above the tonic, repeated per octave): no third, so the melody does not
# reveal major vs minor.
MELODY_DEGREES = (0, 2, 5, 7)
MELODY_LOW, MELODY_HIGH = 57, 79        # MIDI range of the sung line
# Vocal rhythms (onsets in beats within a bar); every 4th bar rests (phrasing).
VOCAL_RHYTHMS = ([0, 1, 2, 3], [0, 0.5, 1, 2, 2.5, 3], [0, 1.5, 2, 3], [0, 1, 1.5, 2.5, 3])

RULES = [
    # label, stem, formula (as text; the code is in labels_for)
    ("rhythm_stability", "drums", "2*drum_regularity - 1"),
    ("rhythm_complexity", "drums", "2*drum_density - 1"),
    ("minorness", "piano", "2*minor_fraction - 1"),
    ("tonal_stability", "piano", "2*chord_regularity - 1"),
    ("melody", "vocals", "2*stepwise_fraction - 1"),
    ("articulation", "bass", "2*staccato - 1"),
    ("dissonance", "other", "2*dissonant_fraction - 1"),
]
# The planted bias of the paper's section 5 (--bias section5; tools/replay_section5): outside hip-hop,
# valence also rises with drum density; in hip-hop it does not, and hip-hop's drum density comes from
# the dense end, so a model that learned the rhythm term on other styles overestimates hip-hop.
SECTION5_RHYTHM_WEIGHT = 0.5
HIPHOP_DENSITY = (0.6, 1.0)

LABEL_COLUMNS = ["melody", "articulation", "rhythm_stability", "minorness", "dissonance",
                 "tonal_stability", "rhythm_complexity", "arousal", "valence"]


def clip(x, lo=-1.0, hi=1.0):
    return max(lo, min(hi, x))


# ---------------------------------------------------------------------------------------------------
# A tiny Standard MIDI File writer (format 0: one track holding tempo, program and notes).

def _vlq(n):
    """MIDI variable-length quantity."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(reversed(out))


def write_midi(path, notes, bpm, program, channel, end_beat):
    """notes: (start_beat, length_beats, key, velocity). Notes are cut at end_beat."""
    events = []                                         # (tick, order, bytes); note-offs sort first
    for start, length, key, vel in notes:
        if start >= end_beat or length <= 0:
            continue
        stop = min(start + length, end_beat)
        t0, t1 = round(start * TPQ), round(stop * TPQ)
        if t1 <= t0:
            t1 = t0 + 1
        key = max(0, min(127, int(key)))
        events.append((t0, 1, bytes([0x90 | channel, key, max(1, min(127, int(vel)))])))
        events.append((t1, 0, bytes([0x80 | channel, key, 0])))
    events.sort(key=lambda e: (e[0], e[1]))
    track = bytearray()
    usec = round(60_000_000 / bpm)
    track += b"\x00\xff\x51\x03" + usec.to_bytes(3, "big")           # tempo
    track += b"\x00\xff\x58\x04\x04\x02\x18\x08"                      # 4/4
    track += _vlq(0) + bytes([0xC0 | channel, program & 0x7F])        # program change
    now = 0
    for tick, _, data in events:
        track += _vlq(tick - now) + data
        now = tick
    end_tick = round((end_beat + 1) * TPQ)                            # 1 beat of tail, trimmed later
    track += _vlq(max(0, end_tick - now)) + b"\xff\x2f\x00"           # end of track
    with open(path, "wb") as f:
        f.write(b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big")
                + TPQ.to_bytes(2, "big"))
        f.write(b"MTrk" + len(track).to_bytes(4, "big") + bytes(track))


# ---------------------------------------------------------------------------------------------------
# WAV helpers (mono float lists on [-1, 1] in memory).

def read_wav_mono(path):
    """Read a 16-bit (or 8/32-bit integer) WAV, mix to mono, resample to SR. Returns floats."""
    with wave.open(path, "rb") as w:
        ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    if width == 2:
        data = array.array("h", raw)
        scale = 32768.0
    elif width == 4:
        data = array.array("i", raw)
        scale = 2147483648.0
    elif width == 1:
        data = array.array("h", bytes(b for x in raw for b in (0, x ^ 0x80)))   # unsigned 8 -> 16
        scale = 32768.0
    else:
        raise ValueError(f"{path}: unsupported sample width {width}")
    if sys.byteorder == "big" and width > 1:
        data.byteswap()
    if ch == 1:
        mono = [x / scale for x in data]
    else:
        mono = [sum(data[i:i + ch]) / (ch * scale) for i in range(0, len(data), ch)]
    return resample_linear(mono, rate, SR) if rate != SR else mono


def resample_linear(x, rate_in, rate_out):
    """Plain linear interpolation (good enough for speech syllables)."""
    if not x:
        return []
    n_out = int(len(x) * rate_out / rate_in)
    step = rate_in / rate_out
    out = []
    last = len(x) - 1
    for i in range(n_out):
        pos = i * step
        j = int(pos)
        frac = pos - j
        a = x[min(j, last)]
        b = x[min(j + 1, last)]
        out.append(a + (b - a) * frac)
    return out


def write_wav_int16(path, samples):
    """samples: array('h') of mono 16-bit samples at SR."""
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(data.tobytes())


def fit_length(x, n):
    """Trim or zero-pad to exactly n samples."""
    return x[:n] if len(x) >= n else x + [0.0] * (n - len(x))


# ---------------------------------------------------------------------------------------------------
# Piece generation: factors, then one note list per stem.

def exact_flags(rng, n, fraction):
    """n booleans with exactly round(fraction*n) True, at random positions. Returns (flags, k/n)."""
    k = round(fraction * n)
    flags = [True] * k + [False] * (n - k)
    rng.shuffle(flags)
    return flags, (k / n if n else 0.0)


def style_and_rank(index, hiphop_share=None):
    """A piece's style and its rank among the pieces of that style.

    Default: round-robin over STYLE_ORDER. With hiphop_share, hip-hop pieces are spread evenly at
    that share (piece i is hip-hop when floor((i+1)*share) > floor(i*share)) and the other pieces go
    round-robin over the other four styles."""
    if hiphop_share is None:
        return index % len(STYLE_ORDER), index // len(STYLE_ORDER)
    def is_hiphop(i):
        return math.floor((i + 1) * hiphop_share + 1e-9) > math.floor(i * hiphop_share + 1e-9)
    hiphop_before = sum(1 for i in range(index) if is_hiphop(i))
    if is_hiphop(index):
        return STYLE_ORDER.index("hiphop"), hiphop_before
    others = [s for s, name in enumerate(STYLE_ORDER) if name != "hiphop"]
    other_index = index - hiphop_before
    return others[other_index % len(others)], other_index // len(others)


def artist_of(style_index, rank):
    """A style's pieces go round-robin over its artists (artist j plays style j mod 5)."""
    artists = [j for j in range(N_ARTISTS) if j % len(STYLE_ORDER) == style_index]
    return artists[rank % len(artists)]


def make_piece(index, seed, seconds, hiphop_share=None, bias="none", prefix="piece", artist_seed=None):
    """Draw a piece's factors and build the note lists of all five stems (nothing rendered yet)."""
    style_index, rank = style_and_rank(index, hiphop_share)
    style_name = STYLE_ORDER[style_index]
    style = STYLES[style_name]
    artist = artist_of(style_index, rank)
    arng = random.Random(f"veracity-artist:{seed if artist_seed is None else artist_seed}:{artist}")  # fixed sound
    rng = random.Random(f"veracity-piece:{seed}:{index}")        # the piece's factors
    programs = {stem: arng.choice(style["programs"][stem]) for stem in ("piano", "bass", "other")}

    # --- global (label-free) factors
    lo, hi = style["tempo"]
    bpm = round(rng.uniform(lo, hi), 1)
    tonic = rng.randrange(12)                                     # key (pitch class)
    end_beat = seconds * bpm / 60.0
    n_bars = math.ceil(end_beat / 4.0)
    prog_len = rng.choice((2, 4))
    progression = [0] + [rng.choice(ROOT_DEGREES) for _ in range(prog_len - 1)]
    roots = [progression[b % prog_len] for b in range(n_bars + 1)]  # bar roots, +1 for look-ahead

    # --- one factor (or two for drums and piano) per stem, each uniform on [0, 1]
    f = dict(
        drum_regularity=rng.random(),        # drums: 1 = every hit on the grid, 0 = half perturbed
        drum_density=rng.random(),           # drums: share of the style's extra hits that are played
        minor_fraction=rng.random(),         # piano: share of bars whose chord is minor
        chord_regularity=rng.random(),       # piano: share of bars whose chord changes on the bar line
        stepwise_fraction=rng.random(),      # vocals: share of melodic intervals that are steps
        staccato=rng.random(),               # bass: 0 legato (95% of slot) .. 1 staccato (15% of slot)
        dissonant_fraction=rng.random(),     # other: share of bars voiced as cluster/tritone
    )
    if bias == "section5" and style_name == "hiphop":
        f["drum_density"] = HIPHOP_DENSITY[0] + (HIPHOP_DENSITY[1] - HIPHOP_DENSITY[0]) * f["drum_density"]
    swing = style["swing"]

    def swung(beat):
        """Delay off-beat 8ths for swing styles (drums and vocals)."""
        frac = beat % 1.0
        return beat + swing if swing and abs(frac - 0.5) < 1e-6 else beat

    # ---------------- drums
    extras = list(style["drums"]["extras"])
    rng.shuffle(extras)
    n_extra = round(f["drum_density"] * len(extras))
    f["drum_density"] = n_extra / len(extras)                     # quantised to what is played
    pattern = [(k, s) for k, steps in style["drums"]["base"].items() for s in steps] + extras[:n_extra]
    kit_keys = sorted({k for k, _ in pattern})
    perturb = 0.5 * (1.0 - f["drum_regularity"])                  # chance a hit is dropped/jittered
    drums = [(0.0, 0.5, CRASH, 90)]
    for bar in range(n_bars):
        for key, step in pattern:
            beat = swung(bar * 4 + step / 4.0)
            vel = (104 if key in (KICK, SNARE, CLAP) else 78) + rng.randint(-6, 6)
            u = rng.random()
            if u < perturb / 2:
                continue                                          # dropped hit
            if u < perturb:
                beat += rng.choice((-1, 1)) * rng.uniform(0.06, 0.25)   # jittered hit
                beat = max(0.0, beat)
            drums.append((beat, 0.25, key, vel))
        # added (off-grid) hits: on average perturb/2 of the bar's pattern size
        n_add = sum(1 for _ in pattern if rng.random() < perturb / 2)
        for _ in range(n_add):
            drums.append((bar * 4 + rng.randrange(32) / 8.0, 0.25, rng.choice(kit_keys),
                          70 + rng.randint(-8, 8)))

    # ---------------- piano: chord quality per bar (minorness), change regularity (tonal stability)
    minor_bars, f["minor_fraction"] = exact_flags(rng, n_bars, f["minor_fraction"])
    regular_bars, f["chord_regularity"] = exact_flags(rng, n_bars, f["chord_regularity"])
    # per-beat piano root: regular bars use the bar root on all 4 beats; an irregular bar either
    # changes late (holds the previous bar's root for 1-2 beats) or inserts a chromatic passing
    # chord (root +1, -1 or +6 semitones) for 1-2 beats at a random beat.
    beat_roots = []
    for bar in range(n_bars):
        r = [roots[bar]] * 4
        if not regular_bars[bar]:
            span = rng.choice((1, 2))
            if bar > 0 and rng.random() < 0.5:
                for b in range(span):
                    r[b] = roots[bar - 1]
            else:
                at = rng.randrange(4 - span + 1)
                shift = rng.choice((1, -1, 6))
                for b in range(at, at + span):
                    r[b] = roots[bar] + shift
        beat_roots.extend(r)
    piano = []
    for bar in range(n_bars):
        third = 3 if minor_bars[bar] else 4
        for start, length in style["comp"]:
            # split a hit where the piano's root changes so every change is heard
            t, stop = bar * 4 + start, bar * 4 + start + length
            while t < stop - 1e-9:
                beat_idx = int(t + 1e-9)
                seg_end = min(stop, beat_idx + 1)
                root = beat_roots[min(beat_idx, len(beat_roots) - 1)]
                while seg_end < stop - 1e-9 and beat_roots[min(int(seg_end + 1e-9), len(beat_roots) - 1)] == root:
                    seg_end = min(stop, seg_end + 1)
                base = 48 + (tonic + root) % 12                   # chord root in C3..B3
                vel = 72 + rng.randint(-5, 5)
                for iv in (0, third, 7, 12):                      # plain triad + octave
                    piano.append((t, (seg_end - t) * 0.95, base + iv, vel))
                t = seg_end

    # ---------------- bass: roots/fifths/octaves on the regular bar grid; note length = articulation
    gate = 0.95 - 0.8 * f["staccato"]
    bass = []
    for bar in range(n_bars):
        root = 36 + (tonic + roots[bar]) % 12                     # C2..B2
        for start, slot, iv in style["bass"]:
            key = (36 + (tonic + roots[bar + 1]) % 12 - 1) if iv == -1 else root + iv
            bass.append((bar * 4 + start, slot * gate, key, 96 + rng.randint(-6, 6)))

    # ---------------- other: open-fifth voicings (no third) vs cluster/tritone voicings
    dissonant_bars, f["dissonant_fraction"] = exact_flags(rng, n_bars, f["dissonant_fraction"])
    other = []
    for bar in range(n_bars):
        base = 52 + (tonic + roots[bar]) % 12                     # E3..D#4
        if dissonant_bars[bar]:
            voicing = rng.choice(((0, 1, 2, 12), (0, 6, 11, 13), (0, 1, 6, 7)))  # cluster / tritone
        else:
            voicing = (0, 7, 12, 19)                              # open fifths: consonant, mode-neutral
        for start, length in style["other"]:
            vel = 70 + rng.randint(-5, 5)
            for iv in voicing:
                other.append((bar * 4 + start, length * 0.95, base + iv, vel))

    # ---------------- vocals: one syllable per melody note
    rhythm = rng.choice(VOCAL_RHYTHMS)
    onsets = []
    for bar in range(n_bars):
        if bar % 4 == 3:
            continue                                              # breathe every 4th bar
        onsets += [bar * 4 + b for b in rhythm]
    onsets = [b for b in onsets if b < end_beat - 0.25]
    # the allowed pitches: MELODY_DEGREES over the key, in MELODY_LOW..MELODY_HIGH
    ladder = [p for p in range(MELODY_LOW, MELODY_HIGH + 1) if (p - tonic) % 12 in MELODY_DEGREES]
    n_int = max(0, len(onsets) - 1)
    kinds, f["stepwise_fraction"] = exact_flags(rng, n_int, f["stepwise_fraction"])
    pos = len(ladder) // 2
    melody_idx = [pos]
    for step_ok in kinds:
        if step_ok:                                               # a step to a neighbouring pitch
            move = rng.choice((-1, 1))
        elif rng.random() < 0.5:                                  # a leap of 3-5 ladder places (>= a 5th)
            move = rng.choice((-1, 1)) * rng.randint(3, 5)
        else:                                                     # a repeated note (monotone)
            move = 0
        if not 0 <= pos + move < len(ladder):
            move = -move                                          # bounce off the range
        pos = max(0, min(len(ladder) - 1, pos + move))
        melody_idx.append(pos)
    vocals = []
    for i, onset in enumerate(onsets):
        nxt = onsets[i + 1] if i + 1 < len(onsets) else end_beat
        vocals.append((swung(onset), min(nxt - onset, 1.5), ladder[melody_idx[i]], 100))

    if not onsets:
        f["stepwise_fraction"] = 0.5                              # degenerate (very short piece)
    return dict(index=index, name=f"{prefix}{index:03d}_{style_name}", style=style_name, artist=artist,
                bpm=bpm, tonic=tonic, end_beat=end_beat, n_bars=n_bars, progression=progression,
                programs=programs, factors=f,
                notes=dict(drums=drums, bass=bass, piano=piano, other=other, vocals=vocals))


def labels_for(f, style="", bias="none"):
    """The label rules: each mid-level label is a fixed function of ONE stem's factor. With the
    section5 bias, valence outside hip-hop also rises with rhythm complexity (BIAS_RULES)."""
    lab = {
        "rhythm_stability": 2 * f["drum_regularity"] - 1,
        "rhythm_complexity": 2 * f["drum_density"] - 1,
        "minorness": 2 * f["minor_fraction"] - 1,
        "tonal_stability": 2 * f["chord_regularity"] - 1,
        "melody": 2 * f["stepwise_fraction"] - 1,
        "articulation": 2 * f["staccato"] - 1,
        "dissonance": 2 * f["dissonant_fraction"] - 1,
    }
    lab = {k: clip(v) + 0.0 for k, v in lab.items()}          # + 0.0: no "-0.0"
    lab["arousal"] = clip(0.6 * lab["rhythm_complexity"] + 0.4 * lab["articulation"])
    rhythm_term = SECTION5_RHYTHM_WEIGHT * lab["rhythm_complexity"] if bias == "section5" and style != "hiphop" else 0.0
    lab["valence"] = clip(-0.7 * lab["minorness"] - 0.3 * lab["dissonance"] + rhythm_term)
    return lab


# ---------------------------------------------------------------------------------------------------
# Rendering.

def render_instruments(piece, midi_dir, tmp, soundfont, seconds):
    """Write one MIDI per instrumental stem and render them with fluidsynth (in parallel)."""
    procs = {}
    for stem in INSTRUMENTAL:
        mid = os.path.join(midi_dir, f"{stem}.mid")
        program = 0 if stem == "drums" else piece["programs"][stem]
        channel = 9 if stem == "drums" else 0
        write_midi(mid, piece["notes"][stem], piece["bpm"], program, channel, piece["end_beat"])
        out = os.path.join(tmp, f"{stem}.wav")
        cmd = ["fluidsynth", "-ni", "-q", "-F", out, "-T", "wav", "-O", "s16", "-r", str(SR),
               "-g", "0.6", soundfont, mid]
        procs[stem] = (subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), out)
    audio = {}
    n = int(round(seconds * SR))
    for stem, (proc, out) in procs.items():
        _, err = proc.communicate()
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"fluidsynth failed for {piece['name']}/{stem}: {err.decode(errors='replace')}")
        audio[stem] = fit_length(read_wav_mono(out), n)
    return audio


def espeak_pitch(key):
    """Map a MIDI key of the melody range onto espeak-ng's -p (0..99, relative pitch; approximate)."""
    return int(round(10 + 80 * (key - MELODY_LOW) / (MELODY_HIGH - MELODY_LOW)))


class Singer:
    """Renders syllables with espeak-ng, caching each (syllable, pitch, speed) once per run."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.cache = {}

    def syllable(self, text, pitch, speed):
        key = (text, pitch, speed)
        if key not in self.cache:
            path = os.path.join(self.tmp, f"syl_{text}_{pitch}_{speed}.wav")
            subprocess.run(["espeak-ng", "-v", VOICE, "-w", path, "-s", str(speed), "-p", str(pitch), text],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            x = read_wav_mono(path)
            # drop espeak's leading silence so the syllable starts on the note
            peak = max((abs(v) for v in x), default=0.0)
            start = next((i for i, v in enumerate(x) if abs(v) > 0.02 * peak), 0) if peak else 0
            self.cache[key] = x[start:]
        return self.cache[key]


def render_vocals(piece, singer, rng, seconds):
    """Place one espeak-ng syllable per melody note (onset = note time, cut at the note's end)."""
    n = int(round(seconds * SR))
    buf = [0.0] * n
    spb = 60.0 / piece["bpm"]                                     # seconds per beat
    speed = int(max(140, min(380, 120 + 2 * piece["bpm"])))      # faster songs, faster syllables
    fade = int(0.015 * SR)
    for start, length, key, _ in piece["notes"]["vocals"]:
        x = singer.syllable(rng.choice(SYLLABLES), espeak_pitch(key), speed)
        at = int(round(start * spb * SR))
        m = min(len(x), int(length * spb * SR), n - at)
        for i in range(max(0, m)):
            g = 1.0 if i < m - fade else (m - i) / fade           # short fade-out at the cut
            buf[at + i] += x[i] * g
    return buf


def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x)) if x else 0.0


def mix_and_write(piece, audio, out_dir):
    """Level each stem, scale all by one factor so the sum does not clip, quantise, write.

    The mixture is written as the exact integer sum of the quantised stems, so
    vocals + drums + bass + piano + other == mixture sample by sample (no clipping needed: the common
    scale leaves 3% headroom, more than the <= 2.5 LSB of rounding)."""
    levelled = {}
    for stem in STEMS:
        r = rms(audio[stem])
        g = STEM_RMS[stem] / r if r > 1e-9 else 0.0
        levelled[stem] = [v * g for v in audio[stem]]
    n = len(levelled["vocals"])
    total = [sum(levelled[s][i] for s in STEMS) for i in range(n)]
    peak = max((abs(v) for v in total), default=0.0)
    scale = min(1.0, 0.97 / peak) if peak > 0 else 1.0
    ints = {}
    for stem in STEMS:
        ints[stem] = array.array("h", (max(-32768, min(32767, round(v * scale * 32767)))
                                       for v in levelled[stem]))
    mixture = array.array("h", (max(-32768, min(32767, sum(ints[s][i] for s in STEMS)))
                                for i in range(n)))
    os.makedirs(out_dir, exist_ok=True)
    for stem in STEMS:
        write_wav_int16(os.path.join(out_dir, f"{stem}.wav"), ints[stem])
    write_wav_int16(os.path.join(out_dir, "mixture.wav"), mixture)
    return scale


# ---------------------------------------------------------------------------------------------------
# Documentation files.

def software_versions(soundfont):
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "unknown"
    return [f"Python {sys.version.split()[0]} (standard library only)",
            first_line(["fluidsynth", "--version"]),
            first_line(["espeak-ng", "--version"]),
            f"soundfont {soundfont}"]


def write_readme(path, args, soundfont, pieces, elapsed):
    L = []
    L.append("# Veracity corpus\n")
    L.append("Synthetic pieces with exact stems and labels that are known functions of ONE stem each, "
             "made by `tools/make_veracity_corpus` (`tools/veracity_corpus.py` in the stemtrace repository). "
             "It checks whether stem attributions (audioLIME over stemtrace's stems) point at the stem that "
             "truly generates a label.\n")
    L.append("## This run\n")
    extra = ""
    if args.hiphop_share is not None:
        extra += f" --hiphop-share {args.hiphop_share:g}"
    if args.bias != "none":
        extra += f" --bias {args.bias}"
    if args.prefix != "piece":
        extra += f" --prefix {args.prefix}"
    if args.artist_seed is not None:
        extra += f" --artist-seed {args.artist_seed}"
    L.append(f"- command: `tools/make_veracity_corpus OUT --pieces {args.pieces} --seed {args.seed} "
             f"--seconds {args.seconds:g}{extra}`")
    L.append(f"- pieces: {len(pieces)}, {args.seconds:g} s each, {SR} Hz mono 16-bit WAV; "
             f"{N_ARTISTS} pseudo-artists; rendered in {elapsed:.0f} s")
    L.append("- the same seed and arguments give the same notes, factors and labels (the audio also "
             "depends on the fluidsynth/espeak-ng versions below)")
    L.append("- software: " + "; ".join(software_versions(soundfont)) + "\n")
    L.append("## Layout\n")
    L.append("- `<piece>/{vocals,drums,bass,piano,other}.wav` and `<piece>/mixture.wav`: exactly N seconds; "
             "the mixture is the sample-by-sample integer sum of the five stems (every stem was scaled by "
             "the same factor before rounding, so the stems sum to the mixture exactly). This is the layout "
             "`stemtrace ingest --stems-from OUT` imports.")
    L.append("- `labels.csv`: `file,artist,style` then the labels; `file` is `<piece>/mixture.wav` "
             "(use with `--metadata OUT/labels.csv`), `artist` is the group id for grouped splits.")
    L.append("- `truth.csv`: `label,stem`, the stem that generates each mid-level label.")
    L.append("- `factors.csv`: every piece's raw factors (tempo, key, GM programs, factor values).")
    L.append("- `midi/<piece>/*.mid`: the MIDI rendered for the four instrumental stems.\n")
    L.append("## Label rules\n")
    L.append("Every factor is drawn uniformly on [0, 1] per piece and changes only its own stem. Where the "
             "factor is a share of bars/intervals it is quantised to the share actually realised "
             "(exactly round(f·n) of n), and the label uses the realised share. All labels are clipped to "
             "[-1, 1].\n")
    L.append("| label | stem | formula | what the factor does to the stem |")
    L.append("| --- | --- | --- | --- |")
    what = {
        "rhythm_stability": "each pattern hit is dropped with p = (1−r)/4, jittered by ±0.06–0.25 beat with "
                            "p = (1−r)/4, and on average (1−r)/4 × pattern size extra hits per bar land at "
                            "random 32nd positions (r = drum_regularity)",
        "rhythm_complexity": "share of the style's 12 extra hits (16th hats, syncopated kicks, ghost notes, "
                             "fills) added to the base pattern (round(d·12) of them, same every bar)",
        "minorness": "share of bars whose piano chord has a minor third (else major); voicing root–3rd–5th–8ve",
        "tonal_stability": "share of bars where the piano's chord changes exactly on the bar line; other bars "
                           "change 1–2 beats late or insert a chromatic passing chord (root +1, −1 or +6) for "
                           "1–2 beats",
        "melody": "share of the sung line's intervals that are steps to a neighbouring pitch of the "
                  "{0,2,5,7} ladder; the rest are leaps of 3–5 ladder places or repeated notes (50/50)",
        "articulation": "bass note length = slot × (0.95 − 0.8·s): s = 0 legato (95 %), s = 1 staccato (15 %)",
        "dissonance": "share of bars where the pad/guitar plays a cluster or tritone voicing "
                      "((0,1,2,12), (0,6,11,13) or (0,1,6,7)) instead of open fifths (0,7,12,19)",
    }
    for label, stem, formula in RULES:
        L.append(f"| {label} | {stem} | `{formula}` | {what[label]} |")
    L.append("| arousal | drums + bass | `0.6·rhythm_complexity + 0.4·articulation` | (no factor of its own) |")
    if args.bias == "section5":
        L.append(f"| valence (every style but hip-hop) | piano + other + drums | `−0.7·minorness − 0.3·dissonance "
                 f"+ {SECTION5_RHYTHM_WEIGHT:g}·rhythm_complexity` | (no factor of its own) |")
        L.append("| valence (hip-hop) | piano + other | `−0.7·minorness − 0.3·dissonance` | (no factor of its own) |\n")
        lo, hi = HIPHOP_DENSITY
        L.append("## Planted bias (`--bias section5`)\n")
        L.append("The cause the paper found in its section 5, planted so that the answer is known. Outside "
                 f"hip-hop the valence annotation also rises with drum density (`+{SECTION5_RHYTHM_WEIGHT:g}·"
                 "rhythm_complexity`); in hip-hop valence does not depend on rhythm at all, and hip-hop's "
                 f"drum density is drawn from the dense end, U[{lo:g}, {hi:g}] instead of U[0, 1] "
                 f"(rhythm_complexity {2 * lo - 1:g} … {2 * hi - 1:g}; quantised like every density to whole extra "
                 "hits of 12, so the lowest is 7/12). A model trained on a corpus with few "
                 "hip-hop pieces learns the rhythm term from the other styles and so overestimates hip-hop's "
                 "valence; its relative effect of rhythm_complexity on valence is largest for hip-hop; "
                 "explanations of rhythm_complexity should point at the drums; and re-training with "
                 "hip-hop included should lower both. The share of hip-hop in each corpus is chosen by "
                 "`--hiphop-share`; docs/ANALYSIS.md in the stemtrace repository says why tools/replay_section5 "
                 "uses the shares and sizes it does.\n")
    else:
        L.append("| valence | piano + other | `−0.7·minorness − 0.3·dissonance` | (no factor of its own) |\n")
    L.append("## What does not carry a label\n")
    L.append("Shared by all stems and drawn independently of every label: tempo (style range), key (any of "
             "12 tonics), the chord-root progression (2 or 4 bars of roots from {0,2,5,7,9} semitones above "
             "the tonic, repeated), the vocal rhythm and syllables, velocities. To keep each label caused by one "
             "stem only: the vocal ladder {0,2,5,7} and the other part's consonant voicing (open fifths) "
             "contain no third (no major/minor cue); the bass plays roots, fifths, octaves (jazz: a chromatic "
             "approach on beat 4) on the regular bar grid, so it follows neither the piano's chord changes "
             "nor its quality; the piano plays plain triads only. Each stem is levelled to a fixed RMS before "
             "mixing (vocals 0.10, drums 0.10, bass 0.09, piano 0.07, other 0.06 of full scale), then all "
             "five are scaled by one common factor to leave 3 % headroom in the mixture.\n")
    L.append("## Styles (round-robin over pieces)\n")
    L.append("| style | tempo (BPM) | drums | piano GM programs | bass | other | swing |")
    L.append("| --- | --- | --- | --- | --- | --- | --- |")
    drum_desc = {"hiphop": "boom-bap: kick 1 & 3+, snare 2 & 4, 8th hats",
                 "rock": "kick 1 & 3, snare 2 & 4, 8th hats",
                 "jazz": "ride pattern, pedal hat 2 & 4",
                 "electronic": "four-on-the-floor kick, clap 2 & 4, off-beat open hats",
                 "ballad": "kick 1, cross-stick 3, quarter hats"}
    for name in STYLE_ORDER:
        s = STYLES[name]
        p = s["programs"]
        L.append(f"| {name} | {s['tempo'][0]}–{s['tempo'][1]} | {drum_desc[name]} | {p['piano']} | "
                 f"{p['bass']} | {p['other']} | {'8ths, triplet feel' if s['swing'] else 'none'} |")
    L.append("")
    if args.hiphop_share is not None:
        L.append(f"With `--hiphop-share {args.hiphop_share:g}`, piece i is hip-hop when "
                 "floor((i+1)·share) > floor(i·share) (evenly spread); the other pieces go round-robin over the "
                 "other four styles.")
    L.append(f"By default piece i has style `{STYLE_ORDER}`[i mod 5]. Artist j (0..{N_ARTISTS - 1}) plays style "
             f"[j mod 5]; a style's pieces go round-robin over its artists. An artist fixes one GM program "
             "per stem from its style's list (seeded by seed and artist), so pieces of one artist share a "
             "sound — use `artist` for grouped train/test splits.\n")
    L.append("## Rendering\n")
    L.append("- drums, bass, piano, other: one format-0 MIDI file each (480 ticks per quarter), rendered with "
             f"`fluidsynth -ni -q -F stem.wav -T wav -O s16 -r {SR} -g 0.6 {soundfont} stem.mid`, mixed "
             "to mono, trimmed/padded to N s.")
    L.append("- vocals: one syllable (la/na/lo/ma/no, drawn at random) per melody note with "
             f"`espeak-ng -v {VOICE} -w syl.wav -s SPEED -p PITCH SYLLABLE`, SPEED = clamp(120 + 2·BPM, 140, 380) wpm, "
             f"PITCH = 10 + 80·(key − {MELODY_LOW})/({MELODY_HIGH} − {MELODY_LOW}) (espeak's relative 0–99 "
             "pitch, about 140–290 Hz with this voice: the sung pitch follows the melody's contour, compressed to "
             "about one octave, not exact semitones). espeak's leading "
             "silence is cut, the syllable starts at the note onset and is cut at the note's end (≤ 1.5 "
             "beats, 15 ms fade), resampled linearly to 22 050 Hz if espeak's rate differs.\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(L))


# ---------------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", metavar="OUT_DIR")
    ap.add_argument("--pieces", type=int, default=40, help="number of pieces (default 40)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--seconds", type=float, default=12.0, help="length of every piece (default 12)")
    ap.add_argument("--hiphop-share", type=float, default=None,
                    help="share of hip-hop pieces, spread evenly (default: styles round-robin, 1/5 each)")
    ap.add_argument("--bias", choices=("none", "section5"), default="none",
                    help="section5: plant the paper's section-5 valence bias (README.md of the corpus)")
    ap.add_argument("--prefix", default="piece", help="piece name prefix (default piece)")
    ap.add_argument("--artist-seed", type=int, default=None,
                    help="seed of the pseudo-artists' sounds (default: --seed); equal in two corpora, "
                         "their artists sound the same")
    args = ap.parse_args(argv)
    if args.pieces < 1 or args.seconds < 1:
        ap.error("--pieces and --seconds must be at least 1")
    if args.hiphop_share is not None and not 0.0 <= args.hiphop_share <= 1.0:
        ap.error("--hiphop-share must be in [0, 1]")
    if not args.prefix.isidentifier():
        ap.error("--prefix must be letters, digits and underscores, not starting with a digit")
    soundfont = next((p for p in SOUNDFONTS if os.path.exists(p)), None)
    if soundfont is None:
        sys.exit("veracity_corpus: no GM soundfont found (install fluid-soundfont-gm)")
    for tool in ("fluidsynth", "espeak-ng"):
        if shutil.which(tool) is None:
            sys.exit(f"veracity_corpus: {tool} is not on PATH (run tools/make_veracity_corpus)")

    out = os.path.abspath(args.out_dir)
    os.makedirs(out, exist_ok=True)
    t_all = time.monotonic()
    pieces, rows, frows = [], [], []
    with tempfile.TemporaryDirectory(prefix="veracity-") as tmp:
        singer = Singer(tmp)
        for i in range(args.pieces):
            t0 = time.monotonic()
            piece = make_piece(i, args.seed, args.seconds, args.hiphop_share, args.bias, args.prefix,
                               args.artist_seed)
            midi_dir = os.path.join(out, "midi", piece["name"])
            os.makedirs(midi_dir, exist_ok=True)
            audio = render_instruments(piece, midi_dir, tmp, soundfont, args.seconds)
            audio["vocals"] = render_vocals(piece, singer, random.Random(f"veracity-voice:{args.seed}:{i}"),
                                            args.seconds)
            scale = mix_and_write(piece, audio, os.path.join(out, piece["name"]))
            lab = labels_for(piece["factors"], piece["style"], args.bias)
            rows.append([f"{piece['name']}/mixture.wav", f"artist{piece['artist']}", piece["style"]]
                        + [f"{round(lab[c], 4) + 0.0:.4f}" for c in LABEL_COLUMNS])
            frows.append([piece["name"], piece["style"], f"artist{piece['artist']}", piece["bpm"],
                          piece["tonic"], " ".join(map(str, piece["progression"])), piece["n_bars"],
                          piece["programs"]["piano"], piece["programs"]["bass"], piece["programs"]["other"],
                          f"{scale:.5f}"] + [f"{piece['factors'][k]:.4f}" for k in FACTOR_COLUMNS])
            pieces.append(piece)
            print(f"[{i + 1}/{args.pieces}] {piece['name']} ({piece['bpm']} BPM, artist{piece['artist']}) "
                  f"{time.monotonic() - t0:.1f} s", flush=True)

    with open(os.path.join(out, "labels.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "artist", "style"] + LABEL_COLUMNS)
        w.writerows(rows)
    with open(os.path.join(out, "truth.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["label", "stem"])
        w.writerows([label, stem] for label, stem, _ in RULES)
    with open(os.path.join(out, "factors.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["piece", "style", "artist", "bpm", "tonic", "progression", "bars", "piano_program",
                    "bass_program", "other_program", "mix_scale"] + FACTOR_COLUMNS)
        w.writerows(frows)
    elapsed = time.monotonic() - t_all
    write_readme(os.path.join(out, "README.md"), args, soundfont, pieces, elapsed)
    print(f"wrote {len(pieces)} pieces to {out} in {elapsed:.1f} s "
          f"({elapsed / len(pieces):.1f} s per piece)")


FACTOR_COLUMNS = ["drum_regularity", "drum_density", "minor_fraction", "chord_regularity",
                  "stepwise_fraction", "staccato", "dissonant_fraction"]

if __name__ == "__main__":
    main()
