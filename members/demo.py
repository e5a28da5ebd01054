"""Demo partners for ``manage.py load_demo``: the Hiratsuka marine-energy study group (seed 000)
and a Hitachi-style decarbonisation consortium (seeds 002/004). Idempotent: natural keys only.

The Hiratsuka members are the organisations the seed lists (平成28年6月発足: 市内企業, 市内団体,
市外企業), joining the study group from its founding through FY2018, and its two subcommittees
from FY2017 (H29: 第1,2部会); three local firms that join after the agreement (FY2019 onwards) are
fictional, as are all persons. No real 法人番号 is used: the field stays empty in the demo.

Attendance (``events.demo``) is drawn from the people of the organisations that are members of
the meeting's group on its date, so every group here needs enough people for its largest meeting.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User

from . import roles
from .models import JoinRequest, Membership, Organisation, Person, Sector, StudyGroup

G, U, C, F, A = (
    Sector.GOVERNMENT,
    Sector.UNIVERSITY,
    Sector.COMPANY,
    Sector.FINANCIAL,
    Sector.ASSOCIATION,
)
CHAIR, SECRETARIAT = Membership.Role.CHAIR, Membership.Role.SECRETARIAT

HIRATSUKA = "平塚海洋エネルギー研究会"
S1 = f"{HIRATSUKA}/第1部会"
S2 = f"{HIRATSUKA}/第2部会"
HITACHI = "日立市中小企業脱炭素コンソーシアム"
GX = f"{HITACHI}/地域GX推進分科会"

FOUNDED = dt.date(2016, 6, 1)  # 平成28年6月発足
SUBCOMMITTEES = dt.date(2017, 4, 1)  # H29: 第1,2部会


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# A membership: (group path, joined_on, left_on, role).
Joined = tuple[str, dt.date, dt.date | None, str]


def joined(path: str, on: dt.date | str, role: str = Membership.Role.MEMBER) -> Joined:
    return (path, on if isinstance(on, dt.date) else d(on), None, role)


# (name, kana, e-mail key, sector, local, number of people, memberships)
ORGANISATIONS: list[tuple[str, str, str, str, bool, int, list[Joined]]] = [
    ("平塚市 産業振興課", "ヒラツカシ サンギョウシンコウカ", "city", G, True, 4,
     [joined(HIRATSUKA, FOUNDED, SECRETARIAT), joined(S1, SUBCOMMITTEES, SECRETARIAT),
      joined(S2, SUBCOMMITTEES, SECRETARIAT)]),
    ("東京大学生産技術研究所", "トウキョウダイガク セイサンギジュツケンキュウショ", "iis", U, False,
     6,
     [joined(HIRATSUKA, FOUNDED, CHAIR), joined(S1, SUBCOMMITTEES, CHAIR),
      joined(S2, SUBCOMMITTEES, CHAIR)]),
    ("横浜ゴム株式会社 平塚製造所", "ヨコハマゴム", "yokohama-rubber", C, True, 5,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, SUBCOMMITTEES)]),
    ("渋谷潜水工業株式会社", "シブヤセンスイコウギョウ", "shibuya-diving", C, True, 3,
     [joined(HIRATSUKA, FOUNDED), joined(S2, SUBCOMMITTEES)]),
    ("株式会社山川機械製作所", "ヤマカワキカイセイサクショ", "yamakawa", C, True, 3,
     [joined(HIRATSUKA, "2016-09-01"), joined(S1, SUBCOMMITTEES), joined(S2, "2018-04-01")]),
    ("古河電気工業株式会社 平塚事業所", "フルカワデンキコウギョウ", "furukawa", C, True, 4,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, "2017-06-01")]),
    ("荏原環境プラント株式会社", "エバラカンキョウプラント", "ebara", C, True, 3,
     [joined(HIRATSUKA, "2018-05-01"), joined(S1, "2018-05-01")]),
    ("平塚商工会議所", "ヒラツカショウコウカイギショ", "chamber", A, True, 3,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, SUBCOMMITTEES)]),
    ("平塚市漁業協同組合", "ヒラツカシギョギョウキョウドウクミアイ", "fisheries", A, True, 3,
     [joined(HIRATSUKA, FOUNDED), joined(S1, "2018-04-01"), joined(S2, SUBCOMMITTEES)]),
    ("平塚市電設業組合", "ヒラツカシデンセツギョウクミアイ", "electrical", A, True, 2,
     [joined(HIRATSUKA, "2016-12-01"), joined(S1, "2017-06-01"), joined(S2, "2018-04-01")]),
    ("川崎重工業株式会社", "カワサキジュウコウギョウ", "khi", C, False, 4,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, SUBCOMMITTEES)]),
    ("株式会社東京久栄", "トウキョウキュウエイ", "tokyo-kyuei", C, False, 3,
     [joined(HIRATSUKA, FOUNDED), joined(S1, "2018-04-01"), joined(S2, SUBCOMMITTEES)]),
    ("株式会社吉田組", "ヨシダグミ", "yoshida", C, False, 3,
     [joined(HIRATSUKA, "2017-04-01"), joined(S1, "2018-04-01"), joined(S2, SUBCOMMITTEES)]),
    ("東洋電機製造株式会社", "トウヨウデンキセイゾウ", "toyo-denki", C, False, 4,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, SUBCOMMITTEES)]),
    ("電源開発株式会社", "デンゲンカイハツ", "j-power", C, False, 4,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, "2017-09-01")]),
    ("株式会社九電工", "キュウデンコウ", "kyudenko", C, False, 3,
     [joined(HIRATSUKA, "2016-09-01"), joined(S1, SUBCOMMITTEES), joined(S2, "2018-04-01")]),
    ("中部電力株式会社", "チュウブデンリョク", "chubu", C, False, 4,
     [joined(HIRATSUKA, FOUNDED), joined(S1, SUBCOMMITTEES), joined(S2, SUBCOMMITTEES)]),
    ("若築建設株式会社", "ワカチクケンセツ", "wakachiku", C, False, 3,
     [joined(HIRATSUKA, FOUNDED), joined(S1, "2018-04-01"), joined(S2, SUBCOMMITTEES)]),
    ("川田工業株式会社", "カワダコウギョウ", "kawada", C, False, 3,
     [joined(HIRATSUKA, "2017-04-01"), joined(S1, SUBCOMMITTEES), joined(S2, SUBCOMMITTEES)]),
    ("中国塗料株式会社", "チュウゴクトリョウ", "cmp", C, False, 3,
     [joined(HIRATSUKA, "2016-10-01"), joined(S1, "2018-04-01"), joined(S2, SUBCOMMITTEES)]),
    ("サンユウシビルエンジニアリング株式会社", "サンユウシビルエンジニアリング", "sanyu-civil", C,
     False, 2,
     [joined(HIRATSUKA, "2017-10-01"), joined(S1, "2018-06-01"), joined(S2, "2017-10-01")]),
    # A former member of 第2部会 (left when its design work ended), so histories show a left date.
    ("株式会社関西設計", "カンサイセッケイ", "kansai-sekkei", C, False, 3,
     [joined(HIRATSUKA, FOUNDED), joined(S1, "2018-04-01"),
      (S2, SUBCOMMITTEES, d("2020-03-31"), Membership.Role.MEMBER)]),
    # After the agreement (協定締結後): fictional local firms.
    ("湘南ウェーブエナジー株式会社", "ショウナンウェーブエナジー", "shonan-wave", C, True, 3,
     [joined(HIRATSUKA, "2019-06-01"), joined(S1, "2019-06-01")]),
    ("株式会社平塚マリンサービス", "ヒラツカマリンサービス", "hiratsuka-marine", C, True, 3,
     [joined(HIRATSUKA, "2021-04-01"), joined(S2, "2021-04-01")]),
    ("湘南EVモビリティ株式会社", "ショウナンイーブイモビリティ", "shonan-ev", C, True, 3,
     [joined(HIRATSUKA, "2023-04-01"), joined(S1, "2023-04-01")]),
    # Funders (projects.demo): no memberships.
    ("国立研究開発法人 新エネルギー・産業技術総合開発機構（NEDO）",
     "シンエネルギーサンギョウギジュツソウゴウカイハツキコウ", "nedo", F, False, 1, []),
    ("環境省", "カンキョウショウ", "env", F, False, 1, []),
    ("内閣府", "ナイカクフ", "cao", F, False, 1, []),
    ("日立市", "ヒタチシ", "hitachi-city", G, False, 2,
     [joined(HITACHI, "2022-04-01", SECRETARIAT), joined(GX, "2023-04-01")]),
    ("株式会社日立製作所", "ヒタチセイサクショ", "hitachi", C, False, 2,
     [joined(HITACHI, "2022-04-01"), joined(GX, "2023-04-01")]),
    ("茨城大学", "イバラキダイガク", "ibaraki-u", U, False, 2, [joined(HITACHI, "2022-04-01")]),
    ("株式会社常陽銀行", "ジョウヨウギンコウ", "joyo", F, False, 2,
     [joined(HITACHI, "2022-04-01")]),
    ("日立商工会議所", "ヒタチショウコウカイギショ", "hitachi-cci", A, False, 2,
     [joined(HITACHI, "2022-04-01")]),
    # The prefecture co-hosts the city's fair and symposia (events.demo_showcase): no memberships.
    ("神奈川県 産業労働局", "カナガワケン サンギョウロウドウキョク", "kanagawa", G, False, 2, []),
]  # fmt: skip

GROUPS = [
    # (path, description, founded_on, applications_open, order)
    (
        HIRATSUKA,
        "平塚市と東京大学生産技術研究所の連携協力協定に基づき、平塚新港周辺での波力発電など海洋エネルギーの"
        "活用と、市内企業の新産業参入を目指す研究会です。総会、部会、視察、水槽実験を行っています。",
        FOUNDED,
        True,
        1,
    ),
    (S1, "波力発電装置の開発・実証と、その実用化を検討する部会。", SUBCOMMITTEES, True, 1),
    (
        S2,
        "海洋環境調査・施工・維持管理と、水槽実験や海中観測などの試験を検討する部会。",
        SUBCOMMITTEES,
        True,
        2,
    ),
    (
        HITACHI,
        "日立市と株式会社日立製作所の包括連携協定に基づき、産学金官で市内中小企業の脱炭素化を支援する"
        "コンソーシアムです。",
        d("2022-04-01"),
        True,
        2,
    ),
    (GX, "地域のGX（グリーントランスフォーメーション）推進を検討する分科会。", d("2023-04-01"),
     False, 1),
]  # fmt: skip

# Fictional names, combined so that no two demo persons share one.
FAMILY = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉川", "ヨシカワ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"),
    ("林", "ハヤシ"), ("清水", "シミズ"), ("森", "モリ"), ("池田", "イケダ"),
    ("橋本", "ハシモト"), ("石川", "イシカワ"), ("前田", "マエダ"), ("藤田", "フジタ"),
    ("後藤", "ゴトウ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("村上", "ムラカミ"),
    ("近藤", "コンドウ"), ("石井", "イシイ"), ("坂本", "サカモト"), ("遠藤", "エンドウ"),
    ("青木", "アオキ"), ("西村", "ニシムラ"), ("福田", "フクダ"), ("太田", "オオタ"),
    ("三浦", "ミウラ"), ("藤原", "フジワラ"), ("松田", "マツダ"), ("中川", "ナカガワ"),
]  # fmt: skip
GIVEN = [
    ("一郎", "イチロウ"), ("花子", "ハナコ"), ("健太", "ケンタ"), ("由美", "ユミ"),
    ("誠", "マコト"), ("恵子", "ケイコ"), ("大輔", "ダイスケ"), ("直子", "ナオコ"),
    ("翔", "ショウ"), ("美穂", "ミホ"), ("隆", "タカシ"), ("智子", "トモコ"),
    ("拓也", "タクヤ"), ("彩", "アヤ"), ("浩二", "コウジ"), ("真由美", "マユミ"),
    ("亮", "リョウ"), ("優子", "ユウコ"), ("修", "オサム"), ("千尋", "チヒロ"),
    ("雄一", "ユウイチ"), ("麻衣", "マイ"), ("哲也", "テツヤ"), ("沙織", "サオリ"),
    ("聡", "サトシ"), ("陽子", "ヨウコ"), ("和也", "カズヤ"), ("絵美", "エミ"),
    ("悟", "サトル"), ("奈々", "ナナ"), ("剛", "ツヨシ"),
]  # fmt: skip
DEPARTMENTS: dict[str, list[str]] = {
    G: ["産業振興課 企業支援・労政担当", "産業振興課"],
    U: ["林研究室", "海中観測工学研究室", "産学連携室"],
    C: ["技術開発部", "海洋事業部", "営業企画部", "生産技術部"],
    A: ["事務局", "企画課"],
    F: ["担当課"],
}

DEMO_PASSWORD = "kyoso-demo-2024"  # noqa: S105 - demo accounts only, printed on purpose

USERS = [
    # (email, group, is_superuser, (organisation, name, kana, department) for a Person or None)
    ("admin@kyoso.example.jp", roles.ADMINISTRATORS, True, None),
    (
        "staff@kyoso.example.jp",
        roles.SECRETARIAT,
        False,
        ("平塚市 産業振興課", "平田 美咲", "ヒラタ ミサキ", "産業振興課 企業支援・労政担当"),
    ),
    (
        "member@kyoso.example.jp",
        None,
        False,
        ("渋谷潜水工業株式会社", "岡本 翔太", "オカモト ショウタ", "技術部"),
    ),
]


def _group(path: str) -> StudyGroup:
    parent: StudyGroup | None = None
    for name in path.split("/"):
        parent, _ = StudyGroup.objects.get_or_create(parent=parent, name=name)
    if parent is None:
        raise ValueError("a study group's path names at least one group")
    return parent


def _first_person(organisation: Organisation) -> Person:
    """The organisation's first person by e-mail (the demo gives every organisation people)."""
    person = organisation.people.order_by("email").first()
    if person is None:
        raise LookupError(f"{organisation} has no people")
    return person


def _membership(organisation: Organisation, path: str, joined_on, left_on, role) -> None:
    group = _group(path)
    if left_on is None:  # at most one active membership per group: update it in place
        Membership.objects.update_or_create(
            organisation=organisation,
            study_group=group,
            left_on=None,
            defaults={"joined_on": joined_on, "role": role},
        )
    else:
        Membership.objects.update_or_create(
            organisation=organisation,
            study_group=group,
            joined_on=joined_on,
            defaults={"left_on": left_on, "role": role},
        )


def load(*, stdout) -> None:
    for path, description, founded_on, open_, order in GROUPS:
        group = _group(path)
        group.description = description
        group.founded_on = founded_on
        group.applications_open = open_
        group.order = order
        group.save()

    orgs: dict[str, Organisation] = {}
    serial = 0
    for name, kana, key, sector, local, headcount, memberships in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            name=name, defaults={"name_kana": kana, "sector": sector, "is_local": local}
        )
        orgs[name] = org
        for path, joined_on, left_on, role in memberships:
            _membership(org, path, joined_on, left_on, role)
        departments = DEPARTMENTS[sector]
        for n in range(1, headcount + 1):
            family, family_kana = FAMILY[serial % len(FAMILY)]
            given, given_kana = GIVEN[(serial * 7 + serial // len(FAMILY)) % len(GIVEN)]
            serial += 1
            Person.objects.update_or_create(
                email=f"{key}-{n}@demo.kyoso.example.jp",
                defaults={
                    "organisation": org,
                    "name": f"{family} {given}",
                    "name_kana": f"{family_kana} {given_kana}",
                    "department": departments[n % len(departments)],
                },
            )

    for email, group_name, superuser, person in USERS:
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        user.email = email
        user.is_staff = bool(group_name)
        user.is_superuser = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if person:
            org_name, name, kana, department = person
            Person.objects.update_or_create(
                user=user,
                defaults={
                    "organisation": orgs[org_name],
                    "name": name,
                    "name_kana": kana,
                    "department": department,
                    "email": email,
                },
            )

    # Pending join requests for the staff queue (to groups the organisations are not yet in).
    member = Person.objects.get(user__username="member@kyoso.example.jp")
    for applicant, group in [
        (member, _group(S1)),
        (_first_person(orgs["荏原環境プラント株式会社"]), _group(S2)),
        (_first_person(orgs["日立商工会議所"]), _group(GX)),
    ]:
        JoinRequest.objects.get_or_create(
            organisation=applicant.organisation,
            study_group=group,
            status=JoinRequest.Status.PENDING,
            defaults={
                "applicant": applicant,
                "message": "部会の活動に参加し、実証に協力したいと考えています。",
            },
        )

    stdout.write("デモ用ログイン / demo logins:")
    for email, _group_name, _superuser, _person in USERS:
        stdout.write(f"  {email} / {DEMO_PASSWORD}")
