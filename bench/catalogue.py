"""Catalogue search at 10,000 published entries (``python -m bench.catalogue`` on its own).

Writes 10,000 published entries of believable text (kanji, katakana words, latin names) over
the database's organisations, then times searches through ``catalogue_search`` — what the
public page runs: the facet counts and the total in one grouped query, the first page of
results with their pictures — for a mix of what visitors type: a kanji word, a katakana word
typed in hiragana, full-width latin, two words, a word with a facet chosen, and no word at all.
Then the page itself over HTTP (gunicorn, anonymous, sequential). Reported: p50/p95 in ms and
the queries of each search, which must be the same for every search.

The entries carry a marker (``details`` begins with ``DESCRIPTION_MARK``) and are deleted at the
end, also when the measure fails; organisations are only created (with the bench address mark)
when the database has too few, and deleted with the entries.
"""

from __future__ import annotations

import http.client
import random
import statistics
import time
from urllib.parse import urlencode

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .results import Figure

ENTRIES = 10_000
ORGANISATIONS = 300
SEARCH_ROUNDS = 20  # each search of SEARCHES this many times, interleaved
HTTP_ROUNDS = 5
P95_TARGET_MS = 100
BATCH = 1000

# (what the visitor typed, facet choices): the mix the page sees.
SEARCHES: list[tuple[str, dict[str, str]]] = [
    ("波力", {}),
    ("発電", {}),
    ("水処理", {}),
    ("もにたりんぐ", {}),  # モニタリング typed in hiragana
    ("ばいおます", {}),
    ("せんさー", {}),
    ("ＩｏＴ", {}),  # full-width latin
    ("ＬＥＤ", {}),
    ("波力 ぶい", {}),  # two words, both must occur
    ("水素 すてーしょん", {}),
    ("発電", {"local": "1"}),
    ("せんさー", {"kind": "product"}),
    ("", {}),  # the catalogue as first opened
    ("", {"sector": "company", "local": "0"}),
]

KANJI = [
    "波力",
    "発電",
    "水処理",
    "排水",
    "省エネ",
    "脱炭素",
    "再生",
    "資源",
    "循環",
    "大気",
    "浄化",
    "蓄電",
    "水素",
    "風力",
    "太陽光",
    "地熱",
    "海洋",
    "港湾",
    "漁業",
    "農業",
    "医療",
    "介護",
    "物流",
    "交通",
    "診断",
    "計測",
    "監視",
    "予測",
    "分析",
    "制御",
    "防災",
    "減災",
    "品質",
]
KATAKANA = [
    "モニタリング",
    "バイオマス",
    "センサー",
    "システム",
    "プラント",
    "フィルター",
    "ポンプ",
    "タービン",
    "バッテリー",
    "ステーション",
    "シミュレーション",
    "プラットフォーム",
    "ブイ",
    "ロボット",
    "ドローン",
    "カメラ",
    "クラウド",
    "マネジメント",
    "リサイクル",
    "コンサルティング",
    "メンテナンス",
    "エネルギー",
    "スマート",
    "ネットワーク",
    "データ",
    "サービス",
]
LATIN = ["IoT", "AI", "LED", "EV", "CO2", "GX", "DX", "BEMS", "Harbor", "Marine", "Eco", "Smart"]
NOUNS = ["装置", "技術", "サービス", "ユニット", "ソフトウェア", "パッケージ", "診断", "工法"]
SENTENCES = [
    "{a}の{b}を使い、{c}を{d}する。",
    "{a}と{b}を組み合わせた{c}向けの{d}。",
    "工場や公共施設の{a}を{b}で見える化し、{c}の負担を減らす。",
    "{a}の現場で実証済みの{b}。{c}にも対応する。",
    "{a}から{b}までを一括で請け負い、{c}の{d}を支える。",
]
VERBS = ["改善", "効率化", "自動化", "低減", "最適化", "支援"]


def _katakana_reading(word: str) -> str:
    return word if all("\u30a0" <= ch <= "\u30ff" for ch in word) else ""


def _entry_text(rng: random.Random, mark: str) -> dict[str, str]:
    katakana = rng.choice(KATAKANA)
    kanji = rng.choice(KANJI)
    noun = rng.choice(NOUNS)
    title = rng.choice(
        [
            f"{kanji}{katakana}{noun}",
            f"{katakana}{kanji}{noun}",
            f"{rng.choice(LATIN)}{katakana}",
            f"{kanji}{rng.choice(KANJI)}{katakana}",
        ]
    )

    def sentence() -> str:
        return rng.choice(SENTENCES).format(
            a=rng.choice(KANJI + KATAKANA),
            b=rng.choice(KATAKANA + LATIN),
            c=rng.choice(KANJI),
            d=rng.choice(VERBS + NOUNS),
        )

    return {
        "title": title,
        "title_kana": katakana + (_katakana_reading(noun) or "ソウチ"),
        "summary": sentence(),
        "details": mark + "".join(sentence() for _ in range(rng.randint(2, 5))),
        "keywords": "、".join(rng.sample(KANJI + KATAKANA + LATIN, 4)),
    }


def _organisations(rng: random.Random) -> tuple[list, list[int]]:
    """Confirmed organisations to own the entries, and the ids of those created here."""
    from members.matching import organisation_name_key
    from members.models import Organisation, Sector

    from .generate import ADDRESS_MARK

    existing = list(Organisation.objects.confirmed().order_by("pk")[:ORGANISATIONS])
    if len(existing) >= ORGANISATIONS // 3:
        return existing, []
    created = Organisation.objects.bulk_create(
        Organisation(
            name=f"ベンチ技研{n}株式会社",
            name_kana=f"ベンチギケン{n}",
            sector=rng.choice(Sector.values),
            is_local=rng.random() < 0.6,
            address=f"{ADDRESS_MARK}ベンチ市{n}丁目",
            name_key=organisation_name_key(f"ベンチ技研{n}株式会社"),
        )
        for n in range(ORGANISATIONS)
    )
    return created, [o.pk for o in created]


def write_entries(count: int = ENTRIES, *, seed: int = 1) -> list[int]:
    """``count`` published entries (bulk, no history); returns the organisations created."""
    from projects.catalogue.models import Category, Entry

    from .generate import DESCRIPTION_MARK

    rng = random.Random(seed)
    organisations, created = _organisations(rng)
    categories = list(Category.objects.all())
    now = timezone.now()
    kinds = Entry.Kind.values
    batch = []
    with transaction.atomic():
        for n in range(count):
            entry = Entry(
                organisation=organisations[n % len(organisations)],
                category=rng.choice(categories),
                kind=rng.choice(kinds),
                status=Entry.Status.PUBLISHED,
                contact="技術営業部 000-0000-0000",
                url="https://example.jp/",
                submitted_at=now,
                published_at=now,
                updated_at=now,
                **_entry_text(rng, DESCRIPTION_MARK),
            )
            entry.search_text = entry.build_search_text()  # bulk_create skips save()
            batch.append(entry)
            if len(batch) >= BATCH:
                Entry.objects.bulk_create(batch)
                batch = []
        Entry.objects.bulk_create(batch)
    return created


def analyze() -> None:
    """Fresh planner statistics (and no dead rows of an earlier run), as autovacuum would have
    left a database that grew to this size over months."""
    from projects.catalogue.models import Entry

    table = connection.ops.quote_name(Entry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute(f"ANALYZE {table}")


def delete_entries(created_organisations: list[int]) -> None:
    """Remove the bench entries (and the organisations made for them) in a few statements,
    without signals: no history rows are written for rows that never had any."""
    from members.models import Organisation
    from projects.catalogue.models import Entry, EntryImage

    from .generate import ADDRESS_MARK, DESCRIPTION_MARK

    entries = Entry.objects.filter(details__startswith=DESCRIPTION_MARK)
    steps = [
        EntryImage.objects.filter(entry__in=entries),
        Entry.study_groups.through.objects.filter(entry__in=entries),
        Entry.projects.through.objects.filter(entry__in=entries),
        entries,
        Organisation.objects.filter(pk__in=created_organisations, address__startswith=ADDRESS_MARK),
    ]
    with transaction.atomic():
        for queryset in steps:
            queryset._raw_delete(queryset.db)


def _params(query: str, facets: dict[str, str]) -> dict[str, str]:
    return {**({"q": query} if query else {}), **facets}


def search_once(params: dict[str, str]) -> tuple[float, int, int]:
    """One search as the page runs it: (seconds, queries, results)."""
    from projects.catalogue.search import PAGE_SIZE, catalogue_search

    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        result = catalogue_search(params)
        page = list(result.entries[:PAGE_SIZE])
        for entry in page:
            entry.images.all()  # the thumbnail, from the prefetch
        elapsed = time.perf_counter() - started
    return elapsed, len(context.captured_queries), result.total


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0


def measure_searches() -> tuple[list[float], set[int], dict[str, int]]:
    timings: list[float] = []
    queries: set[int] = set()
    totals: dict[str, int] = {}
    for params in (_params(q, f) for q, f in SEARCHES):  # warm: plans, caches
        search_once(params)
    for _ in range(SEARCH_ROUNDS):
        for query, facets in SEARCHES:
            elapsed, count, total = search_once(_params(query, facets))
            timings.append(elapsed * 1000)
            # The empty page runs no results query: its count is the one that may differ.
            if total:
                queries.add(count)
            totals[" ".join(filter(None, [query, *facets.values()])) or "(none)"] = total
    return timings, queries, totals


def measure_http() -> list[float]:
    from django.urls import reverse

    from .server import HOST, gunicorn

    path = reverse("projects:catalogue_public_list")
    timings: list[float] = []
    with gunicorn(workers=1, threads=1) as server:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)

        def get(params: dict[str, str]) -> float:
            url = path + ("?" + urlencode(params) if params else "")
            started = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
            return (time.perf_counter() - started) * 1000

        for query, facets in SEARCHES:
            get(_params(query, facets))
        for _ in range(HTTP_ROUNDS):
            timings += [get(_params(query, facets)) for query, facets in SEARCHES]
        conn.close()
    return timings


def measure(*, http_page: bool = True) -> list[Figure]:
    from projects.catalogue.models import Entry

    delete_entries([])  # what an interrupted run left
    started = time.perf_counter()
    created = write_entries()
    written = time.perf_counter() - started
    try:
        analyze()
        published = Entry.objects.public().count()
        timings, queries, totals = measure_searches()
        web = measure_http() if http_page else []
    finally:
        delete_entries(created)
    p50, p95 = _p(timings, 50), _p(timings, 95)
    locked = len(queries) == 1
    figures = [
        Figure(
            f"catalogue search ({published:,} published entries, {len(timings)} searches)",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms; {'/'.join(map(str, sorted(queries)))} queries "
            f"per search (facets + total, page, pictures)",
            "—",
            f"p95 ≤ {P95_TARGET_MS} ms, the same queries for every search",
            p95 <= P95_TARGET_MS and locked,
            f"In process through catalogue_search, as the page runs it. Entries written in "
            f"{written:.1f} s. Results: "
            + ", ".join(f"{k} {v:,}" for k, v in list(totals.items())[:6])
            + " …",
            data={"catalogue_p95_ms": round(p95, 1), "catalogue_queries": max(queries or {0})},
        )
    ]
    if web:
        figures.append(
            Figure(
                "catalogue page over HTTP (gunicorn 1 worker, anonymous, sequential)",
                f"p50 {_p(web, 50):.0f} ms, p95 {_p(web, 95):.0f} ms over {len(web)} requests",
                "—",
                "",
                None,
                "The same searches as the row above, rendered (facets, 20 results).",
            )
        )
    return figures


if __name__ == "__main__":
    from .setup import django_setup

    django_setup()
    for figure in measure():
        print(f"{figure.verdict:>12}  {figure.measure}: {figure.figure}  {figure.note}")
