"""Demo 公募 for ``manage.py load_demo`` (run by ``projects.demo`` after the projects). Idempotent.

Seed 001 (Tsukuba's Society 5.0 社会実装トライアル支援事業) told in the demo city: the city's
industrial-promotion division calls for trial projects that answer challenges collected from four
departments, supports each adopted trial with up to ¥1,000,000 and the support kinds the call
offers, and matches the applicants with universities.

- Last fiscal year's call went the whole way through the services: twelve applications from the
  demo's member organisations, each scored by two reviewers (the secretariat's staff account and
  an outside reviewer), decisions (the four best 採択, the next two 補欠, the rest 不採択) released,
  and the adopted trials turned into projects in the 実証 phase with their grant in that year.
  The services stamp the review and the release with the current time; the demo then dates them
  in the call's own summer, as they would have happened.
- This fiscal year's call is open (it closes a month from the day the demo is loaded) and has two
  draft applications, one by the demo member's organisation.

Nobody is e-mailed: the applications of last year's call have no creator (receipts and decision
mails go to the creator), drafts send nothing, and the outside reviewer's account is made here
instead of through the registration that mails a link. Scores are drawn from a fixed seed.
All titles, amounts and people are ILLUSTRATIVE.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from django.db.models import Sum
from django.utils import timezone

from consortium.fiscal import current_fiscal_year, era_fiscal_label
from members import roles
from members.demo import DEMO_PASSWORD
from members.models import Organisation, Sector

from ..models import Funding, PhaseTransition
from .models import (
    Application,
    BudgetLine,
    Call,
    CityChallenge,
    ReviewAssignment,
    ReviewCriterion,
    SupportKind,
)
from .services.applications import ApplicationParts, application_create, application_submit
from .services.calls import call_close, call_create, call_publish
from .services.decisions import application_decide, call_release_decisions
from .services.reviews import CriterionInput, review_assign, review_save

FUNDER = "平塚市 産業振興課"
STAFF = "staff@kyoso.example.jp"
MEMBER = "member@kyoso.example.jp"
REVIEWER = "reviewer@kyoso.example.jp"
REVIEWER_NAME = "森本 和彦"  # fictional: a professor of the regional university's SDGs centre
IIS = "東京大学生産技術研究所"
IBARAKI = "茨城大学"
MAX_AMOUNT = 1_000_000
ADOPTED, RESERVE = 4, 2  # the best four 採択, the next two 補欠, the rest 不採択

PURPOSE = (
    "Society 5.0の実現に向けて、AI・IoT・ロボット・モビリティなどの先端技術を活用した社会実装"
    "トライアル（実証実験）を市内で行う企業・大学等を募集します。採択された事業には、実証経費を"
    "1件あたり100万円を上限に支援するほか、実証フィールドの確保、モニターのあっせん、大学・研究"
    "機関とのマッチングを行います。市の各課から集めた行政課題の解決につながる提案を歓迎します。"
)

# (name, description of what is judged, weight)
CRITERIA = [
    ("新規性", "技術やアイデアに新しさ・先進性があるか。", 2),
    ("実現可能性", "実施体制・スケジュール・経費が実証期間内の実施に見合っているか。", 3),
    ("市の課題への貢献", "市の行政課題の解決や市民生活の向上につながるか。", 3),
    ("事業化の見込み", "実証後に市内での事業化・普及が見込めるか。", 2),
]

# (key, department, title, description, contact)
CHALLENGES = [
    ("bus", "交通政策課", "バス路線の利用者減少への対応",
     "郊外のバス路線で利用者が減り、便数の維持が難しくなっている。需要に合わせた移動手段や"
     "利用状況の把握の方法を探している。", "交通政策課 交通政策担当"),
    ("elderly", "高齢福祉課", "一人暮らし高齢者の見守り",
     "一人暮らしの高齢者が増え、民生委員や地域の見守りだけでは異変に気づくのが遅れることがある。"
     "本人の負担が少ない見守りの仕組みを求めている。", "高齢福祉課 地域包括ケア担当"),
    ("co2", "環境政策課", "公共施設・事業所のCO2削減",
     "市の温室効果ガス削減目標の達成に向け、公共施設や市内事業所のエネルギー使用量を見える化し、"
     "削減につなげたい。", "環境政策課 脱炭素推進担当"),
    ("counter", "情報政策課", "窓口手続きのデジタル化",
     "市役所の窓口で待ち時間が長く、書類の記入も負担になっている。来庁しなくても済む手続きや、"
     "窓口の混雑緩和の方法を探している。", "情報政策課 DX推進担当"),
]  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    organisation: str
    title: str
    summary: str
    challenge: str | None  # a CHALLENGES key
    partners: tuple[str, ...]
    budget: tuple[tuple[str, int], ...]  # (費目, yen): under the call's maximum
    # How the reviewers judge it, about 2–5 (scores are drawn around it); drafts are not judged.
    quality: float = 0.0


PROPOSALS = [
    Proposal("湘南EVモビリティ株式会社", "EV乗合タクシーによるバス空白地域の移動支援実証",
             "利用者の少ない郊外バス路線の区間で、予約制のEV乗合タクシーを運行し、利用状況と"
             "運行経費をバス運行と比べる。", "bus", (IIS,),
             (("車両リース料", 480_000), ("予約・運行管理システム利用料", 320_000),
              ("チラシ・説明会", 100_000)), 4.6),
    Proposal("株式会社平塚マリンサービス", "港湾施設の太陽光・蓄電池によるCO2削減実証",
             "平塚新港の管理棟に太陽光パネルと蓄電池を設け、使用電力の削減量を1年間計測する。",
             "co2", (),
             (("蓄電池レンタル料", 450_000), ("計測機器", 230_000), ("設置工事", 100_000)), 3.4),
    Proposal("湘南ウェーブエナジー株式会社", "波力発電の電力を活用した海岸防災照明の実証",
             "波力発電所の電力で海岸の避難誘導灯を点灯し、停電時にも使える防災照明として検証する。",
             "co2", (IIS,),
             (("照明機器", 520_000), ("配線工事", 300_000), ("データ分析", 130_000)), 4.4),
    Proposal("渋谷潜水工業株式会社", "水中ドローンによる漁港施設の点検効率化",
             "潜水士による漁港の岸壁点検の一部を水中ドローンに置き換え、作業時間と安全性を比べる。",
             None, ("平塚市漁業協同組合",),
             (("水中ドローン借料", 400_000), ("画像解析ソフト", 200_000), ("保険料", 100_000)),
             3.9),
    Proposal("株式会社山川機械製作所", "AIカメラによるバス停利用者数の自動計測",
             "主要なバス停にAIカメラを設け、時間帯ごとの待ち人数を自動で数えてダイヤ改正に生かす。",
             "bus", (IBARAKI,),
             (("AIカメラ", 360_000), ("通信費", 120_000), ("解析委託", 120_000)), 4.1),
    Proposal("古河電気工業株式会社 平塚事業所",
             "センサーネットワークによる一人暮らし高齢者の見守り",
             "電力・ドア開閉センサーで生活リズムを見守り、異変を家族と地域包括支援センターに知らせる。",
             "elderly", (),
             (("センサー機器", 500_000), ("通信・クラウド利用料", 250_000),
              ("モニター謝礼", 100_000)), 4.0),
    Proposal("横浜ゴム株式会社 平塚製造所", "タイヤ空気圧センサーを用いた路線バスの燃費改善",
             "路線バスにタイヤ空気圧センサーを付け、空気圧の管理による燃費とCO2排出の改善を測る。",
             "co2", (),
             (("センサー機器", 420_000), ("取付作業", 200_000), ("データ分析", 100_000)), 2.9),
    Proposal("東洋電機製造株式会社", "オンデマンドバスの配車最適化システムの実証",
             "予約に応じて経路を決めるオンデマンドバスの配車システムを、市の郊外地区で試行する。",
             "bus", (IIS,),
             (("配車システム利用料", 600_000), ("車載端末", 250_000), ("広報", 150_000)), 3.6),
    Proposal("株式会社九電工", "公共施設の空調エネルギー見える化によるCO2削減",
             "市の公民館3館の空調に計測器を付け、運転の見直しでどれだけ削減できるかを検証する。",
             "co2", (),
             (("計測機器", 480_000), ("設置工事", 250_000), ("報告書作成", 150_000)), 3.0),
    Proposal("中部電力株式会社", "電力データを活用した高齢者見守りサービス",
             "スマートメーターの電力使用データから生活の変化を見つけ、見守りに生かす仕組みを試す。",
             "elderly", (),
             (("データ分析基盤", 400_000), ("モニター謝礼", 150_000), ("説明会", 100_000)), 3.3),
    Proposal("平塚商工会議所", "商店街と連携したオンライン申請の出張相談窓口",
             "商店街の空き店舗に出張相談窓口を設け、タブレットで市のオンライン申請を手伝う。",
             "counter", (),
             (("タブレット借料", 200_000), ("相談員謝金", 200_000), ("会場費", 100_000)), 2.6),
    Proposal("東京大学生産技術研究所", "波浪・気象データによる海岸利用者向け安全情報の配信",
             "平塚沖総合実験タワーの波浪・気象データを、海水浴客やサーファー向けにスマートフォンへ"
             "配信する。", None, (),
             (("配信システム開発", 500_000), ("センサー保守", 200_000), ("利用者調査", 100_000)),
             3.8),
]  # fmt: skip

# This year's open call: drafts (organisation, title, summary, challenge, budget, created by).
DRAFTS = [
    ("渋谷潜水工業株式会社", "水中ドローンによる河川護岸の点検実証",
     "昨年度の漁港での点検に続き、相模川の護岸を水中ドローンで点検し、点検記録を市と共有する。",
     None, (("水中ドローン借料", 400_000), ("画像解析ソフト", 250_000)), MEMBER),
    ("湘南EVモビリティ株式会社", "EV乗合タクシーの予約窓口を公民館に設ける実証",
     "スマートフォンを使わない高齢者のため、公民館にEV乗合タクシーの予約窓口を設ける。",
     "bus", (("予約端末", 300_000), ("窓口運営", 300_000)), None),
]  # fmt: skip

DECISION_MESSAGES = {
    Application.Decision.ADOPTED: (
        "審査の結果、採択となりました。実証の開始に向けて事務局からご連絡します。"
    ),
    Application.Decision.RESERVE: (
        "審査の結果、補欠となりました。採択事業に辞退があった場合にご連絡します。"
    ),
    Application.Decision.REJECTED: (
        "審査の結果、今回は不採択となりました。ご応募ありがとうございました。"
    ),
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime at ``hour`` o'clock in the site's time zone (Asia/Tokyo)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _title(fiscal_year: int) -> str:
    return f"{era_fiscal_label(fiscal_year)} 社会実装トライアル支援事業"


def _organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _reviewer() -> User:
    """The outside reviewer: an account in the reviewers' group, without a person."""
    user, _created = User.objects.get_or_create(username=REVIEWER, defaults={"email": REVIEWER})
    user.email, user.first_name, user.is_staff = REVIEWER, REVIEWER_NAME, False
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    EmailAddress.objects.update_or_create(
        user=user, email=REVIEWER, defaults={"verified": True, "primary": True}
    )
    return user


def _challenges() -> dict[str, CityChallenge]:
    challenges = {}
    for key, department, title, description, contact in CHALLENGES:
        challenges[key], _created = CityChallenge.objects.update_or_create(
            department=department,
            title=title,
            defaults={"description": description, "contact": contact},
        )
    return challenges


def _new_call(
    fiscal_year: int, *, opens_at: dt.datetime, closes_at: dt.datetime, challenges
) -> Call:
    call = Call(
        title=_title(fiscal_year),
        purpose=PURPOSE,
        eligible_sectors=[Sector.COMPANY, Sector.UNIVERSITY, Sector.ASSOCIATION],
        max_amount=MAX_AMOUNT,
        opens_at=opens_at,
        closes_at=closes_at,
        adoptions_planned=ADOPTED,
        theme="Society 5.0・スマートシティ",
        fiscal_year=fiscal_year,
        funder=_organisation(FUNDER),
        number_code="T",
    )
    call = call_create(
        call=call,
        support_kinds=SupportKind.objects.all(),
        challenges=challenges.values(),
        criteria=[
            ReviewCriterion(name=name, description=text, weight=weight, order=order)
            for order, (name, text, weight) in enumerate(CRITERIA, start=1)
        ],
    )
    return call_publish(call=call)


def _apply(
    call: Call,
    proposal: Proposal,
    *,
    challenges: dict[str, CityChallenge],
    created_by: User | None,
    now: dt.datetime | None,
) -> Application:
    fiscal_year = call.fiscal_year
    application = Application(
        call=call,
        organisation=_organisation(proposal.organisation),
        title=proposal.title,
        summary=proposal.summary,
        challenge=challenges.get(proposal.challenge) if proposal.challenge else None,
        place="平塚市内",
        period_start=dt.date(fiscal_year, 10, 1),
        period_end=dt.date(fiscal_year + 1, 2, 28),
    )
    supports = SupportKind.objects.order_by("order", "pk")
    wanted = [supports[0]] + ([supports[3]] if proposal.partners else [])  # 経費 (+ マッチング)
    return application_create(
        application=application,
        created_by=created_by,
        parts=ApplicationParts(
            partners=[_organisation(name) for name in proposal.partners],
            requested_support=wanted,
            budget_lines=[BudgetLine(item=item, amount=amount) for item, amount in proposal.budget],
        ),
        now=now,
    )


def _score(rng: random.Random, quality: float) -> int:
    return max(1, min(5, round(quality + rng.uniform(-0.8, 0.8))))


def _past_call(fiscal_year: int, challenges, staff: User, reviewer: User) -> Call:
    """Last year's call, from publication to the release of its decisions."""
    opens = dt.date(fiscal_year, 5, 12)
    call = _new_call(
        fiscal_year,
        opens_at=_at(opens, 9),
        closes_at=_at(dt.date(fiscal_year, 6, 30), 17),
        challenges=challenges,
    )
    rng = random.Random(f"kyoso-demo-calls-{fiscal_year}")
    criteria = list(call.criteria.order_by("order"))
    ranked = []
    for index, proposal in enumerate(PROPOSALS):
        application = _apply(
            call,
            proposal,
            challenges=challenges,
            created_by=None,
            now=_at(opens + dt.timedelta(days=10 + index)),
        )
        application = application_submit(
            application=application,
            submitted_by=None,
            now=_at(opens + dt.timedelta(days=20 + index), 15),
        )
        total = 0
        for user in (staff, reviewer):
            assignment = review_assign(application=application, reviewer=user, assigned_by=staff)
            points = {c.pk: _score(rng, proposal.quality) for c in criteria}
            scores = {pk: CriterionInput(point) for pk, point in points.items()}
            review_save(assignment=assignment, scores=scores, comment="", submit=True)
            total += sum(points[c.pk] * c.weight for c in criteria)
        ranked.append((-total, application.sequence, application))
    call_close(call=call)
    ranked.sort(key=lambda entry: entry[:2])
    for place, (_total, _sequence, application) in enumerate(ranked):
        if place < ADOPTED:
            decision = Application.Decision.ADOPTED
        elif place < ADOPTED + RESERVE:
            decision = Application.Decision.RESERVE
        else:
            decision = Application.Decision.REJECTED
        application_decide(
            application=application,
            decision=decision,
            message=DECISION_MESSAGES[decision],
            decided_by=staff,
        )
    call_release_decisions(call=call, released_by=staff)
    _date_in_the_call_summer(call, fiscal_year)
    return call


def _date_in_the_call_summer(call: Call, fiscal_year: int) -> None:
    """Review in July, decisions on August 5, released August 20 of the call's year."""
    review_day = _at(dt.date(fiscal_year, 7, 1))
    decided, released = _at(dt.date(fiscal_year, 8, 5)), _at(dt.date(fiscal_year, 8, 20))
    assignments = ReviewAssignment.objects.filter(application__call=call)
    assignments.update(assigned_at=review_day, submitted_at=_at(dt.date(fiscal_year, 7, 25)))
    Call.objects.filter(pk=call.pk).update(
        review_starts_at=review_day,
        review_ends_at=_at(dt.date(fiscal_year, 7, 31), 17),
        decisions_released_at=released,
    )
    Application.objects.filter(call=call).update(decided_at=decided, decision_sent_at=released)
    PhaseTransition.objects.filter(project__call_application__call=call).update(
        started_on=released.date()
    )


def _open_call(fiscal_year: int, challenges, member: User | None) -> Call:
    """This year's call, open for another month, with two drafts."""
    today = timezone.localdate()
    call = _new_call(
        fiscal_year,
        opens_at=_at(today - dt.timedelta(days=14), 9),
        closes_at=_at(today + dt.timedelta(days=30), 17),
        challenges=challenges,
    )
    for organisation, title, summary, challenge, budget, creator in DRAFTS:
        _apply(
            call,
            Proposal(organisation, title, summary, challenge, partners=(), budget=budget),
            challenges=challenges,
            created_by=member if creator == MEMBER else None,
            now=None,
        )
    return call


def load(*, stdout) -> None:
    this_year = current_fiscal_year()
    staff = User.objects.get(username=STAFF)
    reviewer = _reviewer()
    member = User.objects.filter(username=MEMBER).first()
    challenges = _challenges()
    last_year = this_year - 1
    if not Call.objects.filter(fiscal_year=last_year, title=_title(last_year)).exists():
        _past_call(last_year, challenges, staff, reviewer)
    if not Call.objects.filter(fiscal_year=this_year, title=_title(this_year)).exists():
        _open_call(this_year, challenges, member)
    past = Application.objects.filter(call__fiscal_year=last_year, call__title=_title(last_year))
    adopted = past.filter(decision=Application.Decision.ADOPTED)
    granted = Funding.objects.filter(
        project__call_application__in=adopted, fiscal_year=last_year
    ).aggregate(total=Sum("amount"))["total"]
    stdout.write(
        f"projects: 公募 {_title(last_year)}: {past.submitted().count()} applications, "
        f"{adopted.count()} adopted (¥{granted or 0:,}); {_title(this_year)} open"
    )
    stdout.write(f"  {REVIEWER} / {DEMO_PASSWORD} (審査員)")
