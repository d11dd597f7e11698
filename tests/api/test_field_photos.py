"""Field-report photos keep nothing but the picture: EXIF (GPS included) is gone, the photo is
upright, a JPEG/HTML polyglot comes out a plain JPEG; a header declaring too many pixels is
refused before decoding; a body past the size limit is refused before it is read whole."""

from __future__ import annotations

import io
import select
import socket
import struct
import threading
import time
import zlib

import pytest
import uvicorn
from api_access import MAX_PHOTO_BYTES, auth
from api_seed import CITY
from fastapi.testclient import TestClient
from PIL import Image

from observatory.app import create_app
from observatory.settings import ApiSettings, FieldSettings, StoreSettings
from observatory.store import Store

URL = f"/cities/{CITY.slug}/field-reports"
FORM = {"lon": "34.985", "lat": "32.185", "category": "waste"}
GPS = {1: "N", 2: (32.0, 11.0, 6.0), 3: "E", 4: (34.0, 59.0, 6.0)}  # a position, in EXIF


def _phone_jpeg() -> bytes:
    """40 wide, 20 high, left half red; EXIF says: show it turned 90° clockwise, taken at GPS."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def _submit(api: TestClient, key: str, name: str, data: bytes, media_type: str):
    return api.post(URL, data=FORM, files={"photo": (name, data, media_type)},
                    headers=auth(key))


def _served(api: TestClient, keys: dict, sha256: str) -> bytes:
    answer = api.get(f"/photos/{sha256}", headers=auth(keys["officer"]))
    assert answer.status_code == 200
    return answer.content


def test_a_phone_photo_is_stored_upright_with_no_exif_at_all(api: TestClient, keys: dict):
    sent = _phone_jpeg()
    with Image.open(io.BytesIO(sent)) as original:  # the test photo does carry a position
        assert original.getexif().get_ifd(0x8825)[2] == (32.0, 11.0, 6.0)

    report = _submit(api, keys["planner"], "IMG_0001.jpg", sent, "image/jpeg")
    assert report.status_code == 201, report.text
    served = _served(api, keys, report.json()["photo"])

    assert b"Exif" not in served and b"PhoneMaker" not in served
    with Image.open(io.BytesIO(served)) as kept:
        assert kept.format == "JPEG"
        assert dict(kept.getexif()) == {} and "exif" not in kept.info
        assert kept.size == (20, 40)  # turned as the EXIF said, so it still looks right
        red, blue = kept.getpixel((10, 5)), kept.getpixel((10, 35))
        assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60


def test_a_jpeg_html_polyglot_is_stored_as_a_plain_jpeg(api: TestClient, keys: dict):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(
        out, "JPEG", comment=b"<html><script>alert('comment')</script></html>")
    polyglot = out.getvalue() + b"<html><body><script>alert('tail')</script></body></html>"

    report = _submit(api, keys["planner"], "cat.jpg", polyglot, "image/jpeg")
    assert report.status_code == 201, report.text
    served = _served(api, keys, report.json()["photo"])

    assert b"<script" not in served and b"<html" not in served
    assert served.startswith(b"\xff\xd8\xff") and served.endswith(b"\xff\xd9")


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels and holds (almost) none."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0"))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (8_000, 6_000)])
def test_a_png_declaring_too_many_pixels_is_refused_before_decoding(
    api: TestClient, keys: dict, tmp_path, width, height
):
    refused = _submit(api, keys["planner"], "huge.png", _png_header(width, height), "image/png")
    # Refused from the header: the file has one byte of pixel data, so decoding would have
    # answered "cannot be decoded" instead (and a timing would fail on a loaded machine).
    assert refused.status_code == 422
    assert "declares more than 40 megapixels" in refused.json()["detail"]
    assert not (tmp_path / "photos").exists()


def test_an_image_that_does_not_decode_is_422(api: TestClient, keys: dict, tmp_path):
    refused = _submit(api, keys["planner"], "x.png", _png_header(4, 4)[:40], "image/png")
    assert refused.status_code == 422 and "cannot be decoded" in refused.json()["detail"]
    assert not (tmp_path / "photos").exists()


# A real server on a socket: how much of an oversized body does it take before it answers? ---

BOUNDARY = "----observatory-test"
TOTAL = 300 * 2**20  # the 300 MiB of the attack
CHUNK = 64 * 1024


@pytest.fixture
def server(seeded: Store, store_url: str, tmp_path):
    app = create_app(StoreSettings(database_url=store_url, data_dir=tmp_path), ApiSettings(),
                     FieldSettings(max_photo_bytes=MAX_PHOTO_BYTES))
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield listening.getsockname()[1]
    running.should_exit = True
    thread.join(10)


def _send_oversized(port: int, key: str, *, chunked: bool) -> tuple[int, bytes]:
    """Send up to ``TOTAL`` bytes of a report; stop when the server answers. Returns the body
    bytes sent and the answer's first bytes."""
    head = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n" for name, value in FORM.items())
    head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; '
             'filename="big.png"\r\nContent-Type: image/png\r\n\r\n')
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {TOTAL}"
    request = (f"POST {URL} HTTP/1.1\r\nHost: test\r\nX-API-Key: {key}\r\n"
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{length}\r\n\r\n")
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request.encode())
        pieces = [head.encode(), *(bytes(CHUNK) for _ in range(TOTAL // CHUNK))]
        try:
            for piece in pieces:
                if select.select([conn], [], [], 0)[0]:
                    break  # the server has answered
                conn.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked
                             else piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return sent, _answer(conn)


def _answer(conn: socket.socket) -> bytes:
    """The whole answer: its head and as much body as its Content-Length says (the head may
    arrive in a segment of its own)."""
    answer = b""
    while b"\r\n\r\n" not in answer or len(answer) < _answer_length(answer):
        piece = conn.recv(4096)
        if not piece:
            break
        answer += piece
    return answer


def _answer_length(answer: bytes) -> int:
    head, _, _ = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(answer)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_past_the_limit_is_refused_before_it_is_read_whole(server, keys, chunked):
    sent, answer = _send_oversized(server, keys["planner"], chunked=chunked)

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"is larger than" in answer
    print(f"\n{'chunked' if chunked else 'Content-Length'}: {sent} body bytes sent of {TOTAL}")
    assert sent < 8 * 2**20  # what socket buffers take in, not the 300 MiB
