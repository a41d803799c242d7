"""The SSE decoder against the WHATWG event-stream rules, piece by piece.

Each expected value comes from the "Interpreting an event stream" section of
https://html.spec.whatwg.org/multipage/server-sent-events.html, quoted in the tests.
``decode`` in test_streaming.py reads a whole body; these tests also look at what each
``feed`` gives, because the client hands events over as their pieces arrive.
"""

from __future__ import annotations

import pytest

from together.generated._runtime.streaming import ServerSentEvent, SSEDecoder


def feed_each(decoder: SSEDecoder, *pieces: bytes) -> list[list[ServerSentEvent]]:
    """The events each piece completes, piece by piece."""
    return [list(decoder.feed(piece)) for piece in pieces]


def whole(body: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = list(decoder.feed(body))
    last = decoder.end()
    return events + ([last] if last is not None else [])


# ------------------------------------------------------------------ lines and fields


def test_only_one_space_after_the_colon_is_removed() -> None:
    # "If value starts with a U+0020 SPACE character, remove it from value."
    assert whole(b"data:  two spaces\n\ndata:\ttab\n\n") == [
        ServerSentEvent(data=" two spaces"),
        ServerSentEvent(data="\ttab"),
    ]


def test_the_value_is_everything_after_the_first_colon() -> None:
    assert whole(b'data: {"a": "b:c"}\n\n') == [ServerSentEvent(data='{"a": "b:c"}')]


def test_field_names_are_case_sensitive() -> None:
    # "Otherwise: The field is ignored." -- "Data" is not "data".
    assert whole(b"Data: x\nEVENT: e\n\ndata: y\n\n") == [ServerSentEvent(data="y")]


def test_a_lone_colon_is_a_comment() -> None:
    assert whole(b":\ndata: x\n:another\n\n") == [ServerSentEvent(data="x")]


def test_an_empty_data_line_adds_an_empty_line_to_the_data() -> None:
    # Each data line appends its value and a LF; the last LF is removed at dispatch.
    assert whole(b"data: a\ndata:\ndata: b\n\n") == [ServerSentEvent(data="a\n\nb")]
    assert whole(b"data\ndata\n\n") == [ServerSentEvent(data="\n")]


def test_an_event_type_without_data_is_dropped_at_the_blank_line() -> None:
    # "If the data buffer is an empty string, set the data buffer and the event type buffer
    # to the empty string and return."
    assert whole(b"event: lonely\n\ndata: x\n\n") == [ServerSentEvent(data="x")]


def test_the_last_event_type_line_wins() -> None:
    assert whole(b"event: a\nevent: b\ndata: x\n\n") == [ServerSentEvent("b", "x")]


def test_an_empty_event_field_means_message() -> None:
    assert whole(b"event: a\nevent:\ndata: x\n\n") == [ServerSentEvent("message", "x")]


def test_the_last_event_id_persists_and_an_empty_id_resets_it() -> None:
    events = whole(b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 2\n\ndata: d\n\n")
    assert [(e.data, e.id) for e in events] == [("a", "1"), ("b", "1"), ("c", ""), ("d", "2")]


def test_an_id_with_a_null_keeps_the_previous_id() -> None:
    # "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
    # the field value. Otherwise, ignore the field."
    events = whole(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")
    assert [e.id for e in events] == ["1", "1"]


@pytest.mark.parametrize(
    "value",
    [b"1.5", b"-1", b"+1", b" 100", b"1e3", b"", "\u0661\u0662".encode()],
    ids=["decimal", "negative", "plus", "extra-space", "exponent", "empty", "arabic-digits"],
)
def test_a_retry_that_is_not_only_ascii_digits_is_ignored(value: bytes) -> None:
    # "If the field value consists of only ASCII digits, then interpret the field value as an
    # integer in base ten [...]. Otherwise, ignore the field."
    events = whole(b"retry: 250\ndata: a\n\nretry: " + value + b"\ndata: b\n\n")
    assert [e.retry for e in events] == [250, 250]


def test_retry_is_read_in_base_ten() -> None:
    assert whole(b"retry: 0010\ndata: a\n\n") == [ServerSentEvent(data="a", retry=10)]


def test_invalid_utf8_becomes_the_replacement_character() -> None:
    # Event streams are decoded with "UTF-8 decode": errors become U+FFFD, never an exception.
    assert whole(b"data: a\xffb\n\n") == [ServerSentEvent(data="a\ufffdb")]


def test_a_byte_order_mark_is_skipped_only_at_the_start_of_the_stream() -> None:
    # "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
    bom = "\ufeff".encode()
    assert whole(bom + b"data: a\n\n") == [ServerSentEvent(data="a")]
    # A second BOM is part of the line: "\ufeffdata" is an unknown field, ignored.
    assert whole(bom + b"data: a\n\n" + bom + b"data: b\n\ndata: c\n\n") == [
        ServerSentEvent(data="a"),
        ServerSentEvent(data="c"),
    ]
    # Only one is stripped: a second one right after the first stays in the field name.
    assert whole(bom + bom + b"data: a\n\ndata: b\n\n") == [ServerSentEvent(data="b")]


# ------------------------------------------------------------------ line ends across pieces


def test_events_are_handed_over_as_soon_as_their_blank_line_arrives() -> None:
    decoder = SSEDecoder()
    assert feed_each(decoder, b"data: a\n", b"\n", b"data: b\n\ndata: c", b"\n\n") == [
        [],
        [ServerSentEvent(data="a")],
        [ServerSentEvent(data="b")],
        [ServerSentEvent(data="c")],
    ]
    assert decoder.end() is None


def test_a_piece_starting_with_lf_after_a_piece_ending_in_lf_is_a_blank_line() -> None:
    decoder = SSEDecoder()
    assert feed_each(decoder, b"data: a\n", b"\ndata: b\n", b"\n") == [
        [],
        [ServerSentEvent(data="a")],
        [ServerSentEvent(data="b")],
    ]


def test_a_cr_at_the_end_of_a_piece_then_a_line_that_is_not_lf() -> None:
    # "data: a" CR | "data: b" CR CR: the CR ends the line; the next piece is a new line.
    decoder = SSEDecoder()
    assert feed_each(decoder, b"data: a\r", b"data: b\r\r") == [
        [],
        [ServerSentEvent(data="a\nb")],
    ]


def test_a_cr_then_lf_in_the_next_piece_then_a_blank_line() -> None:
    decoder = SSEDecoder()
    assert feed_each(decoder, b"data: a\r", b"\n", b"\r", b"\n") == [
        [],
        [],
        [ServerSentEvent(data="a")],
        [],
    ]
    assert decoder.end() is None


def test_lf_before_cr_in_one_piece() -> None:
    # LF ends "data: a"; then CR ends an empty line: the event is dispatched.
    decoder = SSEDecoder()
    assert feed_each(decoder, b"data: a\n\rdata: b\r\n\r\n") == [
        [ServerSentEvent(data="a"), ServerSentEvent(data="b")]
    ]


def test_cr_lf_and_crlf_mixed_in_one_stream() -> None:
    body = b"data: 1\r\ndata: 2\rdata: 3\n\r\ndata: 4\r\r"
    assert whole(body) == [ServerSentEvent(data="1\n2\n3"), ServerSentEvent(data="4")]


# ------------------------------------------------------------------ the end of the body


def test_the_end_reads_a_last_line_without_its_line_end() -> None:
    decoder = SSEDecoder()
    assert list(decoder.feed(b"data: x\nevent: late")) == []
    assert decoder.end() == ServerSentEvent("late", "x")


def test_the_end_dispatches_pending_data_once() -> None:
    decoder = SSEDecoder()
    assert list(decoder.feed(b"data: x\n")) == []
    assert decoder.end() == ServerSentEvent(data="x")
    assert decoder.end() is None


def test_the_end_keeps_the_id_and_retry_and_replaces_invalid_utf8() -> None:
    decoder = SSEDecoder()
    assert list(decoder.feed(b"id: 3\nretry: 5\ndata: a\xffb")) == []
    assert decoder.end() == ServerSentEvent("message", "a\ufffdb", "3", 5)


def test_the_end_of_a_body_that_ends_in_a_comment() -> None:
    decoder = SSEDecoder()
    assert list(decoder.feed(b"data: x\n: bye")) == []
    assert decoder.end() == ServerSentEvent(data="x")


def test_the_end_with_nothing_pending() -> None:
    assert SSEDecoder().end() is None
    decoder = SSEDecoder()
    list(decoder.feed(b"data: x\n\n"))
    assert decoder.end() is None


# ------------------------------------------------------------------ the size bound


def test_a_line_of_exactly_the_bound_is_accepted_one_more_byte_is_not() -> None:
    # "longer than max_event_size bytes" is refused; exactly that many is not.
    decoder = SSEDecoder(max_event_size=100)
    assert list(decoder.feed(b"data: " + b"x" * 94)) == []  # 100 bytes, no line end yet
    with pytest.raises(ValueError, match="longer than 100 bytes"):
        list(decoder.feed(b"x"))


def test_the_bound_counts_the_data_of_the_event_not_of_the_stream() -> None:
    # The data buffer of the standard: each data line's value and a LF. "abcd\nefgh\n" is
    # 10 bytes, within a bound of 10; another (empty) data line makes it 11.
    decoder = SSEDecoder(max_event_size=10)
    assert list(decoder.feed(b"data: abcd\ndata: efgh\n")) == []
    with pytest.raises(ValueError, match="longer than 10 bytes"):
        list(decoder.feed(b"data\n"))
    # Dispatched events do not count towards the next one.
    fresh = SSEDecoder(max_event_size=10)
    assert list(fresh.feed(b"data: 123456789\n\n")) == [ServerSentEvent(data="123456789")]
    assert list(fresh.feed(b"data: 123456789\n")) == []
    assert list(fresh.feed(b"\n")) == [ServerSentEvent(data="123456789")]
    # An event dropped for having no data also starts the count again.
    assert list(fresh.feed(b"event: e\n\ndata: 123456789\n")) == []


def test_the_bound_adds_the_unfinished_line_to_the_data_so_far() -> None:
    decoder = SSEDecoder(max_event_size=10)
    assert list(decoder.feed(b"data: abcd\n")) == []  # 5 bytes of data
    assert list(decoder.feed(b"data:")) == []  # 5 + 5 bytes of line
    with pytest.raises(ValueError, match="longer than 10 bytes"):
        list(decoder.feed(b"x"))


def test_the_bound_counts_bytes_not_characters() -> None:
    # "é" is two bytes in UTF-8: five of them and the data line's LF make 11 bytes, over a
    # bound of 10, although they are only 6 characters.
    decoder = SSEDecoder(max_event_size=10)
    with pytest.raises(ValueError, match="longer than 10 bytes"):
        list(decoder.feed("data: ééééé\n".encode()))
    # Four of them and the LF are 9 bytes: within the bound.
    fitting = SSEDecoder(max_event_size=10)
    assert list(fitting.feed("data: éééé\n\n".encode())) == [ServerSentEvent(data="éééé")]


def test_the_bound_counts_the_bytes_of_an_unfinished_line() -> None:
    # "data:" and five three-byte characters are 20 bytes: exactly the bound; one more is not.
    decoder = SSEDecoder(max_event_size=20)
    assert list(decoder.feed("data:€€€€€".encode())) == []
    with pytest.raises(ValueError, match="longer than 20 bytes"):
        list(decoder.feed(b"x"))


def test_an_event_over_the_bound_is_refused_even_when_it_ends_in_the_same_piece() -> None:
    # The bound is on the event's data, not only on what is left over at the end of a piece.
    decoder = SSEDecoder(max_event_size=10)
    with pytest.raises(ValueError, match="longer than 10 bytes"):
        list(decoder.feed(b"data: 12345678901\n\n"))
    exactly = SSEDecoder(max_event_size=10)
    assert list(exactly.feed(b"data: 123456789\n\n")) == [ServerSentEvent(data="123456789")]


def test_a_data_field_without_colon_counts_towards_the_bound() -> None:
    # "data" alone appends an empty line: one LF byte each.
    decoder = SSEDecoder(max_event_size=3)
    assert list(decoder.feed(b"data\ndata\ndata\n")) == []
    with pytest.raises(ValueError, match="longer than 3 bytes"):
        list(decoder.feed(b"data\n"))
    # Also when the event ends in the same piece.
    with pytest.raises(ValueError, match="longer than 3 bytes"):
        list(SSEDecoder(max_event_size=3).feed(b"data\ndata\ndata\ndata\n\n"))


def test_an_empty_piece_between_cr_and_lf_keeps_them_one_line_end() -> None:
    # CR | (nothing) | LF: still one CRLF, so "data: b" belongs to the same event.
    decoder = SSEDecoder()
    assert feed_each(decoder, b"data: a\r", b"", b"\ndata: b\n\n") == [
        [],
        [],
        [ServerSentEvent(data="a\nb")],
    ]


def test_a_byte_order_mark_split_across_pieces_is_skipped() -> None:
    decoder = SSEDecoder()
    assert feed_each(decoder, b"\xef", b"\xbb", b"\xbfdata: a\n\n") == [
        [],
        [],
        [ServerSentEvent(data="a")],
    ]


def test_a_byte_order_mark_at_the_start_of_a_later_piece_is_part_of_the_line() -> None:
    # Only the stream's first line may lose a BOM, not the first line of every piece.
    bom = "\ufeff".encode()
    decoder = SSEDecoder()
    assert feed_each(decoder, bom + b"data: a\n\n", bom + b"data: b\n\ndata: c\n\n") == [
        [ServerSentEvent(data="a")],
        [ServerSentEvent(data="c")],
    ]


def test_a_byte_order_mark_before_a_last_line_without_line_end() -> None:
    decoder = SSEDecoder()
    assert list(decoder.feed(b"\xef\xbb\xbfdata: a")) == []
    assert decoder.end() == ServerSentEvent(data="a")


def test_feed_raw_hands_over_the_data_as_received_bytes() -> None:
    # The stream parses chunks from bytes: no decoding to text and back.
    decoder = SSEDecoder()
    body = b"event: e\nid: 7\nretry: 20\ndata: a\xc3\xa9\ndata: b\n\ndata: \xff\n\n"
    assert list(decoder.feed_raw(body)) == [
        ("e", b"a\xc3\xa9\nb", "7", 20),
        ("message", b"\xff", "7", 20),
    ]
    assert list(decoder.feed_raw(b"data: last")) == []
    assert decoder.end_raw() == ("message", b"last", "7", 20)
    assert decoder.end_raw() is None


def test_non_ascii_event_and_id_values_are_decoded() -> None:
    events = whole("event: ünïcode\nid: ï".encode() + b"\xffd\ndata: x\n\n")
    assert events == [ServerSentEvent("ünïcode", "x", "ï\ufffdd")]
