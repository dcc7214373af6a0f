"""GET /images/<file>: the committed card pictures, as the Alexa app fetches them."""

from __future__ import annotations

import hashlib

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from skill.screen.images import card_image_urls, committed_images, images_dir

SMALL = "pose_seated_right_small.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def fetch(client: FlaskClient, path: str, method: str = "GET", **kw: object) -> TestResponse:
    """The response, read and closed (a streamed file left open is a ResourceWarning)."""
    response = client.open(path, method=method, **kw)
    response.get_data()
    response.close()
    return response


def test_every_listed_picture_is_served_as_committed(client: FlaskClient) -> None:
    assert len(committed_images()) == 8  # two stretches x two legs x small and large
    for name, entry in committed_images().items():
        response = fetch(client, f"/images/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == "image/png"
        assert response.data.startswith(PNG_SIGNATURE)
        assert hashlib.sha256(response.data).hexdigest() == entry.sha256
        assert response.headers["ETag"] == f'"{entry.sha256}"'


def test_a_picture_is_cached_publicly_and_may_be_shown_by_any_origin(client: FlaskClient) -> None:
    response = fetch(client, f"/images/{SMALL}")
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]  # as the audio clips
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_head_says_the_size_without_the_body(client: FlaskClient) -> None:
    size = (images_dir() / SMALL).stat().st_size
    head = fetch(client, f"/images/{SMALL}", "HEAD")
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(size)
    assert head.data == b""


def test_a_cached_picture_is_revalidated_with_its_etag(client: FlaskClient) -> None:
    etag = fetch(client, f"/images/{SMALL}").headers["ETag"]
    again = fetch(client, f"/images/{SMALL}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = fetch(client, f"/images/{SMALL}", headers={"If-None-Match": '"0000"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/images/manifest.json",  # in the folder, but not a picture the manifest lists
        "/images/../art/seated.json",
        "/images/%2e%2e/art/seated.json",
        "/images/..%2fart%2fseated.json",
        "/images/..%2f..%2fconfig.py",
        "/images/pose_seated_right_small.png/",
        "/images/POSE_SEATED_RIGHT_SMALL.PNG",
        "/images/pose_seated_right_medium.png",
        "/images//etc/passwd",
        "/images/",
    ],
)
def test_nothing_else_is_served(client: FlaskClient, path: str) -> None:
    response = fetch(client, path, follow_redirects=True)  # "//" redirects to "/"
    assert response.status_code == 404
    assert response.is_json
    assert b"hamstring" not in response.data.lower()  # no file's text leaks into the answer
    assert not response.data.startswith(PNG_SIGNATURE)


def test_a_missing_picture_says_why(client: FlaskClient) -> None:
    response = fetch(client, "/images/pose_lunge_right_small.png")
    assert response.status_code == 404
    assert "pose_lunge_right_small.png" in response.get_data(as_text=True)


def test_other_methods_are_refused(client: FlaskClient) -> None:
    assert fetch(client, f"/images/{SMALL}", "POST").status_code == 405
    assert fetch(client, f"/images/{SMALL}", "PUT").status_code == 405


def test_healthz_says_where_card_pictures_come_from(client: FlaskClient) -> None:
    pictures = client.get("/healthz").get_json()["pictures"]
    assert pictures == {"images_base_url": "unset (text cards)", "card_images": 8}


@pytest.mark.parametrize(("stretch", "leg"), [("seated", "right"), ("supine", "left")])
def test_card_urls_point_at_pictures_this_server_serves(
    client: FlaskClient, stretch: str, leg: str
) -> None:
    urls = card_image_urls("https://coach.example.org/images/", stretch, leg)
    assert urls is not None
    small, large = urls
    assert small == f"https://coach.example.org/images/pose_{stretch}_{leg}_small.png"
    assert large == f"https://coach.example.org/images/pose_{stretch}_{leg}_large.png"
    for url, size in ((small, (720, 480)), (large, (1200, 800))):
        name = url.rsplit("/", 1)[1]
        assert fetch(client, f"/images/{name}").status_code == 200
        assert (committed_images()[name].width, committed_images()[name].height) == size


def test_no_card_urls_without_https_or_for_an_unknown_stretch() -> None:
    assert card_image_urls("http://coach.example.org/images", "seated") is None
    assert card_image_urls("https://coach.example.org/images", "seated", "right") is not None
    with pytest.raises(ValueError, match="lunge"):
        card_image_urls("https://coach.example.org/images", "lunge")
