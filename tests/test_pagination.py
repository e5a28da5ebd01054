"""One pagination for every list: the page links keep the filters of the list."""

from django.template import Context, Template
from django.test import RequestFactory

PAGINATION = Template('{% include "includes/_pagination.html" %}')


class _Page:
    def __init__(self, number, pages):
        self.number = number
        self.paginator = type("P", (), {"num_pages": pages})()

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.paginator.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def render(path, number, pages=3):
    request = RequestFactory().get(path)
    context = Context({"request": request, "is_paginated": True, "page_obj": _Page(number, pages)})
    return PAGINATION.render(context)


def test_links_keep_the_filters_and_replace_the_page():
    html = render("/organisations/?sector=company&q=%E5%B9%B3%E5%A1%9A&page=2", 2)
    assert 'href="?sector=company&amp;q=%E5%B9%B3%E5%A1%9A&amp;page=1"' in html
    assert 'href="?sector=company&amp;q=%E5%B9%B3%E5%A1%9A&amp;page=3"' in html
    assert "2 / 3" in html


def test_first_and_last_pages_have_one_link():
    first, last = render("/projects/", 1), render("/projects/?page=3", 3)
    assert 'href="?page=2"' in first and "page=0" not in first
    assert 'href="?page=2"' in last and "page=4" not in last


def test_nothing_without_pages():
    request = RequestFactory().get("/projects/")
    assert PAGINATION.render(Context({"request": request, "is_paginated": False})).strip() == ""


def test_a_hostile_value_is_escaped():
    html = render('/organisations/?q="><script>&page=2', 2)
    assert "<script>" not in html
