import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from consortium import fiscal


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (dt.date(2019, 3, 31), 2018),
        (dt.date(2019, 4, 1), 2019),
        (dt.date(2020, 1, 1), 2019),
        (dt.date(2018, 4, 1), 2018),
        (dt.date(2018, 3, 31), 2017),
    ],
)
def test_fiscal_year_turns_on_april_first(day, fy):
    assert fiscal.fiscal_year_of(day) == fy


def test_fiscal_year_of_aware_datetime_uses_tokyo_time():
    # 2019-03-31 16:00 UTC is already 2019-04-01 01:00 in Tokyo.
    utc_instant = dt.datetime(2019, 3, 31, 16, 0, tzinfo=dt.UTC)
    assert fiscal.fiscal_year_of(utc_instant) == 2019


def test_fiscal_year_bounds_are_april_to_april():
    start, end = fiscal.fiscal_year_bounds(2018)
    assert (start.date(), end.date()) == (dt.date(2018, 4, 1), dt.date(2019, 4, 1))
    assert fiscal.fiscal_year_end(2018) == dt.date(2019, 3, 31)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(1989, 1, 7), "昭和64年"),
        (dt.date(1989, 1, 8), "平成元年"),
        (dt.date(2019, 4, 30), "平成31年"),
        (dt.date(2019, 5, 1), "令和元年"),
        (dt.date(2020, 1, 1), "令和2年"),
    ],
)
def test_era_changes_on_its_first_day(day, label):
    assert str(fiscal.era_of(day)) == label


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
        (2016, "平成28年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),
        (2020, "令和2年度"),
    ],
)
def test_fiscal_year_era_labels(fy, label):
    assert fiscal.era_fiscal_label(fy) == label


def test_fiscal_2019_is_heisei_31_in_older_documents():
    assert fiscal.era_fiscal_label(2019, at_start=True) == "平成31年度"
    assert fiscal.era_fiscal_short(2018) == "H30"


def test_fiscal_label_in_both_languages():
    assert fiscal.fiscal_label(2018, "ja") == "2018年度（平成30年度）"
    assert fiscal.fiscal_label(2018, "en") == "FY2018"
    with translation.override("ja"):
        rendered = Template("{{ fy|fiscal_label }}").render(Context({"fy": 2019}))
    assert rendered == "2019年度（令和元年度）"
    with translation.override("en"):
        assert Template("{{ fy|fiscal_label }}").render(Context({"fy": 2019})) == "FY2019"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2019-05-01", dt.date(2019, 5, 1)),
        ("2019/5/1", dt.date(2019, 5, 1)),
        ("2019年5月1日", dt.date(2019, 5, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和1年5月1日", dt.date(2019, 5, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("R2/1/15", dt.date(2020, 1, 15)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("２０１９／５／１", dt.date(2019, 5, 1)),
        ("2019-05-01 00:00:00", dt.date(2019, 5, 1)),
    ],
)
def test_parse_date_reads_western_and_era_dates(text, day):
    assert fiscal.parse_date(text) == day


@pytest.mark.parametrize(
    "text", ["令和元年4月30日", "平成32年1月1日", "2019/2/30", "来週", "", "平成0年1月1日"]
)
def test_parse_date_rejects_impossible_dates_with_a_message(text):
    with pytest.raises(ValueError, match="「"):
        fiscal.parse_date(text)


def test_date_filter_shows_era_in_japanese_and_plain_date_in_english():
    day = dt.date(2019, 5, 1)
    template = Template("{{ day|date_ja }}")
    with translation.override("ja"):
        assert template.render(Context({"day": day})) == "令和元年5月1日（水）"
    with translation.override("en"):
        rendered = template.render(Context({"day": day}))
    assert "2019" in rendered and "令和" not in rendered


def test_dates_carry_the_weekday_and_the_western_year_on_request(settings):
    day = dt.date(2026, 12, 11)
    assert fiscal.date_ja(day) == "令和8年12月11日（金）"
    assert fiscal.date_en(day) == "Fri 11 Dec 2026"
    settings.KYOSO_DATE_WESTERN_YEAR = True
    assert fiscal.date_ja(day) == "令和8年（2026年）12月11日（金）"
    assert fiscal.date_ja(dt.date(2019, 5, 1)) == "令和元年（2019年）5月1日（水）"


def test_a_meetings_day_and_times_read_one_way_everywhere():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    day = dt.date(2026, 12, 11)
    starts = dt.datetime(2026, 12, 11, 14, 0, tzinfo=tokyo)
    ends = dt.datetime(2026, 12, 11, 16, 0, tzinfo=tokyo)
    assert fiscal.when_text(day, starts, ends, "ja") == "令和8年12月11日（金）14:00〜16:00"
    assert fiscal.when_text(day, starts, ends, "en") == "Fri 11 Dec 2026, 14:00–16:00"
    assert fiscal.when_text(day, starts, None, "ja") == "令和8年12月11日（金）14:00"
    assert fiscal.when_text(day, None, None, "en") == "Fri 11 Dec 2026"
    # Stored in UTC, shown in Japan's time.
    utc = starts.astimezone(dt.UTC)
    assert fiscal.when_text(day, utc, None, "ja").endswith("14:00")


def test_a_moment_is_written_with_the_era_the_weekday_and_local_time():
    at = dt.datetime(2026, 12, 2, 21, 45, 9, tzinfo=dt.UTC)  # 06:45 on Thursday in Japan
    assert fiscal.moment_text(at, "ja") == "令和8年12月3日（木）06:45"
    assert fiscal.moment_text(at, "en") == "Thu 3 Dec 2026, 06:45"
    assert fiscal.moment_text(at, "ja", seconds=True) == "令和8年12月3日（木）06:45:09"
    assert fiscal.moment_text(None) == ""
    with translation.override("ja"):
        rendered = Template('{{ at|moment }} {{ at|moment:"seconds" }}').render(Context({"at": at}))
    assert rendered == "令和8年12月3日（木）06:45 令和8年12月3日（木）06:45:09"


def test_the_meeting_list_writes_the_day_above_the_times_and_the_year_in_two_lines():
    class Meeting:
        date = dt.date(2026, 12, 11)
        starts_at = dt.datetime(2026, 12, 11, 5, 0, tzinfo=dt.UTC)
        ends_at = dt.datetime(2026, 12, 11, 7, 0, tzinfo=dt.UTC)

    template = Template("{{ meeting|when_lines }}|{{ fy|fiscal_label_lines }}")
    with translation.override("ja"):
        assert template.render(Context({"meeting": Meeting, "fy": 2026})) == (
            '<span class="nowrap">令和8年12月11日（金）</span><br>'
            '<span class="nowrap">14:00〜16:00</span>|'
            '<span class="nowrap">2026年度</span><br><span class="muted nowrap">令和8年度</span>'
        )
    with translation.override("en"):
        assert template.render(Context({"meeting": Meeting, "fy": 2026})) == (
            '<span class="nowrap">Fri 11 Dec 2026</span><br>'
            '<span class="nowrap">14:00–16:00</span>|FY2026'
        )
    Meeting.starts_at = None
    with translation.override("ja"):
        assert template.render(Context({"meeting": Meeting, "fy": None})) == (
            '<span class="nowrap">令和8年12月11日（金）</span>|'
        )
