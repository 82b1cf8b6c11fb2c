from django.contrib.staticfiles import finders
from django.test import Client


def test_favicon_ico_redirects_to_the_svg_that_exists(db):
    response = Client().get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    icon = finders.find("favicon.svg")
    assert icon
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg xmlns=")


def test_every_page_names_the_icon_so_the_browser_need_not_guess(db):
    login = Client().get("/account/login/").text

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login
