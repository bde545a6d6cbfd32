"""LocalAgreement-2: commit the words two consecutive hypotheses agree on.

Macháček, Dabre, Bojar (2023), "Turning Whisper into Real-Time Transcription System",
IJCNLP-AACL demo track, https://arxiv.org/abs/2307.14743 (reference code: ufal/whisper_streaming,
`HypothesisBuffer`). Each re-decode of the growing utterance gives a hypothesis with word times;
the longest common prefix of the last two hypotheses (after dropping what is already committed)
is committed. Words are compared normalised (case and punctuation ignored), so "Kubernetes," and
"kubernetes" agree. A committed word is never committed again: a new hypothesis keeps only words
that start after the last committed word (with 0.1 s slack for timestamp jitter), and a leading
n-gram (n <= 5) that repeats the tail of the committed words is removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .events import Word

_JITTER_S = 0.1
_MAX_NGRAM = 5


def normalise_word(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "'").strip("'")


def strip_committed_overlap(committed: Sequence[Word], words: Sequence[Word], last_end: float) -> list[Word]:
    """`words` without what repeats the committed ones: words that start before `last_end`
    (minus jitter), then a leading n-gram equal to the committed tail when the two touch."""
    fresh = [word for word in words if word.start > last_end - _JITTER_S]
    if fresh and committed and abs(fresh[0].start - last_end) < 1.0:
        longest = min(_MAX_NGRAM, len(committed), len(fresh))
        for n in range(longest, 0, -1):
            tail = [normalise_word(w.text) for w in committed[-n:]]
            head = [normalise_word(w.text) for w in fresh[:n]]
            if tail == head:
                return fresh[n:]
    return fresh


class HypothesisBuffer:
    """Per-utterance LocalAgreement-2 state; word times are absolute (answer time)."""

    def __init__(self, *, committed_end: float = 0.0, previous: Iterable[Word] = ()) -> None:
        self.committed: list[Word] = []
        self.committed_end = committed_end
        self._previous: list[Word] = list(previous)
        self._reference: list[Word] = []  # committed words before this buffer, for the n-gram check

    @classmethod
    def continuing(cls, committed: Sequence[Word], tail: Sequence[Word]) -> HypothesisBuffer:
        """A fresh buffer after trimming: nothing committed yet, but it knows the words it
        continues (no re-commit) and keeps the uncommitted tail as its previous hypothesis."""
        end = committed[-1].end if committed else 0.0
        buffer = cls(committed_end=end, previous=tail)
        buffer._reference = list(committed[-_MAX_NGRAM:])
        return buffer

    @property
    def tail(self) -> tuple[Word, ...]:
        """The latest hypothesis beyond the committed words (unstable)."""
        return tuple(self._previous)

    def insert(self, words: Sequence[Word]) -> list[Word]:
        """Add a hypothesis; return the words newly committed by it (possibly none)."""
        fresh = strip_committed_overlap(self._reference + self.committed, words, self.committed_end)
        agreed = 0
        for old, new in zip(self._previous, fresh, strict=False):  # their common prefix
            if normalise_word(old.text) != normalise_word(new.text):
                break
            agreed += 1
        newly = fresh[:agreed]
        if newly:
            self.committed.extend(newly)
            self.committed_end = newly[-1].end
        self._previous = fresh[agreed:]
        return newly
