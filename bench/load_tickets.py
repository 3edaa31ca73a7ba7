"""Load N tickets (default 1,000,000) into PostgreSQL for the benchmark; not part of the test suite.

    DATABASE_URL=postgres://weibao:weibao@127.0.0.1:54331/weibao_bench uv run python bench/load_tickets.py

What it builds (reproducible with ``--seed``):

* ~200 customers with a skewed (Zipf-like) share of tickets -- a few big hospitals have most of them --
  each with sites, contacts, delivered systems and modules, and a portal user;
* ~70 staff in the built-in roles (agents, support and operations engineers, project and service
  managers) in six teams; a bench agent ``bench-agent-01`` (password ``weibao-bench``) for bench_api.py;
* N tickets reported over the last three years, more of them recently, at working-hours times, with
  states that follow their age (most old tickets closed; open ones recent), priorities from the
  urgency x impact matrix, categories, channels, assignees and teams, lifecycle timestamps,
  satisfaction ratings, and a ``search_document`` built with the same tokenizer as
  ``weibao.tickets.search.ticket_search_document`` (checked on a sample).

Speed: titles and descriptions come from a pool of a few thousand generated texts that are tokenized
once; rows are streamed with ``COPY ... FROM STDIN`` in one transaction that first drops the ticket
table's secondary indexes and foreign keys and recreates them afterwards (a failure rolls all of it
back), followed by ``VACUUM ANALYZE``. Tickets, comments and events of earlier runs are removed first
(``--reset`` also removes the reference data).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import math
import os
import random
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from weibao.accounts.choices import UserKind  # noqa: E402
from weibao.accounts.models import Role, Team, User  # noqa: E402
from weibao.core.counters import counter_set  # noqa: E402
from weibao.core.search import search_tokens  # noqa: E402
from weibao.customers.choices import DistanceClass  # noqa: E402
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule  # noqa: E402
from weibao.tickets.choices import Channel, CloseKind, PendingReason, Status  # noqa: E402
from weibao.tickets.models import Category, PriorityRule, Ticket  # noqa: E402
from weibao.tickets.search import ticket_search_document  # noqa: E402

BENCH_PASSWORD = "weibao-bench"  # noqa: S105 - a throwaway benchmark database
TICKET_NUMBER_START = 100_001


def words(text: str) -> list[str]:
    return text.split()


CITIES = words("""
    杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城
    扬州 镇江 泰州 宿迁 合肥 芜湖 蚌埠 淮南 马鞍山 安庆 黄山 滁州 阜阳 福州 厦门 莆田 泉州 漳州 南平 龙岩
    宁德 南昌 九江 赣州 吉安 上饶 济南 青岛 淄博 烟台 潍坊 济宁 泰安 威海 临沂 德州 聊城 郑州 洛阳 开封
    新乡 南阳 信阳 武汉 宜昌 襄阳 荆州 长沙 株洲 湘潭 衡阳 岳阳 常德 广州 韶关 深圳 珠海 汕头 佛山 江门
    湛江 茂名 惠州 梅州 南宁 柳州 桂林 成都 绵阳 德阳 宜宾 南充 贵阳 遵义 昆明
""")
HOSPITAL_KINDS = words("""
    第一人民医院 人民医院 中心医院 中医院 妇幼保健院 第二人民医院 儿童医院 肿瘤医院 口腔医院 第三人民医院
    精神卫生中心 传染病医院
""")
# system name -> modules
SYSTEMS = {
    "HIS 医院信息系统": ["门诊挂号", "住院管理", "药房管理", "收费", "医生工作站", "护士工作站"],
    "LIS 实验室信息系统": ["标本采集", "检验报告", "仪器接口"],
    "PACS 影像归档和通信系统": ["影像采集", "诊断报告", "阅片"],
    "EMR 电子病历系统": ["病历书写", "病历质控", "病案首页"],
    "网络与服务器": ["核心交换机", "无线网络", "服务器集群", "存储", "备份"],
    "手术麻醉系统": ["术前访视", "麻醉记录"],
    "体检管理系统": ["体检登记", "体检报告"],
}
# system name -> what goes wrong with it
SYMPTOMS = {
    "HIS 医院信息系统": words("""
        无法登录 打印发票失败 日结报表金额对不上 提交时响应缓慢 提示数据库连接超时 医保结算报错
        患者信息无法保存 处方无法提交 床位图显示错误 库存数量与盘点不一致 自助机无法打印凭条
        叫号屏不显示患者姓名 退费后发票未作废 挂号号源显示为负数 医嘱执行单打印顺序错乱
    """),
    "LIS 实验室信息系统": words("""
        检验结果回传延迟 条码打印模糊 危急值没有弹窗提醒 仪器数据未上传 报告审核后医生站看不到
        标本条码扫描失败
    """),
    "PACS 影像归档和通信系统": words("影像无法调阅 DICOM上传失败 报告打印页眉错误 存储空间不足 阅片卡顿"),
    "EMR 电子病历系统": words("""
        病历模板无法保存 质控规则误判 打印预览字体显示方框 无法插入检验结果 既往病历无法调阅
        病案首页缺少诊断编码
    """),
    "网络与服务器": words("""
        无线网络频繁掉线 核心交换机CPU利用率过高 服务器磁盘空间不足 备份任务失败 VPN连接不上
        机房温度告警 部分电脑无法上网
    """),
    "手术麻醉系统": words("麻醉记录单打印不全 监护仪数据采集中断 手术排班无法保存"),
    "体检管理系统": words("体检报告生成失败 团检名单导入报错 体检报告打印格式错乱"),
}
DEPARTMENTS = words("""
    门诊 急诊 住院部 检验科 放射科 药剂科 收费处 信息科 东院区 分院 内科 外科 儿科 妇产科 护理部
    体检中心 手术室
""")
DETAILS = words("""
    今天上午开始出现 昨天下午起偶发 多名工作人员反映 重启电脑后仍然存在 只有部分电脑有这个问题
    高峰期特别明显 更新补丁后出现 影响正常业务 已尝试重新登录无效 怀疑与昨晚的升级有关
""")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲建国晓梅志强雪红波辉鹏宇浩"
TITLES = words("信息科主任 信息科工程师 护士长 科室主任 设备科科长 网络管理员 收费处组长 药剂师")
ANALYSES = [
    ("接口服务线程异常退出导致消息积压。", "重启接口服务并调整线程数，增加存活监控。"),
    ("打印服务队列中有卡住的任务。", "清空打印队列并重启打印服务。"),
    ("数据库缺少复合索引，高峰期全表扫描。", "创建索引并更新统计信息。"),
    ("参数在升级后被重置。", "恢复参数配置并核对其他参数。"),
    ("用户操作步骤不正确。", "电话指导正确操作步骤。"),
    ("硬件老化损坏。", "更换备件，恢复正常。"),
    ("第三方接口变更未通知。", "按新接口文档调整对接程序。"),
]

# The status mix by the ticket's age: (up to this many days old, {status: weight}). Most old tickets are
# closed; the open ones are recent; "verified" lasts at most the auto-close days.
STATUS_BY_AGE: list[tuple[int, dict[str, float]]] = [
    (1, {"new": 25, "assigned": 25, "in_progress": 25, "pending": 5, "resolved": 10, "verified": 5,
         "closed": 5}),
    (3, {"new": 3, "assigned": 8, "in_progress": 18, "pending": 12, "resolved": 12, "verified": 12,
         "closed": 31, "cancelled": 4}),
    (30, {"assigned": 2, "in_progress": 4, "pending": 6, "resolved": 4, "closed": 80, "cancelled": 4}),
    (10_000, {"in_progress": 0.1, "pending": 0.2, "resolved": 0.05, "closed": 96.65, "cancelled": 3}),
]  # fmt: skip
CHANNELS = {Channel.PHONE: 45, Channel.PORTAL: 20, Channel.IM: 15, Channel.EMAIL: 12, Channel.API: 8}
LEVELS = {1: 15, 2: 55, 3: 30}
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 6, 14, 16, 15, 12, 6, 9, 14, 14, 12, 8, 4, 3, 2, 2, 1, 1]
SATISFACTION = {5: 55, 4: 30, 3: 10, 2: 3, 1: 2}


class Chooser:
    """Fast repeated weighted choice (cumulative weights + bisect)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = items
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    @classmethod
    def of(cls, weights: Mapping[Any, float]) -> Chooser:
        return cls(list(weights), list(weights.values()))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------- reference data


def reset(*, everything: bool) -> None:
    """Remove tickets (and, with ``everything``, the bench's customers and users) of earlier runs."""
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE tickets_ticketevent, tickets_ticketcomment, tickets_ticketattachment, "
            "tickets_ticket_collaborators, tickets_ticket RESTART IDENTITY"
        )
    if everything:
        SystemModule.objects.filter(system__customer__code__startswith="bench-").delete()
        Customer.objects.filter(code__startswith="bench-").delete()
        Team.objects.filter(code__startswith="bench-").delete()
        User.objects.filter(username__startswith="bench-").delete()


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def make_staff(rng: random.Random) -> dict[str, list[User]]:
    """Staff users in the built-in roles, and six teams. Reused when they already exist."""
    plan = [
        ("agent", "bench-agent", 12),
        ("support_engineer", "bench-eng", 30),
        ("ops_engineer", "bench-ops", 14),
        ("project_manager", "bench-pm", 8),
        ("service_manager", "bench-mgr", 3),
        ("finance", "bench-fin", 2),
    ]
    if not User.objects.filter(username="bench-agent-01").exists():
        password = make_password(BENCH_PASSWORD)
        roles = {r.code: r for r in Role.objects.all()}
        users, links = [], []
        for _role_code, prefix, count in plan:
            for i in range(1, count + 1):
                users.append(
                    User(
                        username=f"{prefix}-{i:02d}",
                        password=password,
                        kind=UserKind.STAFF,
                        display_name=person(rng),
                        email=f"{prefix}-{i:02d}@support.example.cn",
                    )
                )
        User.objects.bulk_create(users)
        by_name = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
        for role_code, prefix, count in plan:
            for i in range(1, count + 1):
                links.append(
                    User.roles.through(user_id=by_name[f"{prefix}-{i:02d}"].pk, role_id=roles[role_code].pk)
                )
        User.roles.through.objects.bulk_create(links)
        engineers = [u for name, u in sorted(by_name.items()) if name.startswith(("bench-eng", "bench-ops"))]
        team_names = ["技术支持一组", "技术支持二组", "技术支持三组", "运维一组", "运维二组", "项目实施组"]
        for t, name in enumerate(team_names):
            team = Team.objects.create(code=f"bench-team-{t + 1}", name=name)
            team.members.set(engineers[t :: len(team_names)])
    staff: dict[str, list[User]] = {}
    for _role, prefix, _count in plan:
        staff[prefix] = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("username"))
    return staff


def make_customers(rng: random.Random, count: int, today: Any) -> None:
    if Customer.objects.filter(code__startswith="bench-").exists():
        return
    names: list[str] = []
    seen = set()
    while len(names) < count:
        name = rng.choice(CITIES) + "市" + rng.choice(HOSPITAL_KINDS)
        if name not in seen:
            seen.add(name)
            names.append(name)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"bench-c{i + 1:03d}", name=name, region=name[:3], email_domains=f"c{i + 1}.example.cn"
            )
            for i, name in enumerate(names)
        ]
    )
    sites, contacts, systems = [], [], []
    for customer in customers:
        for s, (site_name, distance) in enumerate(
            [
                ("本部", DistanceClass.LOCAL),
                ("东院区", DistanceClass.WITHIN_200KM),
                ("分院", DistanceClass.REMOTE),
            ]
        ):
            if s == 0 or rng.random() < 0.4:
                sites.append(Site(customer=customer, name=site_name, distance_class=distance))
    Site.objects.bulk_create(sites)
    main_site = {s.customer_id: s for s in Site.objects.filter(customer__in=customers, name="本部")}
    password = make_password(BENCH_PASSWORD)
    portal_users = User.objects.bulk_create(
        [
            User(
                username=f"bench-portal-{c.code[7:]}",
                password=password,
                kind=UserKind.CUSTOMER,
                display_name=person(rng),
            )
            for c in customers
        ]
    )
    portal_role = Role.objects.get(code="portal")
    User.roles.through.objects.bulk_create(
        [User.roles.through(user_id=u.pk, role_id=portal_role.pk) for u in portal_users]
    )
    for customer, portal_user in zip(customers, portal_users, strict=True):
        for k in range(rng.randint(3, 8)):
            contacts.append(
                Contact(
                    customer=customer,
                    site=main_site[customer.pk],
                    name=person(rng),
                    title=rng.choice(TITLES),
                    phone=f"138{rng.randint(0, 99_999_999):08d}",
                    email=f"contact{k}@{customer.email_domains}",
                    user=portal_user if k == 0 else None,
                )
            )
        chosen = ["HIS 医院信息系统", *rng.sample(list(SYSTEMS)[1:], rng.randint(1, 5))]
        for name in chosen:
            go_live = today - timedelta(days=rng.randint(200, 3000))
            systems.append(
                DeliveredSystem(
                    customer=customer,
                    site=main_site[customer.pk],
                    name=name,
                    version=f"{rng.randint(2, 6)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
                    go_live_date=go_live,
                    warranty_end=go_live + timedelta(days=rng.choice((365, 730, 1095, 1825))),
                )
            )
    Contact.objects.bulk_create(contacts)
    DeliveredSystem.objects.bulk_create(systems)
    SystemModule.objects.bulk_create(
        [SystemModule(system=s, name=m, version=s.version) for s in systems for m in SYSTEMS[s.name]]
    )


# --------------------------------------------------------------------------- ticket rows


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


class TextPool:
    """A few thousand (title, description) pairs per system, tokenized once."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.by_system: dict[str, list[tuple[str, str, list[str]]]] = {}
        per_system = max(1, size // len(SYSTEMS))
        for system, modules in SYSTEMS.items():
            entries: dict[str, tuple[str, str, list[str]]] = {}
            for _ in range(per_system * 3):
                if len(entries) >= per_system:
                    break
                # Most reports name no department in the title.
                dept = rng.choice(DEPARTMENTS) if rng.random() < 0.6 else ""
                module, symptom = rng.choice(modules), rng.choice(SYMPTOMS[system])
                title = f"{dept}{module}{symptom}"
                if title in entries:
                    continue
                detail = rng.sample(DETAILS, 2)
                text = f"{dept or '科室'}反映：{module}{symptom}，{detail[0]}，{detail[1]}。请尽快安排处理。"
                description = f"<p>{text}</p>"
                # Title and description as ticket_search_document passes them (description as plain text).
                tokens = list(dict.fromkeys([*search_tokens(text=title), *search_tokens(text=text)]))
                entries[title] = (title, description, tokens)
            self.by_system[system] = list(entries.values())


def plan_times(rng: random.Random, n: int, now: datetime, years: float) -> list[datetime]:
    """N report times over the last ``years``: density rising towards now, working hours favoured."""
    span_days = years * 365
    start_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=span_days
    )
    hour = Chooser(list(range(24)), HOUR_WEIGHTS)
    times = []
    for _ in range(n):
        day = int(span_days * math.sqrt(rng.random()))
        at = start_day + timedelta(days=day, hours=hour(rng), minutes=rng.random() * 60)
        if at >= now:
            at = now - timedelta(minutes=rng.random() * 600)
        times.append(at)
    times.sort()
    return times


def build_rows(args: argparse.Namespace, rng: random.Random, now: datetime, staff: dict[str, list[User]]):
    """Yield ticket rows (dicts of column -> value) in report order."""
    customers = list(Customer.objects.filter(code__startswith="bench-").order_by("code"))
    # Zipf-like skew: the k-th customer gets a share proportional to 1 / k^s.
    customer_pick = Chooser(customers, [1 / (k + 1) ** args.skew for k in range(len(customers))])
    systems: dict[int, list[DeliveredSystem]] = {}
    for system in DeliveredSystem.objects.filter(customer__in=customers).prefetch_related("modules"):
        systems.setdefault(system.customer_id, []).append(system)
    modules = {s.pk: list(s.modules.all()) for group in systems.values() for s in group}
    contacts: dict[int, list[Contact]] = {}
    for contact in Contact.objects.filter(customer__in=customers):
        contacts.setdefault(contact.customer_id, []).append(contact)
    customer_tokens = {c.pk: search_tokens(text=c.name) for c in customers}
    system_tokens = {name: search_tokens(text=name) for name in SYSTEMS}
    pool = TextPool(rng, args.pool)
    matrix = {(r.urgency, r.impact): r.priority for r in PriorityRule.objects.all()}
    categories = list(Category.objects.filter(parent__isnull=False).order_by("code"))
    category_pick = Chooser(categories, [8 if c.code.startswith("technical") else 5 for c in categories])
    engineers = staff["bench-eng"] + staff["bench-ops"] + staff["bench-pm"][:2]
    team_of = {}
    for team in Team.objects.filter(code__startswith="bench-").prefetch_related("members"):
        for member in team.members.all():
            team_of[member.pk] = team.pk
    fallback_team = (
        Team.objects.filter(code__startswith="bench-").order_by("code").values_list("pk", flat=True)[0]
    )
    agents = staff["bench-agent"]
    age_tables = [(days, Chooser.of(mix)) for days, mix in STATUS_BY_AGE]
    channel_pick = Chooser.of(CHANNELS)
    level_pick = Chooser.of(LEVELS)
    rating_pick = Chooser.of(SATISFACTION)
    pending_pick = Chooser(PendingReason.values, [6, 3, 1])
    close_pick = Chooser([CloseKind.CONFIRMED, CloseKind.ON_BEHALF, CloseKind.AUTO], [35, 40, 25])
    hours = timedelta(hours=1)

    for index, reported in enumerate(plan_times(rng, args.count, now, args.years)):
        customer = customer_pick(rng)
        system = rng.choice(systems[customer.pk])
        module = rng.choice(modules[system.pk]) if modules[system.pk] and rng.random() < 0.8 else None
        contact = rng.choice(contacts[customer.pk])
        title, description, tokens = rng.choice(pool.by_system[system.name])
        number = TICKET_NUMBER_START + index
        channel = channel_pick(rng)
        urgency, impact = level_pick(rng), level_pick(rng)
        emergency = urgency == 1 and impact == 1 and rng.random() < 0.15
        age_days = (now - reported).total_seconds() / 86400
        status = next(chooser for days, chooser in age_tables if age_days <= days)(rng)
        row: dict[str, Any] = {
            "number": number,
            "customer_id": customer.pk,
            "site_id": system.site_id,
            "contact_id": contact.pk,
            "reporter_name": contact.name,
            "reporter_phone": contact.phone,
            "reporter_email": contact.email,
            "system_id": system.pk,
            "module_id": module.pk if module else None,
            "channel": channel,
            "title": title,
            "description": description,
            "problem_started_at": reported - timedelta(minutes=rng.randint(5, 240))
            if rng.random() < 0.6
            else None,
            "reported_at": reported,
            "category_id": category_pick(rng).pk if status != Status.NEW or rng.random() < 0.5 else None,
            "urgency": urgency,
            "impact": impact,
            "priority": 1 if emergency else matrix.get((urgency, impact), 3),
            "is_emergency": emergency,
            "status": status,
            "pending_reason": pending_pick(rng) if status == Status.PENDING else "",
            "created_by_id": (
                customer_portal_user(contacts[customer.pk])
                if channel == Channel.PORTAL
                else rng.choice(agents).pk
            ),
            "created_at": min(reported + timedelta(minutes=rng.randint(0, 15)), now),
            "version": 1,
            "search_document": " ".join(
                dict.fromkeys(
                    [str(number), *tokens, *customer_tokens[customer.pk], *system_tokens[system.name]]
                )
            ),
        }
        last = row["created_at"]
        if status != Status.NEW and not (status == Status.CANCELLED and rng.random() < 0.5):
            engineer = rng.choice(engineers)
            row["assignee_id"] = engineer.pk if rng.random() < 0.92 else None
            row["team_id"] = team_of.get(engineer.pk, fallback_team)
            row["version"] += 1
        if status in (Status.RESOLVED, Status.VERIFIED, Status.CLOSED):
            resolved = reported + hours * rng.lognormvariate(1.6, 1.0)
            analysis, solution = rng.choice(ANALYSES)
            row.update(
                analysis=analysis,
                solution=solution,
                resolved_at=min(resolved, now),
                version=row["version"] + 2,
            )
            last = row["resolved_at"]
        if status in (Status.VERIFIED, Status.CLOSED):
            verified = min(last + hours * rng.uniform(0.5, 30), now)
            row.update(
                verified_at=verified,
                verification_note="已回访客户，确认问题已解决。",
                version=row["version"] + 1,
            )
            last = verified
        if status == Status.CLOSED:
            kind = close_pick(rng)
            closed = last + (
                timedelta(days=3, minutes=15) if kind == CloseKind.AUTO else hours * rng.uniform(1, 48)
            )
            if closed > now:
                kind, closed = CloseKind.ON_BEHALF, now
            row.update(closed_at=closed, close_kind=kind, version=row["version"] + 1)
            if kind != CloseKind.AUTO and rng.random() < 0.7:
                row.update(satisfaction=rating_pick(rng), rated_at=closed)
            last = closed
        if status == Status.CANCELLED:
            row["closed_at"] = last = min(reported + hours * rng.uniform(0.2, 24), now)
        if status in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING):
            if status != Status.NEW and rng.random() < 0.6:
                row["last_progress_at"] = last = min(reported + hours * rng.uniform(0.5, 48), now)
            row["progress_due_at"] = (row.get("last_progress_at") or reported) + timedelta(hours=24)
        row["updated_at"] = last
        yield row


_portal_cache: dict[int, int | None] = {}


def customer_portal_user(contacts: list[Contact]) -> int | None:
    customer_id = contacts[0].customer_id
    if customer_id not in _portal_cache:
        _portal_cache[customer_id] = next((c.user_id for c in contacts if c.user_id), None)
    return _portal_cache[customer_id]


# --------------------------------------------------------------------------- loading


def ticket_columns() -> list[tuple[str, Any]]:
    """(column, default when a row leaves it out) for every concrete column except ``id``."""
    columns = []
    for field in Ticket._meta.concrete_fields:
        if field.attname == "id":
            continue
        if field.null:
            default = None
        elif field.has_default():
            default = field.get_default()
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
            default = ""
        else:
            default = KeyError  # required: every row must set it
        columns.append((field.column, default))
    return columns


def check_search_document(sample: dict[str, Any]) -> None:
    """The generated document equals what ticket_search_document builds for the same ticket."""
    ticket = Ticket(
        number=sample["number"],
        title=sample["title"],
        description=sample["description"],
        customer=Customer.objects.get(pk=sample["customer_id"]),
        system=DeliveredSystem.objects.get(pk=sample["system_id"]),
    )
    expected = ticket_search_document(ticket=ticket)
    if expected != sample["search_document"]:
        raise SystemExit(
            f"search_document differs from ticket_search_document:\n{expected}\n{sample['search_document']}"
        )


def load(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    now = timezone.now()
    started = time.monotonic()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/load_tickets.py loads PostgreSQL only; set DATABASE_URL")
    log("migrate")
    call_command("migrate", verbosity=0)
    log("remove earlier bench data" + (" (everything)" if args.reset else " (tickets)"))
    reset(everything=args.reset)
    log("reference data: staff, teams, customers, sites, contacts, systems")
    staff = make_staff(rng)
    make_customers(rng, args.customers, timezone.localdate(now))
    columns = ticket_columns()
    names = [c for c, _ in columns]
    table = Ticket._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        # Secondary indexes and foreign keys are rebuilt once at the end: far faster than maintaining
        # them row by row, and DDL is transactional, so a failure leaves the table as it was.
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [table],
        )
        foreign_keys = cur.fetchall()
        for name, _definition in foreign_keys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        log(
            f"dropped {len(indexes)} indexes and {len(foreign_keys)} foreign keys; "
            f"streaming {args.count:,} tickets"
        )
        copy_started = time.monotonic()
        psycopg_cursor = cur.cursor  # the psycopg 3 cursor under Django's wrapper
        statuses: dict[str, int] = {}
        rows = build_rows(args, rng, now, staff)
        # The generator reads the reference data on its first step, and the check queries too: both
        # must happen before COPY takes over the connection.
        first = next(rows)
        check_search_document(first)
        missing = [c for c, d in columns if d is KeyError and c not in first]
        if missing:
            raise SystemExit(f"rows lack required columns: {missing}")
        with psycopg_cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            buffer: list[str] = []
            for i, row in enumerate(itertools.chain([first], rows)):
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
                buffer.append("\t".join(copy_text(row.get(c, d)) for c, d in columns))
                if len(buffer) >= 10_000:
                    copy.write("\n".join(buffer) + "\n")
                    buffer.clear()
                    if (i + 1) % 100_000 == 0:
                        rate = (i + 1) / (time.monotonic() - copy_started)
                        log(f"  {i + 1:,} rows ({rate:,.0f}/s)")
            if buffer:
                copy.write("\n".join(buffer) + "\n")
        log(f"copied in {time.monotonic() - copy_started:.0f} s; rebuilding indexes and foreign keys")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            index_started = time.monotonic()
            cur.execute(definition)
            log(f"  {name}: {time.monotonic() - index_started:.1f} s")
        for name, definition in foreign_keys:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        # Moves the counter row and the PostgreSQL sequence the ticket service numbers from.
        counter_set(name="ticket", value=TICKET_NUMBER_START + args.count - 1)
    log("VACUUM ANALYZE")
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("ANALYZE")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table])
        size = cur.fetchone()[0]
    log(f"done: {args.count:,} tickets in {time.monotonic() - started:.0f} s; table with indexes {size}")
    for status in Status.values:
        log(f"  {status:<12} {statuses.get(status, 0):>9,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "-n", "--count", type=int, default=1_000_000, help="tickets to load (default 1,000,000)"
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--years", type=float, default=3.0, help="spread of reported_at (default 3 years)")
    parser.add_argument("--skew", type=float, default=1.0, help="Zipf exponent of tickets per customer")
    parser.add_argument("--pool", type=int, default=4000, help="distinct generated titles, tokenized once")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--reset", action="store_true", help="also recreate customers, staff and teams")
    load(parser.parse_args())


if __name__ == "__main__":
    main()
