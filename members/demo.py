"""Demo partners for ``manage.py load_demo``: the Hiratsuka marine-energy study group (seed 000)
and a Hitachi-style decarbonisation consortium (seeds 002/004). Idempotent: natural keys only.

Persons are fictional. No real 法人番号 is used: the field stays empty in the demo.
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

HIRATSUKA = "平塚海洋エネルギー研究会"
HITACHI = "日立市中小企業脱炭素コンソーシアム"

# (name, kana, sector, local, groups joined with the date)
ORGANISATIONS: list[tuple[str, str, str, bool, list[tuple[str, dt.date]]]] = [
    (
        "平塚市 産業振興課",
        "ヒラツカシ サンギョウシンコウカ",
        G,
        True,
        [(HIRATSUKA, dt.date(2016, 6, 1))],
    ),
    (
        "東京大学生産技術研究所",
        "トウキョウダイガク セイサンギジュツケンキュウショ",
        U,
        False,
        [(HIRATSUKA, dt.date(2016, 6, 1)), (f"{HIRATSUKA}/第1部会", dt.date(2016, 9, 1))],
    ),
    (
        "横浜ゴム株式会社 平塚製造所",
        "ヨコハマゴム",
        C,
        True,
        [(HIRATSUKA, dt.date(2016, 6, 1)), (f"{HIRATSUKA}/第1部会", dt.date(2016, 9, 1))],
    ),
    (
        "渋谷潜水工業株式会社",
        "シブヤセンスイコウギョウ",
        C,
        True,
        [(HIRATSUKA, dt.date(2016, 6, 1)), (f"{HIRATSUKA}/第2部会", dt.date(2016, 9, 1))],
    ),
    (
        "株式会社山川機械製作所",
        "ヤマカワキカイセイサクショ",
        C,
        True,
        [(HIRATSUKA, dt.date(2017, 4, 1)), (f"{HIRATSUKA}/第1部会", dt.date(2017, 4, 1))],
    ),
    (
        "古河電気工業株式会社 平塚事業所",
        "フルカワデンキコウギョウ",
        C,
        True,
        [(HIRATSUKA, dt.date(2016, 6, 1))],
    ),
    (
        "荏原環境プラント株式会社",
        "エバラカンキョウプラント",
        C,
        True,
        [(HIRATSUKA, dt.date(2018, 5, 1))],
    ),
    ("平塚商工会議所", "ヒラツカショウコウカイギショ", A, True, [(HIRATSUKA, dt.date(2016, 6, 1))]),
    (
        "平塚市漁業協同組合",
        "ヒラツカシギョギョウキョウドウクミアイ",
        A,
        True,
        [(HIRATSUKA, dt.date(2016, 6, 1)), (f"{HIRATSUKA}/第2部会", dt.date(2016, 9, 1))],
    ),
    (
        "平塚市電設業組合",
        "ヒラツカシデンセツギョウクミアイ",
        A,
        True,
        [(HIRATSUKA, dt.date(2017, 6, 1))],
    ),
    (
        "川崎重工業株式会社",
        "カワサキジュウコウギョウ",
        C,
        False,
        [(HIRATSUKA, dt.date(2016, 6, 1))],
    ),
    (
        "株式会社東京久栄",
        "トウキョウキュウエイ",
        C,
        False,
        [(HIRATSUKA, dt.date(2016, 6, 1)), (f"{HIRATSUKA}/第2部会", dt.date(2016, 9, 1))],
    ),
    ("株式会社吉田組", "ヨシダグミ", C, False, [(HIRATSUKA, dt.date(2017, 4, 1))]),
    (
        "東洋電機製造株式会社",
        "トウヨウデンキセイゾウ",
        C,
        False,
        [(HIRATSUKA, dt.date(2016, 6, 1)), (f"{HIRATSUKA}/第1部会", dt.date(2016, 9, 1))],
    ),
    ("電源開発株式会社", "デンゲンカイハツ", C, False, [(HIRATSUKA, dt.date(2018, 4, 1))]),
    ("株式会社九電工", "キュウデンコウ", C, False, [(HIRATSUKA, dt.date(2019, 5, 1))]),
    ("中部電力株式会社", "チュウブデンリョク", C, False, [(HIRATSUKA, dt.date(2019, 6, 1))]),
    ("若築建設株式会社", "ワカチクケンセツ", C, False, [(HIRATSUKA, dt.date(2017, 4, 1))]),
    ("川田工業株式会社", "カワダコウギョウ", C, False, [(HIRATSUKA, dt.date(2018, 4, 1))]),
    ("中国塗料株式会社", "チュウゴクトリョウ", C, False, [(HIRATSUKA, dt.date(2020, 4, 1))]),
    (
        "サンユウシビルエンジニアリング株式会社",
        "サンユウシビルエンジニアリング",
        C,
        False,
        [(HIRATSUKA, dt.date(2020, 7, 1))],
    ),
    ("株式会社関西設計", "カンサイセッケイ", C, False, [(HIRATSUKA, dt.date(2021, 4, 1))]),
    (
        "国立研究開発法人 新エネルギー・産業技術総合開発機構（NEDO）",
        "シンエネルギーサンギョウギジュツソウゴウカイハツキコウ",
        F,
        False,
        [],
    ),
    ("環境省", "カンキョウショウ", F, False, []),
    ("内閣府", "ナイカクフ", F, False, []),
    (
        "日立市",
        "ヒタチシ",
        G,
        False,
        [(HITACHI, dt.date(2022, 4, 1)), (f"{HITACHI}/地域GX推進分科会", dt.date(2023, 4, 1))],
    ),
    (
        "株式会社日立製作所",
        "ヒタチセイサクショ",
        C,
        False,
        [(HITACHI, dt.date(2022, 4, 1)), (f"{HITACHI}/地域GX推進分科会", dt.date(2023, 4, 1))],
    ),
    ("茨城大学", "イバラキダイガク", U, False, [(HITACHI, dt.date(2022, 4, 1))]),
    ("株式会社常陽銀行", "ジョウヨウギンコウ", F, False, [(HITACHI, dt.date(2022, 4, 1))]),
    ("日立商工会議所", "ヒタチショウコウカイギショ", A, False, [(HITACHI, dt.date(2022, 4, 1))]),
]

GROUPS = [
    # (path, description, founded_on, applications_open, order)
    (
        HIRATSUKA,
        "平塚市と東京大学生産技術研究所の連携協力協定に基づき、平塚新港周辺での波力発電など海洋エネルギーの"
        "活用と、市内企業の新産業参入を目指す研究会です。総会、部会、視察、水槽実験を行っています。",
        dt.date(2016, 6, 1),
        True,
        1,
    ),
    (
        f"{HIRATSUKA}/第1部会",
        "波力発電装置の開発・実証を検討する部会。",
        dt.date(2016, 9, 1),
        True,
        1,
    ),
    (
        f"{HIRATSUKA}/第2部会",
        "海洋環境調査・施工・維持管理を検討する部会。",
        dt.date(2016, 9, 1),
        True,
        2,
    ),
    (
        HITACHI,
        "日立市と株式会社日立製作所の包括連携協定に基づき、産学金官で市内中小企業の脱炭素化を支援する"
        "コンソーシアムです。",
        dt.date(2022, 4, 1),
        True,
        2,
    ),
    (
        f"{HITACHI}/地域GX推進分科会",
        "地域のGX（グリーントランスフォーメーション）推進を検討する分科会。",
        dt.date(2023, 4, 1),
        False,
        1,
    ),
]

FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["一郎", "花子", "健太", "由美", "誠", "恵子"]
KANA_FAMILY = [
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
]
KANA_GIVEN = ["イチロウ", "ハナコ", "ケンタ", "ユミ", "マコト", "ケイコ"]

DEMO_PASSWORD = "kyoso-demo-2024"  # noqa: S105 - demo accounts only, printed on purpose

USERS = [
    # (email, group, is_superuser, organisation for a Person or None)
    ("admin@kyoso.example.jp", roles.ADMINISTRATORS, True, None),
    ("staff@kyoso.example.jp", roles.SECRETARIAT, False, "平塚市 産業振興課"),
    ("member@kyoso.example.jp", None, False, "渋谷潜水工業株式会社"),
]


def _group(path: str) -> StudyGroup:
    parent = None
    for name in path.split("/"):
        parent, _ = StudyGroup.objects.get_or_create(parent=parent, name=name)
    return parent


def load(*, stdout) -> None:
    for path, description, founded_on, open_, order in GROUPS:
        group = _group(path)
        group.description = description
        group.founded_on = founded_on
        group.applications_open = open_
        group.order = order
        group.save()

    orgs: dict[str, Organisation] = {}
    for index, (name, kana, sector, local, memberships) in enumerate(ORGANISATIONS):
        org, _ = Organisation.objects.update_or_create(
            name=name, defaults={"name_kana": kana, "sector": sector, "is_local": local}
        )
        orgs[name] = org
        for path, joined_on in memberships:
            Membership.objects.get_or_create(
                organisation=org, study_group=_group(path), defaults={"joined_on": joined_on}
            )
        for n in range(2 if sector != F else 1):
            k = (index * 2 + n) % len(FAMILY)
            g = (index + n) % len(GIVEN)
            Person.objects.get_or_create(
                organisation=org,
                name=f"{FAMILY[k]} {GIVEN[g]}",
                defaults={
                    "name_kana": f"{KANA_FAMILY[k]} {KANA_GIVEN[g]}",
                    "email": f"person{index:02d}{n}@demo.kyoso.example.jp",
                    "department": "企画部" if n == 0 else "技術部",
                },
            )

    # A former member, so histories show a left date.
    Membership.objects.get_or_create(
        organisation=orgs["株式会社関西設計"],
        study_group=_group(f"{HIRATSUKA}/第2部会"),
        joined_on=dt.date(2017, 4, 1),
        defaults={"left_on": dt.date(2020, 3, 31)},
    )

    for email, group_name, superuser, org_name in USERS:
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
        if org_name:
            Person.objects.update_or_create(
                user=user,
                defaults={"organisation": orgs[org_name], "name": "デモ 利用者", "email": email},
            )

    # Pending join requests for the staff queue.
    member = Person.objects.get(user__username="member@kyoso.example.jp")
    for applicant, group in [
        (member, _group(f"{HIRATSUKA}/第1部会")),
        (orgs["荏原環境プラント株式会社"].people.first(), _group(f"{HIRATSUKA}/第2部会")),
        (orgs["日立商工会議所"].people.first(), _group(f"{HITACHI}/地域GX推進分科会")),
    ]:
        JoinRequest.objects.get_or_create(
            applicant=applicant,
            organisation=applicant.organisation,
            study_group=group,
            status=JoinRequest.Status.PENDING,
            defaults={"message": "部会の活動に参加し、実証に協力したいと考えています。"},
        )

    stdout.write("デモ用ログイン / demo logins:")
    for email, _group_name, _superuser, _org in USERS:
        stdout.write(f"  {email} / {DEMO_PASSWORD}")
