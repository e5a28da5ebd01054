"""Demo projects for ``manage.py load_demo`` (runs after the members demo). Idempotent.

Hiratsuka (seed 000): the partnership agreement with the University of Tokyo IIS and its five
articles, the wave-power project with its phases, money per fiscal year and derived outcomes.
Hitachi (seeds 002/004): an SME decarbonisation project under a comprehensive agreement.

The wave-power project goes through the seed's phases: study group (H28~), demonstration after the
agreement (H31~ 協定締結後), then commercialisation (将来: 実証事業以降), with money in every fiscal
year from FY2016 to FY2026 from the sources the seed names for each phase.

All amounts are ILLUSTRATIVE round figures: the seed documents name the funding sources per year
but not the sums. Outcome dates are placed in the fiscal year the seed shows, day approximate;
outcomes after FY2018 and the funders of joint research and 企業版ふるさと納税 from FY2021 on
(fictional local firms) carry the story on and are illustrative too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from members.models import Organisation, Sector, StudyGroup

from .models import (
    Agreement,
    AgreementArticle,
    AgreementParty,
    Funding,
    Outcome,
    Phase,
    PhaseTransition,
    Project,
)

APPLIED, ADOPTED, RECEIVED, ENDED = (
    Funding.Status.APPLIED,
    Funding.Status.ADOPTED,
    Funding.Status.RECEIVED,
    Funding.Status.ENDED,
)

HIRATSUKA_GROUP = "平塚海洋エネルギー研究会"
HITACHI_GROUP = "日立市中小企業脱炭素コンソーシアム"

CITY = "平塚市 産業振興課"
IIS = "東京大学生産技術研究所"
CABINET = "内閣府"
MOE = "環境省"
MIC = "総務省"
YOKOHAMA_RUBBER = "横浜ゴム株式会社 平塚製造所"
SHIBUYA = "渋谷潜水工業株式会社"
KAWASAKI = "川崎重工業株式会社"
HITACHI_CITY = "日立市"
HITACHI_LTD = "株式会社日立製作所"
SHONAN_WAVE = "湘南ウェーブエナジー株式会社"
HIRATSUKA_MARINE = "株式会社平塚マリンサービス"
SHONAN_EV = "湘南EVモビリティ株式会社"

# Created only when the members demo did not (name → sector, local).
FALLBACK_ORGANISATIONS = {
    CITY: (Sector.GOVERNMENT, True),
    IIS: (Sector.UNIVERSITY, False),
    CABINET: (Sector.FINANCIAL, False),
    MOE: (Sector.FINANCIAL, False),
    MIC: (Sector.FINANCIAL, False),
    YOKOHAMA_RUBBER: (Sector.COMPANY, True),
    SHIBUYA: (Sector.COMPANY, True),
    KAWASAKI: (Sector.COMPANY, False),
    SHONAN_WAVE: (Sector.COMPANY, True),
    HIRATSUKA_MARINE: (Sector.COMPANY, True),
    SHONAN_EV: (Sector.COMPANY, True),
    HITACHI_CITY: (Sector.GOVERNMENT, False),
    HITACHI_LTD: (Sector.COMPANY, False),
    "茨城大学": (Sector.UNIVERSITY, False),
    "株式会社常陽銀行": (Sector.FINANCIAL, False),
}

HIRATSUKA_ARTICLES = [
    (
        1,
        "目的",
        "この協定は、東京大学生産技術研究所及び平塚市の密接な連携と協力のもと、海洋活用技術の"
        "研究開発を推進するとともに、新産業創出及び人材育成等に寄与することを目的とする。",
    ),
    (2, "連携事項", "海洋活用技術の研究開発に関すること。"),
    (3, "連携事項", "海洋再生可能エネルギー及び海中観測実装にかかる実証実験に関すること。"),
    (
        4,
        "連携事項",
        "海洋再生可能エネルギーを活用した新産業創出及びそれを支えるものづくり技術の高度化に"
        "関すること。",
    ),
    (
        5,
        "連携事項",
        "海洋再生可能エネルギーに関連した人材の育成、及び実証実験の公開等アウトリーチ活動に"
        "関すること。",
    ),
]

ACCELERATION = "地方創生加速化交付金"
PROMOTION = "地方創生推進交付金"
MOE_SCHEME = "CO2排出削減対策強化誘導型技術開発・実証事業"
REGIONAL = "地方大学・地域産業創生交付金"
HOMETOWN_TAX = "企業版ふるさと納税"
JOINT = "企業共同研究費"

# The seed's 財源 row, year by year: NEDO's budget ended before the study group (初期), so
# it started on 地方創生加速化交付金, then 地方創生推進交付金 + 企業共同研究費 until H30
# (中期); the 環境省 commission adopted in H30 (二次公募) builds and demonstrates the power
# station (H31~ 協定締結後); after the demonstration (将来: 実証事業以降) come
# 地方大学・地域産業創生交付金 and 企業版ふるさと納税.
# (fiscal year, funder, scheme, kind, amount in yen — ILLUSTRATIVE, status, note)
WAVE_POWER_FUNDING = [
    (2016, CABINET, ACCELERATION, "grant", 20_000_000, ENDED,
     "NEDOの予算がなくなり、研究会の財源とした"),
    (2016, YOKOHAMA_RUBBER, JOINT, "joint_research", 3_000_000, RECEIVED, ""),
    (2017, CABINET, PROMOTION, "grant", 15_000_000, RECEIVED, ""),
    (2017, YOKOHAMA_RUBBER, JOINT, "joint_research", 3_000_000, RECEIVED, ""),
    (2018, CABINET, PROMOTION, "grant", 15_000_000, ENDED, "平成30年度で終了"),
    (2018, YOKOHAMA_RUBBER, JOINT, "joint_research", 3_000_000, RECEIVED, ""),
    (2018, MOE, MOE_SCHEME, "commissioned", 50_000_000, RECEIVED, "二次公募で採択"),
    (2019, MOE, MOE_SCHEME, "commissioned", 120_000_000, RECEIVED, "平塚波力発電所の工事"),
    (2019, YOKOHAMA_RUBBER, JOINT, "joint_research", 3_000_000, RECEIVED, ""),
    (2020, MOE, MOE_SCHEME, "commissioned", 80_000_000, ENDED, "実証運転。本年度で終了"),
    (2020, YOKOHAMA_RUBBER, JOINT, "joint_research", 3_000_000, RECEIVED, ""),
    (2021, CABINET, REGIONAL, "grant", None, APPLIED, "実証事業以降の財源として申請"),
    (2021, SHONAN_WAVE, JOINT, "joint_research", 4_000_000, RECEIVED, ""),
    (2021, HIRATSUKA_MARINE, HOMETOWN_TAX, "donation", 2_000_000, RECEIVED, ""),
]  # fmt: skip


def _commercialisation_funding() -> list[tuple]:
    """FY2022–FY2026, after the demonstration: the 交付金, joint research and 企業版ふるさと納税.
    The current year's money is granted (採択), not yet received."""
    rows: list[tuple] = []
    for fy in range(2022, 2027):
        status = ADOPTED if fy == 2026 else RECEIVED
        note = "実用化と産業人材の育成" if fy == 2022 else ""
        rows += [
            (fy, CABINET, REGIONAL, "grant", 30_000_000, status, note),
            (fy, SHONAN_WAVE, JOINT, "joint_research", 4_000_000, status, ""),
            (fy, HIRATSUKA_MARINE, HOMETOWN_TAX, "donation", 2_000_000, status, ""),
        ]
        if fy >= 2023:  # the EV firm joined in FY2023 (波力発電の実用化 + 電気自動車の普及)
            rows.append((fy, SHONAN_EV, HOMETOWN_TAX, "donation", 1_000_000, status, ""))
    return rows


WAVE_POWER_FUNDING += _commercialisation_funding()

# (kind, date, title, organisations)
WAVE_POWER_OUTCOMES = [
    (
        "derived_proposal",
        dt.date(2017, 10, 1),
        "総務省 IoTサービス創出促進事業への提案",
        [CITY, MIC],
    ),
    ("business_deal", dt.date(2017, 12, 1), "市内企業と市外企業の新規取引", [SHIBUYA, KAWASAKI]),
    ("derived_experiment", dt.date(2018, 6, 1), "水中カメラロボットの実験", [SHIBUYA, IIS]),
    ("patent", dt.date(2018, 9, 1), "市内企業と東京大学の特許申請", [YOKOHAMA_RUBBER, IIS]),
    (
        "adopted_call",
        dt.date(2018, 10, 1),
        "環境省「平成30年度CO2排出削減対策強化誘導型技術開発・実証事業（二次公募）」に採択",
        [IIS, CITY],
    ),
    ("derived_experiment", dt.date(2020, 8, 1), "海中観測工学の実験（平塚沖総合実験タワー）",
     [IIS, SHIBUYA]),
    ("adopted_call", dt.date(2022, 4, 1), "内閣府「地方大学・地域産業創生交付金」に採択",
     [CITY, IIS]),
    ("media", dt.date(2023, 8, 5), "夏休み 波力発電所 見学会が地元紙で紹介", [CITY]),
    ("business_deal", dt.date(2023, 11, 1), "波力発電所の保守点検を市内企業が受注",
     [HIRATSUKA_MARINE, IIS]),
    ("patent", dt.date(2024, 9, 1), "波力発電装置の改良に関する特許出願", [SHONAN_WAVE, IIS]),
]  # fmt: skip


def _organisation(name: str) -> Organisation:
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        sector, local = FALLBACK_ORGANISATIONS[name]
        organisation = Organisation.objects.create(name=name, sector=sector, is_local=local)
    return organisation


def _phase(name: str) -> Phase:
    return Phase.objects.get(name=name)


@dataclass(frozen=True)
class DemoProject:
    name: str
    theme: str
    description: str
    lead: str  # organisations and groups by name
    partners: list[str]
    groups: list[str]
    is_public: bool


def _project(spec: DemoProject) -> Project:
    project, _ = Project.objects.update_or_create(
        name=spec.name,
        defaults={
            "theme": spec.theme,
            "description": spec.description,
            "lead_organisation": _organisation(spec.lead),
            "is_public": spec.is_public,
        },
    )
    project.partners.set([_organisation(n) for n in spec.partners])
    project.study_groups.set(StudyGroup.objects.filter(name__in=spec.groups, parent__isnull=True))
    return project


def _phases(project: Project, phases: list[tuple[str, dt.date, str]]) -> None:
    for name, started_on, note in phases:
        PhaseTransition.objects.get_or_create(
            project=project, phase=_phase(name), started_on=started_on, defaults={"note": note}
        )


def _fundings(project: Project, rows) -> None:
    for fy, funder, scheme, kind, amount, status, note in rows:
        Funding.objects.update_or_create(
            project=project,
            fiscal_year=fy,
            funder=_organisation(funder),
            scheme=scheme,
            defaults={"kind": kind, "amount": amount, "status": status, "note": note},
        )


def _outcomes(project: Project, rows) -> None:
    for kind, date, title, organisations in rows:
        outcome, _ = Outcome.objects.update_or_create(
            project=project, title=title, defaults={"kind": kind, "date": date}
        )
        outcome.organisations.set([_organisation(n) for n in organisations])


@dataclass(frozen=True)
class DemoAgreement:
    title: str
    kind: str
    signed_on: dt.date
    term_start: dt.date
    term_end: dt.date | None
    auto_renew: bool
    summary: str
    parties: list[tuple[str, str]]  # (organisation's name, role: 甲, 乙 …)
    articles: list[tuple[int, str, str]]  # (number, heading, text)


def _agreement(spec: DemoAgreement, *, projects: list[Project]) -> Agreement:
    agreement, _ = Agreement.objects.update_or_create(
        title=spec.title,
        defaults={
            "kind": spec.kind,
            "status": Agreement.Status.SIGNED,
            "signed_on": spec.signed_on,
            "term_start": spec.term_start,
            "term_end": spec.term_end,
            "auto_renew": spec.auto_renew,
            "summary": spec.summary,
        },
    )
    for order, (name, role) in enumerate(spec.parties, start=1):
        AgreementParty.objects.update_or_create(
            agreement=agreement,
            organisation=_organisation(name),
            defaults={"role": role, "order": order},
        )
    for number, heading, text in spec.articles:
        AgreementArticle.objects.update_or_create(
            agreement=agreement, number=number, defaults={"title": heading, "text": text}
        )
    agreement.projects.set(projects)
    return agreement


def load(*, stdout) -> None:
    wave = _project(
        DemoProject(
            "平塚波力発電 実証事業",
            theme="波力発電",
            description="平塚新港に波力発電所を設け、東京大学生産技術研究所と市内外の企業が実証する事業。"
            "平塚海洋エネルギー研究会（平成28年6月発足）の検討から生まれた。",
            lead=IIS,
            partners=[CITY, YOKOHAMA_RUBBER, SHIBUYA, KAWASAKI, SHONAN_WAVE, HIRATSUKA_MARINE],
            groups=[HIRATSUKA_GROUP],
            is_public=True,
        )
    )
    _phases(
        wave,
        [
            ("研究会", dt.date(2016, 6, 1), "平塚海洋エネルギー研究会の発足"),
            ("実証", dt.date(2019, 4, 1), "連携協力協定の締結後、波力発電所の工事と実証へ"),
            (
                "事業化・実用化",
                dt.date(2022, 4, 1),
                "実証事業以降、地方大学・地域産業創生交付金と企業版ふるさと納税で実用化と人材育成へ",
            ),
        ],
    )
    _fundings(wave, WAVE_POWER_FUNDING)
    _outcomes(wave, WAVE_POWER_OUTCOMES)
    _agreement(
        DemoAgreement(
            "東京大学生産技術研究所及び平塚市との連携協力協定",
            kind=Agreement.Kind.COOPERATION,
            signed_on=dt.date(2019, 4, 1),  # the seed says "H31~ 協定締結後"; day illustrative
            term_start=dt.date(2019, 4, 1),
            term_end=None,
            auto_renew=False,
            summary="研究会や波力発電所の実証事業をスムーズに進めるため、両者の関係を明文化した協定。",
            parties=[(IIS, "甲"), (CITY, "乙")],
            articles=HIRATSUKA_ARTICLES,
        ),
        projects=[wave],
    )

    hitachi = _project(
        DemoProject(
            "中小企業脱炭素 支援事業",
            theme="中小企業脱炭素",
            description="日立市と日立製作所を中心に、産学金官で市内中小企業の脱炭素化を支援する。"
            "マスタープランを国の補助金で策定し、詳細化と実行に移る。",
            lead=HITACHI_CITY,
            partners=[HITACHI_LTD, "茨城大学", "株式会社常陽銀行"],
            groups=[HITACHI_GROUP],
            is_public=False,
        )
    )
    _phases(
        hitachi,
        [
            ("研究会", dt.date(2022, 4, 1), "コンソーシアム発足"),
            ("実証", dt.date(2024, 4, 1), "マスタープランの詳細化と実行"),
        ],
    )
    _fundings(
        hitachi,
        [  # ILLUSTRATIVE amounts
            (2022, MIC, "マスタープラン策定の補助金", "grant", 10_000_000, ENDED, ""),
            (2023, HITACHI_LTD, "企業共同研究費", "joint_research", 5_000_000, RECEIVED, ""),
            (2024, HITACHI_LTD, "企業共同研究費", "joint_research", 5_000_000, RECEIVED, ""),
        ],
    )
    _agreement(
        DemoAgreement(
            "デジタルを活用した次世代未来都市（スマートシティ）計画に向けた包括連携協定",
            kind=Agreement.Kind.COMPREHENSIVE,
            signed_on=dt.date(2023, 12, 21),
            term_start=dt.date(2023, 12, 21),
            term_end=dt.date(2027, 3, 31),  # illustrative term
            auto_renew=True,
            summary="グリーン産業都市、デジタル医療・介護、公共交通のスマート化などに取り組む。",
            parties=[(HITACHI_CITY, "甲"), (HITACHI_LTD, "乙")],
            articles=[
                (
                    1,
                    "目的",
                    "デジタルを活用した次世代未来都市（スマートシティ）の実現に向けて連携する。",
                )
            ],
        ),
        projects=[hitachi],
    )
    stdout.write("projects: 2 projects, 2 agreements")
    # 公募 after the projects: the adopted trials become projects of their own.
    from .calls import demo as calls_demo

    calls_demo.load(stdout=stdout)
    # The catalogue last: its entries name the projects above (an adopted trial among them).
    from .catalogue import demo as catalogue_demo

    catalogue_demo.load(stdout=stdout)
