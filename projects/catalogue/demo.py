"""Demo catalogue for ``manage.py load_demo`` (run by ``projects.demo`` after the 公募). Idempotent.

Forty entries of the demo's member firms, universities and associations: the marine technologies
of seed 000 (波力発電, 水中ロボット, AUV, 海洋観測) and the environmental technologies seed 003 asks
a city to list and publish (水処理, 大気浄化, 廃棄物・リサイクル, 低CO2, 省エネ). Every entry goes
through the services: the demo member writes and submits their own firm's entries, the
secretariat's staff account enters the others' (what they sent in) and reviews them all, so
statuses, timestamps and history come out as in the product. Most are published; three wait for
review, one was sent back with a reason, one is archived and two are drafts. Six carry a picture
(a simple diagram drawn here with Pillow) added through the image service, so it is checked and
re-encoded like an upload. The services stamp the current time; the demo then dates each step
(and its history row) on a day drawn from a fixed seed within the last two years.

Nobody is e-mailed: of these steps only a send-back mails (the entry's creator), and the demo
detaches the creator for that moment. All entries, contacts and addresses are ILLUSTRATIVE, not
the firms' real products.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from members import roles
from members.demo import GX, HIRATSUKA, HITACHI, ORGANISATIONS, S1, S2
from members.models import Organisation, StudyGroup

from ..models import Project
from .models import Award, AwardGrant, Category, Entry, EntryImage, EntryStatus
from .services.awards import GRANTABLE, award_grant, award_save
from .services.entries import (
    entry_archive,
    entry_create,
    entry_publish,
    entry_return,
    entry_submit,
)
from .services.images import entry_image_add

STAFF = "staff@kyoso.example.jp"
MEMBER = "member@kyoso.example.jp"
WAVE = "平塚波力発電 実証事業"
SME = "中小企業脱炭素 支援事業"
EV_TRIAL = "EV乗合タクシーによるバス空白地域の移動支援実証"  # a 公募 proposal, if adopted

T, P, S = Entry.Kind.TECHNOLOGY, Entry.Kind.PRODUCT, Entry.Kind.SERVICE
PUBLISHED, SUBMITTED, DRAFT = EntryStatus.PUBLISHED, EntryStatus.SUBMITTED, EntryStatus.DRAFT
ARCHIVED = EntryStatus.ARCHIVED
RETURNED = "returned"  # not a status: a draft sent back to its organisation with a reason

RETURN_REASON = (
    "点検できる水深と一回の連続運用時間を概要に書いてください。また、写真に写っている漁港の"
    "施設名を公開してよいか、管理者に確認をお願いします。"
)


@dataclass(frozen=True)
class Demo:
    organisation: str
    kind: str
    title: str
    kana: str
    category: str
    summary: str
    details: str
    keywords: str
    slug: str  # the entry's page on the organisation's (example.jp) site
    groups: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    status: str = PUBLISHED
    picture: tuple[str, str] | None = None  # (motif, alt text)
    department: str = ""


ENTRIES = [
    # 平塚の海洋エネルギー (seed 000)
    Demo("湘南ウェーブエナジー株式会社", P, "波力発電ブイ", "ハリョクハツデンブイ", "エネルギー",
         "波の上下動で発電する係留型のブイ。離島や港湾の照明・観測機器に電力を供給する。",
         "平塚波力発電所の実証で得た知見をもとに小型化した。出力は最大3kW、蓄電池を内蔵し、"
         "波の弱い日も夜間照明を点灯できる。", "波力発電、海洋再生可能エネルギー、ブイ、蓄電池",
         "wave-buoy", (HIRATSUKA, S1), (WAVE,),
         picture=("buoy", "海面に浮かぶ黄色い波力発電ブイと、海底へのびる係留索の図")),
    Demo("湘南ウェーブエナジー株式会社", T, "波浪予測シミュレーション",
         "ハロウヨソクシミュレーション",
         "デジタル", "沖合の波浪データから数日先の波の高さを予測し、発電量の見通しを出す。",
         "気象庁の予報値と平塚沖の観測値を組み合わせ、発電所の運転計画と保守の日程づくりに使う。",
         "波浪予測、シミュレーション、発電量予測", "forecast", (S1,), (WAVE,)),
    Demo("湘南ウェーブエナジー株式会社", S, "波力発電所の見学ガイド",
         "ハリョクハツデンショノケンガクガイド",
         "エネルギー", "平塚新港の波力発電所を案内し、しくみを模型で説明する見学プログラム。",
         "小中学校の校外学習や企業研修に対応する。所要時間は約90分、定員30名。",
         "見学会、環境学習、波力発電", "tour", (HIRATSUKA,), (WAVE,)),
    Demo("渋谷潜水工業株式会社", P, "水中カメラロボット", "スイチュウカメラロボット", "デジタル",
         "有線で操縦する小型の水中カメラロボット。岸壁や波力発電装置の水中部分を撮影する。",
         "水深50mまで潜航でき、4K映像をリアルタイムで船上に送る。潜水士の作業を減らし、"
         "点検の記録を残せる。", "水中ロボット、ROV、点検、カメラ", "camera-robot", (S2,), (WAVE,),
         picture=("robot", "ケーブルで船とつながったオレンジ色の水中カメラロボットの図")),
    Demo("渋谷潜水工業株式会社", S, "潜水調査・水中点検サービス",
         "センスイチョウサ・スイチュウテンケンサービス",
         "水", "潜水士による港湾施設・取水設備の点検と、海底の調査を行う。",
         "点検結果は写真付きの報告書にまとめる。漁港、発電所の取水口、橋脚など多数の実績がある。",
         "潜水調査、水中点検、港湾", "diving", (S2,)),
    Demo("渋谷潜水工業株式会社", P, "水中ドローン点検パッケージ",
         "スイチュウドローンテンケンパッケージ",
         "デジタル", "市販の水中ドローンと画像解析ソフトを組み合わせた点検の一式。",
         "機材の貸し出し、操縦の講習、点検記録の作成までを含む。", "水中ドローン、点検、画像解析",
         "drone-package", (S2,), status=RETURNED),
    Demo("渋谷潜水工業株式会社", S, "護岸点検レポート作成サービス",
         "ゴガンテンケンレポートサクセイサービス",
         "デジタル", "河川や港の護岸を撮影した映像から、損傷の位置を図面にまとめる。",
         "", "護岸、点検、レポート", "report", status=DRAFT),
    Demo("東京大学生産技術研究所", T, "AUVによる海底観測", "エーユーブイニヨルカイテイカンソク",
         "デジタル", "自律型海中ロボット（AUV）で海底の地形と生物を広い範囲にわたって観測する。",
         "平塚沖の実験海域で、音響測位と画像による海底マッピングの手法を実証している。"
         "観測データは研究会の会員と共有する。", "AUV、海中観測、海洋ロボット、海底地形",
         "auv", (HIRATSUKA, S2), (WAVE,), department="海中観測工学研究室",
         picture=("auv", "海底の上を進む魚雷形の自律型海中ロボット（AUV）の図")),
    Demo("東京大学生産技術研究所", T, "平塚沖総合実験タワーの波浪・海象データ",
         "ヒラツカオキソウゴウジッケンタワーノハロウ・カイショウデータ", "デジタル",
         "平塚沖の実験タワーで観測した波浪・潮流・気象のデータを研究や実証に提供する。",
         "10分ごとの観測値を長期間蓄積している。利用は研究会の会員と共同研究の相手に限る。",
         "海洋観測、波浪データ、実験タワー", "tower-data", (HIRATSUKA,), (WAVE,),
         department="海中観測工学研究室"),
    Demo("東京大学生産技術研究所", T, "波力船", "ハリョクセン", "モビリティ",
         "波のエネルギーを推進力に変えて進む無人の観測船。燃料を使わずに長期間航行する。",
         "船体の下の水中翼が波の上下動を前進する力に変える。海洋観測の無人化に向けて実験中。",
         "波力船、無人船、海洋観測、省エネ", "wave-ship", (HIRATSUKA,), (WAVE,)),
    Demo("東京大学生産技術研究所", S, "海洋エンジニア社会人育成講座",
         "カイヨウエンジニアシャカイジンイクセイコウザ", "エネルギー",
         "海洋再生可能エネルギーの設計・施工・保守を学ぶ社会人向けの連続講座。",
         "講義と波力発電所の実習を組み合わせた全8回。市内企業の技術者を優先して受け入れる。",
         "人材育成、社会人講座、海洋エネルギー", "course", (HIRATSUKA,), (WAVE,),
         status=SUBMITTED),
    Demo("横浜ゴム株式会社 平塚製造所", P, "波力発電用ゴムベローズ",
         "ハリョクハツデンヨウゴムベローズ",
         "エネルギー", "波力発電装置の可動部を海水から守る、耐久性の高いゴム製の蛇腹。",
         "海水・紫外線に強い配合ゴムを使い、繰り返しの伸縮に耐える。実証機で長期の耐久試験を行った。",
         "ゴム製品、波力発電、ベローズ", "bellows", (S1,), (WAVE,)),
    Demo("株式会社山川機械製作所", P, "マイクロバブル洗浄装置",
         "マイクロバブルセンジョウソウチ", "水",
         "微細な気泡を含む水で部品を洗い、洗剤と水の使用量を減らす工業用の洗浄装置。",
         "油の付いた金属部品を洗剤なしで洗浄でき、排水処理の負担も軽くなる。"
         "既存の洗浄槽に後付けできる。", "マイクロバブル、洗浄、節水、排水削減", "microbubble",
         (S1,),
         picture=("bubbles", "洗浄槽の中で細かな泡が部品を包んでいる様子の図")),
    Demo("株式会社山川機械製作所", P, "AIカメラ人数計測ユニット",
         "エーアイカメラニンズウケイソクユニット",
         "デジタル", "バス停や施設の入口で、人の数を画像から自動で数える小型のユニット。",
         "映像は端末の中で処理して人数だけを送るため、個人を特定できる画像は残らない。",
         "AIカメラ、人数計測、IoT", "ai-camera"),
    Demo("古河電気工業株式会社 平塚事業所", P, "海底ケーブル用光ファイバセンサー",
         "カイテイケーブルヨウヒカリファイバセンサー", "デジタル",
         "送電ケーブルに沿わせた光ファイバで、温度とひずみを全長にわたって監視する。",
         "波力・洋上風力の送電ケーブルの異常を早く見つけ、停止時間を短くする。",
         "光ファイバ、センサー、海底ケーブル、監視", "fiber-sensor", (S1,), (WAVE,)),
    Demo("古河電気工業株式会社 平塚事業所", P, "見守りセンサーネットワーク",
         "ミマモリセンサーネットワーク", "医療・介護",
         "電力やドアの開閉から生活のリズムを読み取り、一人暮らしの高齢者を見守る。",
         "カメラを使わないので本人の抵抗感が少ない。異変は家族と地域包括支援センターに知らせる。",
         "見守り、高齢者、センサー、介護", "watch"),
    Demo("荏原環境プラント株式会社", S, "ごみ焼却発電プラントの運転管理",
         "ゴミショウキャクハツデンプラントノウンテンカンリ", "廃棄物・リサイクル",
         "自治体のごみ焼却施設を運転・保守し、焼却の熱で発電した電力を有効に使う。",
         "遠隔監視センターから運転を支援し、燃焼の安定と発電量の向上を両立させる。",
         "ごみ焼却、廃棄物発電、運転管理", "waste-power", (HIRATSUKA,),
         picture=("plant", "煙突と発電タービンのあるごみ焼却発電プラントの図")),
    Demo("荏原環境プラント株式会社", T, "排ガス処理システム", "ハイガスショリシステム", "大気",
         "焼却炉の排ガスからばいじん・酸性ガス・ダイオキシン類を取り除く。",
         "ろ過式集じん器と触媒を組み合わせ、規制値を大きく下回る排出を続けている。",
         "排ガス処理、大気浄化、集じん", "flue-gas"),
    Demo("荏原環境プラント株式会社", T, "分散型水処理システム",
         "ブンサンガタミズショリシステム", "水",
         "下水道のない地域や工場向けの、コンテナに収めた小型の水処理設備。",
         "膜ろ過で処理し、処理水を散水やトイレの洗浄に再利用できる。",
         "水処理、膜ろ過、再利用、水ビジネス", "water"),
    Demo("荏原環境プラント株式会社", T, "バイオマスガス化発電",
         "バイオマスガスカハツデン", "脱炭素",
         "剪定枝や建築廃材などの木質バイオマスをガスに変え、発電と熱供給に使う。",
         "小規模でも効率よく発電でき、地域の未利用資源を地域のエネルギーに変える。",
         "バイオマス、ガス化、発電、熱供給", "biomass", status=SUBMITTED),
    Demo("株式会社平塚マリンサービス", S, "波力発電所の保守点検サービス",
         "ハリョクハツデンショノホシュテンケンサービス", "エネルギー",
         "波力発電所の定期点検、部品交換、荒天後の緊急点検を市内の拠点から行う。",
         "作業船と潜水士を自社で持ち、発電の停止時間を短くする。実証事業から保守を受け持つ。",
         "保守点検、波力発電、作業船", "maintenance", (S2,), (WAVE,)),
    Demo("株式会社平塚マリンサービス", P, "港湾施設向け太陽光・蓄電池システム",
         "コウワンシセツムケタイヨウコウ・チクデンチシステム", "脱炭素",
         "港の管理棟や倉庫の屋根に太陽光パネルと蓄電池を設け、使用電力とCO2を減らす。",
         "塩害に強い架台を使い、停電時には非常用電源として働く。",
         "太陽光発電、蓄電池、港湾、低CO2", "solar"),
    Demo("湘南EVモビリティ株式会社", S, "EV乗合タクシー", "イーブイノリアイタクシー", "モビリティ",
         "予約に応じて走る電気自動車の乗合タクシー。バスの便が少ない地域の移動を支える。",
         "電話とスマートフォンで予約でき、同じ方向の利用者をまとめて運ぶ。充電は波力発電の"
         "電力も使う。", "EV、電気自動車、乗合タクシー、オンデマンド交通", "ev-taxi",
         (HIRATSUKA,), (EV_TRIAL,),
         picture=("ev", "充電スタンドにつながった電気自動車の乗合タクシーの図")),
    Demo("湘南EVモビリティ株式会社", S, "EVカーシェアリング",
         "イーブイカーシェアリング", "モビリティ",
         "駅や公民館に電気自動車を置き、会員が短い時間から使えるカーシェアリング。",
         "", "EV、カーシェア", "car-share", status=DRAFT),
    # 市外の会員企業
    Demo("川崎重工業株式会社", T, "水素の液化・輸送システム", "スイソノエキカ・ユソウシステム",
         "脱炭素", "水素をマイナス253℃で液化し、大量に運んで貯める技術。",
         "液化水素の運搬船と貯蔵タンクの技術を組み合わせ、水素の供給網づくりに取り組んでいる。",
         "水素、液化水素、脱炭素、サプライチェーン", "hydrogen"),
    Demo("川崎重工業株式会社", P, "ガスタービン・コージェネレーションシステム",
         "ガスタービン・コージェネレーションシステム", "エネルギー",
         "発電と同時に排熱を蒸気や温水として使い、工場のエネルギー効率を高める。",
         "水素を混ぜた燃料にも対応し、工場のCO2排出の削減につながる。",
         "コージェネレーション、ガスタービン、省エネ、排熱利用", "cogeneration"),
    Demo("株式会社東京久栄", S, "海洋環境調査", "カイヨウカンキョウチョウサ", "水",
         "水質・底質・生物の調査で、海の工事や発電設備が環境に与える影響を調べる。",
         "波力発電所の設置前後の調査を担当した。調査計画から報告書の作成まで一貫して行う。",
         "環境調査、水質、底質、環境影響評価", "survey", (S2,), (WAVE,)),
    Demo("株式会社吉田組", S, "流砂対策の海岸保全工事", "リュウサタイサクノカイガンホゼンコウジ",
         "水", "砂浜の侵食や港の埋没を防ぐため、離岸堤や突堤を設計・施工する。",
         "流砂の観測結果をもとに、漁業と海岸利用に配慮した工法を提案する。",
         "海岸保全、流砂、海洋土木", "coast", (S2,)),
    Demo("東洋電機製造株式会社", P, "波力発電用永久磁石発電機",
         "ハリョクハツデンヨウエイキュウジシャクハツデンキ", "エネルギー",
         "ゆっくりした往復運動でも効率よく発電できる、波力発電向けの発電機。",
         "鉄道車両用モーターの技術を応用した。防水構造で、保守の間隔が長い。",
         "発電機、永久磁石、波力発電", "generator", (S1,), (WAVE,)),
    Demo("電源開発株式会社", T, "木質バイオマス混焼技術", "モクシツバイオマスコンショウギジュツ",
         "脱炭素", "石炭火力発電所で木質ペレットを混ぜて燃やし、CO2の排出を減らす。",
         "後継の技術の掲載に合わせ、公開を終了した。", "バイオマス、混焼、火力発電",
         "co-firing", status=ARCHIVED),
    Demo("株式会社九電工", S, "空調エネルギーの見える化サービス",
         "クウチョウエネルギーノミエルカサービス", "脱炭素",
         "空調設備に計測器を付け、使い方の見直しで電力とCO2をどれだけ減らせるかを示す。",
         "公共施設や事業所で、省エネ改修（ESCO）の効果の検証にも使える。",
         "見える化、空調、省エネ、ESCO", "hvac"),
    Demo("中部電力株式会社", S, "電力データを使った見守りサービス",
         "デンリョクデータヲツカッタミマモリサービス", "医療・介護",
         "スマートメーターの電力使用量から生活の変化に気づき、離れて暮らす家族に知らせる。",
         "機器の設置がいらず、工事なしで始められる。自治体の見守り事業との連携も進めている。",
         "見守り、スマートメーター、高齢者", "smart-meter"),
    Demo("若築建設株式会社", T, "浚渫土のリサイクル技術", "シュンセツドノリサイクルギジュツ",
         "廃棄物・リサイクル", "港の浚渫で出た土を改良し、埋め立てや藻場づくりの材料に使う。",
         "処分場に運ぶ量を減らし、海の生き物がすむ浅場の再生にも役立てる。",
         "浚渫土、リサイクル、藻場、港湾", "dredged-soil", (S2,)),
    Demo("中国塗料株式会社", P, "低摩擦型船底防汚塗料",
         "テイマサツガタセンテイボウオトリョウ", "脱炭素",
         "船底に貝や藻が付くのを防ぎ、水の抵抗を減らして燃料の消費とCO2を抑える塗料。",
         "波力発電装置や観測ブイなど、海中の設備の付着物対策にも使われている。",
         "防汚塗料、船舶、省エネ、低CO2", "antifouling", (S2,)),
    # 大学・団体
    Demo("株式会社日立製作所", S, "中小企業向けCO2排出量可視化サービス",
         "チュウショウキギョウムケシーオーツーハイシュツリョウカシカサービス", "脱炭素",
         "電気・ガスの請求データからCO2排出量を計算し、削減の手順を示すクラウドサービス。",
         "取引先から排出量の報告を求められた中小企業でも、専門の担当者なしで使える。",
         "CO2、見える化、脱炭素経営、中小企業", "co2", (HITACHI, GX), (SME,)),
    Demo("茨城大学", T, "地域エネルギーマネジメントの研究",
         "チイキエネルギーマネジメントノケンキュウ",
         "エネルギー", "工場や公共施設の電力需要と太陽光の発電量を予測し、地域全体で融通する。",
         "日立市内の事業所のデータで、蓄電池の使い方を最適にする手法を研究している。",
         "エネルギーマネジメント、需要予測、蓄電池", "ems", (HITACHI,), (SME,)),
    Demo("平塚市漁業協同組合", S, "漁船による海上作業・実験協力",
         "ギョセンニヨルカイジョウサギョウ・ジッケンキョウリョク",
         "エネルギー", "組合員の漁船で、海上の実験や観測機器の設置・回収に協力する。",
         "漁場や潮の流れをよく知る漁業者が、安全な作業の計画づくりから参加する。",
         "漁船、海上作業、実験協力", "boats", (HIRATSUKA, S2), (WAVE,)),
    Demo("平塚商工会議所", S, "省エネ診断・補助金相談窓口",
         "ショウエネシンダン・ホジョキンソウダンマドグチ",
         "脱炭素", "会員事業所の省エネ診断を取り次ぎ、設備更新の補助金の申請を手伝う。",
         "専門家の派遣は年3回まで無料。申請書の書き方の相談にも応じる。",
         "省エネ、補助金、相談、中小企業", "energy-audit", (HIRATSUKA,)),
    Demo("平塚市電設業組合", S, "LED照明・太陽光発電の設置工事",
         "エルイーディーショウメイ・タイヨウコウハツデンノセッチコウジ",
         "脱炭素", "組合員の電気工事店が、事業所や住宅のLED照明と太陽光発電の設置を請け負う。",
         "市内の施工店を紹介し、工事後の点検まで地元で対応する。",
         "LED照明、太陽光発電、電気工事、省エネ", "led", (HIRATSUKA,)),
    Demo("日立商工会議所", S, "脱炭素経営セミナー", "ダツタンソケイエイセミナー", "脱炭素",
         "中小企業の経営者向けに、CO2排出量の把握から削減計画までを学ぶ連続セミナー。",
         "金融機関と連携し、削減計画を融資の相談につなげる。", "セミナー、脱炭素経営、中小企業",
         "seminar", (HITACHI,), (SME,), status=SUBMITTED),
]  # fmt: skip

DEFAULT_DEPARTMENTS = {"company": "営業企画部", "university": "産学連携室", "association": "事務局"}

# --- Pictures: simple diagrams (shapes only), drawn on a 1200×800 canvas --------------------------

SIZE = (1200, 800)
SKY, SEA, DEEP, SAND = (214, 234, 248), (52, 132, 196), (22, 66, 120), (196, 170, 120)
YELLOW, ORANGE, GREY, GREEN = (246, 196, 40), (240, 128, 40), (120, 128, 136), (64, 168, 96)


def _waves(draw: ImageDraw.ImageDraw, y: int, colour=(255, 255, 255)) -> None:
    for x in range(0, SIZE[0], 80):
        draw.arc((x, y - 20, x + 80, y + 20), 200, 340, fill=colour, width=6)


def _buoy(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, 1200, 300), fill=SKY)
    draw.rectangle((0, 300, 1200, 800), fill=SEA)
    draw.rectangle((0, 720, 1200, 800), fill=SAND)
    _waves(draw, 300)
    x = 560 + rng.randint(-40, 40)
    draw.line((x + 40, 360, x + 260, 730), fill=GREY, width=8)  # mooring line
    draw.rectangle((x + 230, 720, x + 300, 760), fill=GREY)  # anchor
    draw.ellipse((x - 80, 230, x + 160, 380), fill=YELLOW, outline=(90, 70, 0), width=6)
    draw.rectangle((x + 25, 150, x + 55, 240), fill=GREY)  # mast
    draw.ellipse((x + 10, 110, x + 70, 170), fill=(255, 240, 160))  # lamp


def _robot(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, 1200, 160), fill=SKY)
    draw.rectangle((0, 160, 1200, 800), fill=DEEP)
    draw.polygon([(120, 160), (420, 160), (380, 220), (160, 220)], fill=GREY)  # boat
    x, y = 640 + rng.randint(-60, 60), 470
    draw.line((270, 200, x, y), fill=YELLOW, width=6)  # tether
    draw.rounded_rectangle((x - 150, y - 90, x + 150, y + 90), radius=30, fill=ORANGE)
    for dx in (-70, 70):
        draw.ellipse((x + dx - 30, y - 30, x + dx + 30, y + 30), fill=(250, 250, 220))
    draw.polygon([(x + 150, y - 20), (x + 420, y - 160), (x + 420, y + 120)], fill=(90, 140, 190))


def _auv(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, 1200, 800), fill=DEEP)
    draw.polygon([(0, 680), (300, 620), (600, 700), (900, 610), (1200, 660), (1200, 800),
                  (0, 800)], fill=SAND)  # fmt: skip
    for _ in range(8):  # rocks and seaweed on the seabed
        x = rng.randint(40, 1160)
        draw.ellipse((x - 30, 660, x + 30, 700), fill=(120, 110, 90))
    draw.ellipse((280, 300, 900, 420), fill=YELLOW)
    draw.polygon([(300, 360), (200, 280), (200, 440)], fill=ORANGE)  # tail fin
    draw.ellipse((840, 335, 890, 385), fill=(40, 40, 40))
    for i in range(4):  # sonar beams
        draw.line((600, 420, 420 + i * 120, 640), fill=(140, 200, 240), width=3)


def _plant(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, 1200, 560), fill=SKY)
    draw.rectangle((0, 560, 1200, 800), fill=(150, 160, 150))
    draw.rectangle((180, 320, 700, 560), fill=(200, 204, 210), outline=GREY, width=6)
    draw.rectangle((740, 120, 820, 560), fill=(180, 184, 190), outline=GREY, width=6)  # chimney
    for i in range(3):
        r = 40 + i * 20
        draw.ellipse((760 - r + i * 60, 40 - i * 30, 800 + r + i * 60, 100 - i * 30 + r),
                     fill=(236, 240, 244))  # fmt: skip
    draw.ellipse((900, 380, 1080, 560), fill=GREEN)  # turbine hall
    draw.line((990, 470, 990 + rng.randint(40, 80), 400), fill=(255, 255, 255), width=10)
    draw.polygon([(430, 370), (470, 440), (440, 440), (470, 520), (400, 430), (430, 430)],
                 fill=YELLOW)  # fmt: skip


def _ev(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, 1200, 560), fill=SKY)
    draw.rectangle((0, 560, 1200, 800), fill=(90, 94, 100))
    for x in range(0, 1200, 160):
        draw.rectangle((x + 20, 670, x + 110, 684), fill=(255, 255, 255))
    x = 260 + rng.randint(-30, 30)
    draw.rounded_rectangle((x, 380, x + 520, 560), radius=40, fill=GREEN)
    draw.polygon([(x + 90, 380), (x + 170, 280), (x + 400, 280), (x + 460, 380)], fill=GREEN)
    draw.rectangle((x + 190, 300, x + 380, 370), fill=SKY)
    for dx in (110, 410):
        draw.ellipse((x + dx - 60, 500, x + dx + 60, 620), fill=(40, 40, 40))
    draw.rectangle((930, 300, 1010, 560), fill=(230, 232, 236), outline=GREY, width=6)
    draw.line((930, 420, x + 520, 440), fill=(40, 40, 40), width=8)  # charging cable
    draw.polygon([(975, 320), (950, 380), (972, 380), (955, 430), (995, 360), (972, 360)],
                 fill=YELLOW)  # fmt: skip


def _bubbles(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, 1200, 800), fill=(240, 242, 244))
    draw.rectangle((200, 160, 1000, 720), fill=(170, 214, 240), outline=GREY, width=10)
    draw.rectangle((470, 420, 730, 560), fill=GREY)  # the part being cleaned
    for _ in range(90):
        x, y, r = rng.randint(220, 980), rng.randint(180, 700), rng.randint(6, 22)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(255, 255, 255), width=3)
    draw.rectangle((560, 720, 640, 780), fill=GREY)  # nozzle


MOTIFS = {
    "buoy": _buoy,
    "robot": _robot,
    "auv": _auv,
    "plant": _plant,
    "ev": _ev,
    "bubbles": _bubbles,
}


def picture_png(motif: str, *, seed: str) -> bytes:
    """A PNG diagram of ``motif`` (the same bytes for the same seed)."""
    image = Image.new("RGB", SIZE, (255, 255, 255))
    MOTIFS[motif](ImageDraw.Draw(image), random.Random(seed))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


# --- Loading --------------------------------------------------------------------------------------


def _at(moment: dt.datetime, *, days: int, hour: int) -> dt.datetime:
    day = timezone.localtime(moment).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _groups(paths: tuple[str, ...]) -> list[StudyGroup]:
    groups = []
    for path in paths:
        top, *below = path.split("/")
        group = StudyGroup.objects.get(parent=None, name=top)
        for name in below:
            group = StudyGroup.objects.get(parent=group, name=name)
        groups.append(group)
    return groups


def _new_entry(demo: Demo, *, organisation: Organisation, keys: dict[str, str]) -> Entry:
    key = keys.get(demo.organisation, "www")
    department = demo.department or DEFAULT_DEPARTMENTS.get(organisation.sector, "担当窓口")
    return Entry(
        organisation=organisation,
        kind=demo.kind,
        title=demo.title,
        title_kana=demo.kana,
        category=Category.objects.get(name=demo.category),
        summary=demo.summary,
        details=demo.details,
        keywords=demo.keywords,
        contact=f"{organisation.name} {department}（catalogue@{key}.example.jp）",
        url=f"https://www.{key}.example.jp/catalogue/{demo.slug}/",
    )


@dataclass(frozen=True)
class Timeline:
    """When each step of an entry happened (days before the demo is loaded, at an hour)."""

    created: dt.datetime
    submitted: dt.datetime
    reviewed: dt.datetime
    archived: dt.datetime


def _timeline(status: str, rng: random.Random, now: dt.datetime) -> Timeline:
    if status in (PUBLISHED, ARCHIVED):
        created = -rng.randint(90, 720)
        submitted = created + rng.randint(1, 6)
        reviewed = submitted + rng.randint(2, 10)
    elif status == RETURNED:
        created, submitted, reviewed = -30, -26, -21
    else:  # waiting for review, or a draft
        created = -rng.randint(6, 20)
        submitted = -rng.randint(1, 4)
        reviewed = 0
    archived = -rng.randint(20, 60)
    return Timeline(
        created=_at(now, days=created, hour=rng.randint(9, 11)),
        submitted=_at(now, days=submitted, hour=rng.randint(13, 17)),
        reviewed=_at(now, days=reviewed, hour=rng.randint(9, 16)),
        archived=_at(now, days=archived, hour=10),
    )


def _walk(demo: Demo, entry: Entry, when: Timeline, *, staff: User, member: User | None) -> Entry:
    """Take a new entry through the services to the demo's status, then date each step (the
    history rows too) on its day: the services stamp the current time."""
    own = member is not None and entry.organisation_id == roles.organisation_id_of(member)
    # The secretariat enters what the others sent in.
    author = member if member is not None and own else staff
    entry = entry_create(
        entry=entry,
        created_by=author,
        study_groups=_groups(demo.groups),
        projects=Project.objects.filter(name__in=demo.projects),
        now=when.created,
    )
    steps = [when.created]
    if demo.picture:
        motif, alt = demo.picture
        png = picture_png(motif, seed=demo.slug)
        upload = SimpleUploadedFile(f"{demo.slug}.png", png, content_type="image/png")
        entry_image_add(entry=entry, upload=upload, alt=alt, added_by=author)
        steps.append(when.created + dt.timedelta(minutes=20))
    if demo.status != DRAFT:
        entry = entry_submit(entry=entry, submitted_by=author, now=when.submitted)
        steps.append(when.submitted)
    if demo.status == RETURNED:
        # The return e-mails the entry's creator: the demo detaches them for that moment.
        Entry.objects.filter(pk=entry.pk).update(created_by=None)
        entry = entry_return(entry=entry, reviewed_by=staff, reason=RETURN_REASON)
        Entry.objects.filter(pk=entry.pk).update(created_by=author)
        steps.append(when.reviewed)
    elif demo.status in (PUBLISHED, ARCHIVED):
        entry = entry_publish(entry=entry, reviewed_by=staff, now=when.reviewed)
        steps.append(when.reviewed)
    if demo.status == ARCHIVED:
        entry = entry_archive(entry=entry, archived_by=staff)
        steps.append(when.archived)
    Entry.objects.filter(pk=entry.pk).update(updated_at=steps[1 if demo.picture else 0])
    history = entry.history.order_by("history_date", "history_id")
    for row, moment in zip(history, steps, strict=False):
        type(row).objects.filter(pk=row.pk).update(history_date=moment)
    return entry


# The city's brands, modelled on seed 003 (川崎ものづくりブランド, 低CO2川崎ブランド and its 大賞):
# (name, English name, description, parent's name).
AWARDS = [
    (
        "ひらつかものづくりブランド",
        "Hiratsuka Monozukuri Brand",
        "市内の事業者が開発した、技術・品質・独自性に優れた製品や技術を市が認定するブランド。",
        None,
    ),
    (
        "低CO2ひらつかブランド",
        "Low-CO2 Hiratsuka Brand",
        "原料の調達から廃棄までを通して、CO2の削減に役立つ製品・技術・サービスを認定する。",
        None,
    ),
    (
        "低CO2ひらつかブランド大賞",
        "Low-CO2 Hiratsuka Brand Grand Prize",
        "その年度の低CO2ひらつかブランドのうち、削減効果が特に大きいものに贈る。",
        "低CO2ひらつかブランド",
    ),
]
# (award, entry's title, fiscal year granted, note): several years, so the counts per year show.
GRANTS = [
    ("ひらつかものづくりブランド", "波力発電ブイ", 2022, "第8回認定"),
    ("ひらつかものづくりブランド", "水中カメラロボット", 2023, "第9回認定"),
    ("ひらつかものづくりブランド", "波力発電用ゴムベローズ", 2023, "第9回認定"),
    ("ひらつかものづくりブランド", "マイクロバブル洗浄装置", 2024, "第10回認定"),
    ("ひらつかものづくりブランド", "波力発電用永久磁石発電機", 2024, "第10回認定"),
    ("ひらつかものづくりブランド", "海底ケーブル用光ファイバセンサー", 2025, "第11回認定"),
    ("ひらつかものづくりブランド", "AIカメラ人数計測ユニット", 2026, "第12回認定"),
    ("低CO2ひらつかブランド", "港湾施設向け太陽光・蓄電池システム", 2023, ""),
    ("低CO2ひらつかブランド", "分散型水処理システム", 2024, ""),
    ("低CO2ひらつかブランド", "バイオマスガス化発電", 2024, ""),
    ("低CO2ひらつかブランド", "低摩擦型船底防汚塗料", 2025, ""),
    ("低CO2ひらつかブランド", "中小企業向けCO2排出量可視化サービス", 2025, ""),
    ("低CO2ひらつかブランド", "ガスタービン・コージェネレーションシステム", 2026, ""),
    ("低CO2ひらつかブランド大賞", "分散型水処理システム", 2024, "年間削減量 約1,200 t-CO2"),
    ("低CO2ひらつかブランド大賞", "低摩擦型船底防汚塗料", 2025, "燃料消費 約8%削減"),
]


def _awards(staff: User) -> int:
    """The brands and their grants, through the services (idempotent); grants of entries that
    are not published are left out."""
    awards: dict[str, Award] = {}
    for order, (name, name_en, description, parent) in enumerate(AWARDS, start=1):
        award = Award.objects.filter(name=name).first()
        if award is None:
            award = award_save(
                award=Award(
                    name=name,
                    name_en=name_en,
                    description=description,
                    parent=awards.get(parent or ""),
                    order=order * 10,
                ),
                saved_by=staff,
            )
        awards[name] = award
    granted = 0
    for award_name, title, fiscal_year, note in GRANTS:
        entry = Entry.objects.filter(title=title, status__in=GRANTABLE).first()
        award = awards[award_name]
        if entry is None or AwardGrant.objects.filter(award=award, entry=entry).exists():
            continue
        award_grant(award=award, entry=entry, fiscal_year=fiscal_year, granted_by=staff, note=note)
        granted += 1
    return granted


def load(*, stdout) -> None:
    staff = User.objects.get(username=STAFF)
    member = User.objects.filter(username=MEMBER).first()
    keys = {name: key for name, _kana, key, *_rest in ORGANISATIONS}
    rng = random.Random("kyoso-demo-catalogue")
    now = timezone.now()
    for demo in ENTRIES:
        when = _timeline(demo.status, rng, now)  # drawn for every entry: the same days each load
        organisation = Organisation.objects.get(name=demo.organisation)
        if Entry.objects.filter(organisation=organisation, title=demo.title).exists():
            continue
        entry = _new_entry(demo, organisation=organisation, keys=keys)
        _walk(demo, entry, when, staff=staff, member=member)
    _awards(staff)
    counts = {
        label: Entry.objects.filter(status=value).count() for value, label in Entry.Status.choices
    }
    summary = ", ".join(f"{label} {n}" for label, n in counts.items())
    stdout.write(
        f"projects: 技術・製品一覧 {Entry.objects.count()} entries ({summary}), "
        f"{EntryImage.objects.count()} pictures, "
        f"{AwardGrant.objects.count()} awards granted ({Award.objects.count()} brands and prizes)"
    )
