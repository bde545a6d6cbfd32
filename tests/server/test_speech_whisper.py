"""The model-free parts of the faster-whisper adapter: post-filters, prompts, encoder sizing."""

from __future__ import annotations

from server.speech.whisper import (
    _encoder_frames,
    cut_decoder_loop,
    drop_trailing_hallucination,
    join_hyphen_pieces,
    resolve_model,
)
from streaming.events import Word
from streaming.options import TranscriberOptions


def words(*items: tuple[str, float, float, float]) -> list[Word]:
    return [Word(*item) for item in items]


def texts(items) -> str:
    return " ".join(w.text for w in items)


def test_invented_words_after_the_speech_are_dropped() -> None:
    said = words(("movable", 6.44, 6.94, 0.95), ("types.", 6.94, 7.40, 0.97))
    tail = words(("Thanks", 7.40, 7.52, 0.02), ("for", 7.52, 7.52, 0.35), ("watching.", 7.52, 7.52, 0.81))
    assert texts(drop_trailing_hallucination(said + tail)) == "movable types."
    assert texts(drop_trailing_hallucination(said + words(("one.", 7.4, 7.5, 0.02)))) == "movable types."
    thanks = words(("Thank", 7.5, 7.7, 0.11), ("you.", 7.7, 7.8, 0.98))
    assert texts(drop_trailing_hallucination(said + thanks)) == "movable types."
    assert texts(drop_trailing_hallucination(said + words(("us.", 7.42, 7.5, 0.19)))) == "movable types."


def test_a_short_confident_last_word_is_kept() -> None:
    said = words(("whatever", 9.26, 9.28, 0.98))
    assert texts(drop_trailing_hallucination(words(("they", 8.0, 8.3, 0.9)) + said)) == "they whatever"


def test_a_decoder_echo_is_dropped_but_a_real_repetition_is_kept() -> None:
    echo = words(
        ("Record", 0.2, 0.6, 0.9), ("mode.", 0.6, 1.1, 0.9), ("Record", 1.1, 1.15, 0.9), ("mode.", 1.15, 1.2, 0.9)
    )
    assert texts(drop_trailing_hallucination(echo)) == "Record mode."
    stutter = words(("I", 0.2, 0.4, 0.9), ("I", 0.6, 0.8, 0.9), ("think", 0.8, 1.1, 0.9))
    assert texts(drop_trailing_hallucination(stutter)) == "I I think"
    loop = words(*[(w, 0.4 * i, 0.4 * i + 0.3, 0.8) for i, w in enumerate("we got this like we got this like".split())])
    assert texts(drop_trailing_hallucination(loop)) == "we got this like"


def test_a_decoder_loop_is_cut_after_its_first_occurrence() -> None:
    def plain(text: str) -> list[Word]:
        return [Word(w, 0.1 * i, 0.1 * i + 0.1, 0.9) for i, w in enumerate(text.split())]

    looped = "as all books not primarily intended as, as all books not primarily intended as, as all"
    assert texts(cut_decoder_loop(plain(looped))) == "as all books not primarily intended as,"
    said_then_loop = "worth mention in passing that as an example. that as an example. that as"
    assert texts(cut_decoder_loop(plain(said_then_loop))) == "worth mention in passing that as an example."
    assert texts(cut_decoder_loop(plain("no no no"))) == "no"


def test_words_that_do_not_loop_are_kept() -> None:
    def plain(text: str) -> list[Word]:
        return [Word(w, 0.1 * i, 0.1 * i + 0.1, 0.9) for i, w in enumerate(text.split())]

    for text in ("very very", "we chose blue green deployments", "I said it, and I said it again", ""):
        assert texts(cut_decoder_loop(plain(text))) == text


def test_encoder_frames_round_up_with_floor_margin_and_cap() -> None:
    assert _encoder_frames(230, 100, 1500, 3000, 100) == 1500  # floor
    assert _encoder_frames(1720, 100, 1500, 3000, 100) == 1900  # content + margin, rounded up
    assert _encoder_frames(2950, 100, 1500, 3000, 100) == 3000  # never past the window


def test_tiny_en_resolves_to_the_bundled_model_and_paths_stay_paths(tmp_path) -> None:
    assert (resolve_model("tiny.en") + "/model.bin").endswith("model.bin")
    assert resolve_model(str(tmp_path)) == str(tmp_path)
    assert resolve_model("large-v3") == "large-v3"
    assert TranscriberOptions().model == "tiny.en"


def test_a_hyphenated_word_is_one_word() -> None:
    """tiny.en on Piper's "The trade-off was ..." gives " trade", "-off" (and " end", "-to",
    "-end." for "end-to-end."): the card read "trade -off"."""
    pieces = [(" The", 0.0, 0.2, 0.9), (" trade", 0.2, 0.5, 0.9), ("-off", 0.5, 0.7, 0.6), (" end", 1.0, 1.1, 0.9)]
    pieces += [("-to", 1.1, 1.2, 0.8), ("-end.", 1.2, 1.4, 0.95), (" -", 1.5, 1.5, 0.5), (" done", 1.6, 1.9, 0.9)]
    joined = join_hyphen_pieces(pieces)
    assert texts(joined) == "The trade-off end-to-end. - done"
    assert (joined[1].start, joined[1].end, joined[1].probability) == (0.2, 0.7, 0.6)
    assert join_hyphen_pieces([("-ish", 0.0, 0.1, 0.9), (" ", 0.1, 0.2, 0.9)])[0].text == "-ish"
