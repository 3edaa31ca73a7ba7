"""``python manage.py load_demo_data``: a demo hospital, staff in every role and ~40 tickets in every state.

Idempotent: users are found by username, customers by code, sites/contacts/systems by name within
their customer, tickets by (customer, title). Anything already present is left exactly as it is, so a
second run writes nothing.

Tickets are created and moved through their lifecycle by ``weibao.tickets.services`` only, so the
timeline, comments, search documents and counters are real. The services stamp "now" on every
event; to make a ticket reported three weeks ago read like three weeks of work (resolved the next
day, verified, auto-closed three days later) each scenario runs under a simulated clock that
``timezone.now`` follows, and which never passes the real present.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from weibao.accounts.choices import UserKind
from weibao.accounts.models import Role, Team, User
from weibao.accounts.services import team_create, user_create
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Customer
from weibao.customers.services import (
    ModuleSpec,
    PortalLogin,
    contact_create,
    customer_create,
    site_create,
    system_create,
)
from weibao.sla.selectors import default_policy
from weibao.sla.services import contract_save
from weibao.tickets import services
from weibao.tickets.choices import Channel, Status
from weibao.tickets.models import Category, Ticket

PASSWORD = "weibao-demo"  # noqa: S105 - the documented demo password
URL = "http://127.0.0.1:8000/"

# username -> (display name, role codes, email, phone, superior username, what the summary calls them)
STAFF = {
    "manager": ("赵丽华", ["service_manager"], "zhao.lihua", "13901000005", None, "服务经理 service_manager"),
    "agent": ("周晓燕", ["agent"], "zhou.xiaoyan", "13901000001", None, "客服 agent"),
    "engineer": (
        "刘志强",
        ["support_engineer"],
        "liu.zhiqiang",
        "13901000002",
        "manager",
        "技术支持 support_engineer",
    ),
    "ops": ("王磊", ["ops_engineer"], "wang.lei", "13901000003", "manager", "运维工程师 ops_engineer"),
    "pm": ("张明", ["project_manager"], "zhang.ming", "13901000004", None, "项目经理 project_manager"),
    "finance": ("孙悦", ["finance"], "sun.yue", "13901000006", None, "财务 finance"),
}
TEAMS = {"tech-support": ("技术支持组", "pm", ["engineer", "pm"]), "ops": ("运维组", "ops", ["ops"])}

D = DistanceClass
# code -> customer fields, sites (name, address, distance), contacts (name, title, phone, email, site,
# portal username), systems (key, name, version, site, go-live years ago, warranty end in days from
# today (negative: expired), modules).
CUSTOMERS: dict[str, dict[str, Any]] = {
    "demo-hospital": {
        "name": "示范市第一人民医院", "region": "示范省示范市", "address": "示范市中山路 88 号",
        "phone": "0571-88880000", "email_domains": "hospital.example.cn",
        "notes": "三级甲等综合医院，本部 + 东院区 + 西山分院。HIS/LIS/PACS 均由我司交付。",
        "sites": [
            ("本部", "示范市中山路 88 号", D.LOCAL),
            ("东院区", "临江县滨江大道 16 号（距本部约 60 公里）", D.WITHIN_200KM),
            ("西山分院", "西山县人民路 3 号（距本部约 320 公里）", D.REMOTE),
        ],
        "contacts": [
            ("王建国", "信息科主任", "13857100001", "wangjianguo@hospital.example.cn", "本部", "customer"),
            ("李晓梅", "信息科工程师", "13857100002", "lixiaomei@hospital.example.cn", "本部", None),
            ("张丽", "门诊部护士长", "13857100003", "zhangli@hospital.example.cn", "本部", None),
            ("刘芳", "检验科主任", "13857100004", "liufang@hospital.example.cn", "本部", None),
            ("陈强", "放射科技师长", "13857100005", "chenqiang@hospital.example.cn", "本部", None),
            ("赵敏", "东院区信息管理员", "13857100006", "zhaomin@hospital.example.cn", "东院区", None),
            ("孙磊", "西山分院网络管理员", "13857100007", "sunlei@hospital.example.cn", "西山分院", None),
        ],
        "systems": [
            ("HIS", "HIS 医院信息系统", "5.2.3", "本部", 3.5, 540,
             [("门诊挂号", "5.2.3"), ("住院管理", "5.2.1"), ("药房管理", "5.2.0"), ("收费", "5.2.3")]),
            ("LIS", "LIS 实验室信息系统", "3.1.4", "本部", 5, -720,
             [("标本采集", "3.1.4"), ("检验报告", "3.1.2")]),
            ("PACS", "PACS 影像归档和通信系统", "4.0.2", "本部", 3, -60,
             [("影像采集", "4.0.2"), ("诊断报告", "4.0.1")]),
            ("NET", "网络与服务器", "二期", "本部", 1, 730,
             [("核心交换机", ""), ("服务器集群", ""), ("存储", "")]),
        ],
    },
    "demo-maternity": {
        "name": "示范市妇幼保健院", "region": "示范省示范市", "address": "示范市解放路 201 号",
        "phone": "0571-86660000", "email_domains": "fybj.example.cn", "notes": "二级甲等妇幼保健院。",
        "sites": [("本部", "示范市解放路 201 号", D.LOCAL)],
        "contacts": [
            ("何雪", "信息科工程师", "13957200001", "hexue@fybj.example.cn", "本部", "customer2"),
            ("马丽娟", "护理部主任", "13957200002", "malijuan@fybj.example.cn", "本部", None),
        ],
        "systems": [
            ("HIS", "HIS 医院信息系统", "5.1.8", "本部", 2, 365, [("门诊挂号", "5.1.8"), ("收费", "5.1.8")]),
            ("EMR", "EMR 电子病历系统", "2.3.0", "本部", 1.5, 200,
             [("病历书写", "2.3.0"), ("病历质控", "2.3.0")]),
        ],
    },
    "demo-county": {
        "name": "示范县人民医院", "region": "示范省示范县", "address": "示范县建设路 12 号",
        "phone": "0571-63330000", "email_domains": "sfxrmyy.example.cn", "notes": "",
        "sites": [("本部", "示范县建设路 12 号（距服务中心约 150 公里）", D.WITHIN_200KM)],
        "contacts": [("吴刚", "设备科科长", "13757300001", "wugang@sfxrmyy.example.cn", "本部", None)],
        "systems": [
            ("HIS", "HIS 医院信息系统", "4.8.2", "本部", 6, -400, [("住院管理", "4.8.2"), ("收费", "4.8.2")]),
            ("NET", "网络与服务器", "一期", "本部", 6, -400, []),
        ],
    },
}  # fmt: skip


@dataclass
class Spec:
    """One demo ticket: how it was reported and what happened to it.

    ``steps`` are (hours after the report, action, arguments), played in order through the services.
    """

    title: str
    customer: str
    contact: str | None
    system: str | None
    module: str | None
    channel: str
    at: tuple[int, str] | int  # (days ago, "HH:MM" local time) or minutes ago
    description: str = ""
    by: str = "agent"
    category: str | None = None
    urgency: int = 2
    impact: int = 2
    emergency: bool = False
    site: str | None = None
    steps: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)


H, DM, CT = "demo-hospital", "demo-maternity", "demo-county"
P, E, W, IM, API = Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.IM, Channel.API


def assign(
    h: float, to: str | None = "engineer", team: str | None = "tech-support", req: str = "", dl: float = 0
):
    return (h, "assign", {"to": to, "team": team, "req": req, "deadline": dl})


def start(h: float):
    return (h, "start", {})


def note(h: float, body: str, by: str | None = None):
    return (h, "note", {"body": body, "by": by})


def reply(h: float, body: str, by: str | None = None):
    return (h, "reply", {"body": body, "by": by})


def progress(h: float, body: str):
    return (h, "progress", {"body": body})


def pend(h: float, reason: str, text: str):
    return (h, "pend", {"reason": reason, "note": text})


def resume(h: float, text: str = ""):
    return (h, "resume", {"note": text})


def resolve(h: float, analysis: str, solution: str):
    return (h, "resolve", {"analysis": analysis, "solution": solution})


def verify(h: float, text: str):
    return (h, "verify", {"note": text})


def close(h: float, score: int | None = None, comment: str = "", by: str = "agent"):
    return (h, "close", {"score": score, "comment": comment, "by": by})


def triage(h: float, category: str, urgency: int = 2, impact: int = 2):
    return (h, "triage", {"category": category, "urgency": urgency, "impact": impact})


def done(h: float, engineer: str, analysis: str, solution: str, checked: str, team: str = "tech-support"):
    """Dispatch at +h, start, resolve 3 hours later, verify at the same time the next day."""
    return [
        assign(h, engineer, team),
        start(h + 0.5),
        resolve(h + 3, analysis, solution),
        verify(h + 24, checked),
    ]


SPECS: list[Spec] = [
    # --- new -----------------------------------------------------------------------------------
    Spec(
        "东院区自助挂号机无法打印挂号凭条", H, "王建国", "HIS", "门诊挂号", W, 35,
        by="customer", site="东院区",
        description="东院区门诊大厅 2 号自助机挂号成功后不出凭条，屏幕提示“打印机状态异常”。1 号机正常。",
    ),
    Spec(
        "门诊医生站开立处方时偶尔提示“会话已过期”", H, "张丽", "HIS", "门诊挂号", P, 180,
        category="technical-software",
        description="内科、儿科多名医生反映，开处方保存时偶尔弹出“会话已过期，请重新登录”，"
        "重新登录后处方需要重开。上午 10 点左右最频繁。",
        steps=[note(0.2, "已电话建议先清理浏览器缓存；怀疑负载均衡会话保持配置有问题。", "agent")],
    ),
    Spec(
        "电子病历打印预览中文字体显示为方框", DM, "马丽娟", "EMR", "病历书写", E, 300,
        category="functional-defect",
        description="护理记录单打印预览时部分中文显示为方框，直接打印出来也是方框。昨天更新过 Windows 补丁。",
    ),
    Spec(
        "咨询：如何为新入职医生批量开通 HIS 账号", H, "李晓梅", "HIS", None, IM, (1, "16:20"),
        category="usage-account", urgency=3, impact=3,
        description="下周有 23 名规培医生入职，想了解 HIS 能否按 Excel 批量导入账号并分配科室权限。",
        steps=[reply(0.2, "您好，已收到。批量导入需按模板整理工号、姓名、科室和角色，明天联系您。", "agent")],
    ),
    Spec(
        "PACS 影像无法调阅，放射科全部工作站报错", H, "陈强", "PACS", None, P, 12,
        category="technical", urgency=1, impact=1, emergency=True,
        description="放射科所有阅片工作站打开影像时报“无法连接影像服务器”，CT、DR 检查均受影响，"
        "急诊患者在等报告。",
    ),
    # --- assigned ------------------------------------------------------------------------------
    Spec(
        "住院护士站打印腕带条码模糊", H, "李晓梅", "HIS", "住院管理", P, (1, "10:05"),
        category="technical-hardware", impact=3,
        description="心内科、呼吸科护士站打印的患者腕带条码发虚，PDA 扫不出来。",
        steps=[assign(0.3, req="携带备用色带，现场检查打印机驱动和打印浓度设置", dl=24)],
    ),
    Spec(
        "药房管理系统库存数量与实际盘点不一致", H, "王建国", "HIS", "药房管理", W, (2, "14:30"),
        by="customer",
        description="本月盘点发现门诊药房 12 种药品系统库存比实物多，集中在退药较多的品种。",
        steps=[triage(0.5, "functional-defect"), assign(1, req="先远程核对近一周出入库及退药流水")],
    ),
    Spec(
        "收费处日结报表金额与财务系统对不上", DM, "何雪", "HIS", "收费", W, (1, "09:40"), by="customer2",
        description="11 月以来每天的收费日结报表总额比财务系统多几十元到几百元不等。",
        steps=[triage(0.4, "functional-defect"), assign(1, to=None, req="组内认领：核对退费和作废发票")],
    ),
    Spec(
        "[监控告警] 核心交换机 CPU 利用率持续高于 85%", H, None, "NET", "核心交换机", API, 360, by="ops",
        category="technical-network",
        description="Zabbix 告警：core-sw-01 CPU 利用率 15 分钟平均值 87%，阈值 85%。",
        steps=[assign(0.2, "ops", "ops", req="检查是否存在广播风暴或环路，必要时抓包")],
    ),
    # --- in progress ---------------------------------------------------------------------------
    Spec(
        "门诊挂号系统全部窗口无法挂号", H, "张丽", "HIS", "门诊挂号", P, 130,
        category="technical-software", urgency=1, impact=1, emergency=True,
        description="早高峰全部挂号窗口和自助机提交挂号时转圈后超时，门诊大厅排队严重。",
        steps=[
            assign(0.05, req="启动应急预案，10 分钟内远程接入", dl=1),
            start(0.1),
            note(0.3, "数据库连接池耗尽，大量会话阻塞在号源表的行锁上，正在定位长事务。"),
            (0.4, "escalate", {"reason": "疑似数据库层面问题，需要 DBA 和数据库厂商支持"}),
            (0.5, "collab", {"user": "ops", "note": "请协助检查数据库服务器负载和存储延迟"}),
            progress(0.6, "已电话告知门诊部：先启用手工挂号应急流程，工程师正在处理，预计 30 分钟内恢复。"),
        ],
    ),
    Spec(
        "LIS 检验结果回传 HIS 延迟约 30 分钟", H, "李晓梅", "LIS", "检验报告", IM, (3, "10:15"),
        category="technical-performance",
        description="检验科审核后的结果要过半小时左右医生站才能看到，以前是 1~2 分钟。",
        steps=[
            assign(0.5),
            start(2),
            note(3, "接口日志显示消息队列积压约 4000 条，消费者线程只剩 1 个在工作。"),
            reply(4, "已定位到接口服务的消费线程异常退出，今晚低峰期重启并调整线程数，明早回访。"),
        ],
    ),
    Spec(
        "检验科条码打印机更换后无法识别标本条码", H, "刘芳", "LIS", "标本采集", E, (4, "15:00"),
        category="technical-hardware",
        description="检验科新换的斑马打印机打出的标本条码，流水线扫码器识别失败率很高。",
        steps=[assign(1, "ops", "ops"), start(18)],
    ),
    Spec(
        "病历质控规则更新后部分病历被误判为不合格", DM, "何雪", "EMR", "病历质控", P, (5, "11:20"),
        category="functional-defect",
        description="上周质控规则升级后，产科约 30 份病历被判为“首页诊断缺失”，实际已填写。",
        steps=[
            assign(1),
            start(3),
            reply(4, "请提供两份被误判病历的住院号，我们对照规则排查。"),
            reply(6, "住院号 2024110318、2024110402，截图已发邮箱。", "customer2"),
            progress(26, "规则引擎已找到问题：新规则把“出院诊断”错误映射到门诊诊断字段，正在修正。"),
        ],
    ),
    Spec(
        "县医院 HIS 服务器磁盘空间不足告警", CT, "吴刚", "NET", None, P, (1, "08:30"),
        category="technical-hardware",
        description="机房 HIS 数据库服务器 D 盘剩余不到 5%，担心影响业务。",
        steps=[assign(0.5, "ops", "ops"), start(1), note(2, "归档日志未按策略清理，可清理约 180 GB。")],
    ),
    # --- pending -------------------------------------------------------------------------------
    Spec(
        "出院结算时医保报销比例计算错误", H, "王建国", "HIS", "收费", W, (6, "09:00"), by="customer",
        description="部分职工医保患者出院结算时统筹支付比例按 80% 算了，应该是 85%。",
        steps=[
            triage(0.5, "functional-defect", 1, 2),
            assign(1),
            start(2),
            reply(3, "请提供出现问题的住院号和结算单截图，便于核对医保目录和政策参数。"),
            pend(3.1, "customer", "等待信息科提供住院号和结算单截图"),
        ],
    ),
    Spec(
        "东院区部分电脑无法访问 PACS 阅片网页", H, "赵敏", "PACS", "诊断报告", P, (4, "14:10"),
        category="technical-network", site="东院区",
        description="东院区住院部 6 台电脑打开 PACS 网页阅片提示证书错误，其他电脑正常。",
        steps=[
            assign(0.5, "ops", "ops"),
            start(1),
            pend(2, "customer", "需要东院区在工作时间开放这几台电脑的远程桌面"),
        ],
    ),
    Spec(
        "CT 设备影像上传 PACS 失败（DICOM 连接被拒绝）", H, "陈强", "PACS", "影像采集", E, (8, "10:30"),
        category="technical", urgency=1,
        description="64 排 CT 周末厂家保养后，检查图像无法自动推送到 PACS，目前靠手工导入。",
        steps=[
            assign(0.5),
            start(1),
            note(2, "PACS 日志：Association rejected，Called AE Title 不匹配，怀疑保养时 CT 配置被重置。"),
            pend(3, "third_party", "等待 CT 设备厂商工程师确认并恢复 AE Title 配置"),
        ],
    ),
    Spec(
        "医保接口升级后门诊结算报错“交易代码不存在”", DM, "马丽娟", "HIS", "收费", P, (3, "08:50"),
        category="technical-software", urgency=1, impact=1,
        description="医保中心昨晚升级接口，今天门诊医保结算全部报“交易代码不存在”，目前只能自费结算。",
        steps=[
            assign(0.2),
            start(0.4),
            pend(2, "third_party", "已提交医保中心工单，等待新版接口文档和测试环境"),
        ],
    ),
    Spec(
        "西山分院需要新增两台门诊工作站的 HIS 客户端", H, "孙磊", "HIS", None, IM, (7, "11:00"),
        category="functional-change", urgency=3, site="西山分院",
        description="分院新开一个诊室，需要安装两台工作站的 HIS 客户端并配置打印机。",
        steps=[assign(1, "ops", "ops"), start(2), pend(3, "other", "等待分院采购的电脑到货后上门安装")],
    ),
    # --- resolved ------------------------------------------------------------------------------
    Spec(
        "门诊收费处发票打印机卡纸后无法继续打印", H, "张丽", "HIS", "收费", P, (2, "10:40"),
        category="technical-hardware",
        description="3 号收费窗口打印机卡纸处理后，系统一直提示“打印任务等待中”。",
        steps=[
            assign(0.2),
            start(0.5),
            resolve(1.5, "打印服务队列中残留一条卡住的发票任务，阻塞了后续任务。",
                    "远程清空打印队列并重启打印服务，补打了 3 张发票。"),
        ],
    ),
    Spec(
        "新增科室后在挂号界面中看不到", H, "王建国", "HIS", "门诊挂号", W, (3, "09:30"), by="customer",
        description="信息科在字典里新增了“疼痛科”，但挂号界面的科室列表里没有。",
        steps=[
            triage(0.3, "usage-howto", 3, 2),
            assign(0.5),
            start(1),
            reply(1.5, "新增科室后还需要在“排班管理”中为该科室建立出诊排班，挂号界面只显示有排班的科室。"),
            resolve(2, "科室字典已建立，但没有出诊排班，挂号界面按排班过滤。",
                    "指导信息科为疼痛科建立排班，挂号界面已可见。"),
        ],
    ),
    Spec(
        "电子病历模板中无法插入检验结果", DM, "何雪", "EMR", "病历书写", W, (4, "13:15"), by="customer2",
        description="病程记录模板里点“插入检验结果”没有反应。",
        steps=[
            triage(0.5, "functional-defect"),
            assign(1),
            start(2),
            resolve(5, "EMR 调用 LIS 结果接口的地址仍指向旧服务器。", "更新接口地址并重启服务，已验证。"),
        ],
    ),
    # --- verified ------------------------------------------------------------------------------
    Spec(
        "LIS 危急值提醒没有弹窗", H, "刘芳", "LIS", "检验报告", P, (2, "09:30"),
        category="technical-software", urgency=1,
        description="昨天起检验科审核出危急值后，临床医生站没有弹窗提醒。",
        steps=done(0.3, "engineer", "危急值推送服务在系统补丁后未随系统自动启动。",
                   "启动服务并设置为自动启动，增加服务存活监控。",
                   "已与检验科联合测试危急值推送，医生站弹窗正常，已电话告知刘主任。"),
    ),
    Spec(
        "HIS 数据库备份任务连续两天失败", H, "李晓梅", "NET", "存储", E, (2, "08:10"),
        category="technical-hardware", urgency=1, impact=3,
        description="备份监控邮件显示 HIS 数据库全量备份连续两天失败。",
        steps=done(1, "ops", "备份目标 NAS 的共享卷满了，旧备份没有按保留策略清理。",
                   "清理过期备份，修复保留策略脚本，手工补做一次全量备份并校验。",
                   "已核对今晨自动备份成功，告知李工。", team="ops"),
    ),
    Spec(
        "住院医嘱执行单打印顺序错乱", CT, "吴刚", "HIS", "住院管理", P, (2, "15:20"),
        category="functional-defect", urgency=3,
        description="护士站打印的医嘱执行单顺序和医嘱录入顺序不一致。",
        steps=done(0.5, "engineer", "打印模板按医嘱 ID 排序，补录的医嘱 ID 更大排到了后面。",
                   "模板改为按开立时间排序。", "已请护士站试打，顺序正确，已回复吴科长。"),
    ),
    # --- closed --------------------------------------------------------------------------------
    Spec(
        "药房发药窗口叫号屏不显示患者姓名", H, "王建国", "HIS", "药房管理", W, (12, "10:00"), by="customer",
        description="门诊西药房叫号屏只显示号码，不显示患者姓名（脱敏后）。",
        steps=[
            triage(0.5, "functional-defect", 3, 2),
            *done(1, "engineer", "叫号屏程序升级后姓名脱敏参数被重置为“不显示”。", "恢复为“姓名脱敏显示”。",
                  "已到药房现场确认叫号屏显示正常。"),
            close(30, 5, "响应很快，问题解决得很彻底，谢谢刘工！", by="customer"),
        ],
    ),
    Spec(
        "门诊挂号高峰期系统响应慢", H, "张丽", "HIS", "门诊挂号", P, (20, "08:40"),
        category="technical-performance", impact=1,
        description="每天 8 点到 9 点半挂号提交要等 5~10 秒。",
        steps=[
            assign(0.5),
            start(1),
            note(3, "慢查询日志里号源查询全表扫描，挂号表已有 1200 万行。"),
            progress(5, "已找到原因，今晚维护窗口内处理，明早高峰期观察效果。"),
            resolve(20, "号源查询缺少（科室, 日期）复合索引，高峰期并发下全表扫描。",
                    "夜间维护窗口创建索引并更新统计信息，高峰期挂号提交降至 1 秒内。"),
            verify(28, "第二天早高峰现场观察，挂号提交均在 1 秒以内，已告知张护士长。"),
            close(50, 4, "电话回访：问题已解决，希望高峰期前能提前巡检。"),
        ],
    ),
    Spec(
        "申请开通检验科新员工 LIS 账号", H, "王建国", "LIS", None, W, (9, "14:00"), by="customer",
        description="检验科新来两位技师，请开通 LIS 账号：工号 J1088、J1089。",
        steps=[
            triage(0.3, "usage-account", 3, 3),
            assign(0.5),
            start(1),
            resolve(1.5, "新员工账号申请。", "已开通账号并分配“检验技师”角色，初始密码已短信发送。"),
            verify(2, "已确认两位技师能登录，告知王主任。"),
            close(4, by="customer"),
        ],
    ),
    Spec(
        "PACS 报告打印页眉医院名称需要更新", H, "陈强", "PACS", "诊断报告", E, (18, "10:20"),
        category="functional-change", urgency=3,
        description="医院更名后，影像报告页眉仍是旧名称。",
        steps=[
            *done(1, "engineer", "报告模板页眉为静态图片。", "页眉改为读取系统参数中的医院名称。",
                  "已打印样张请放射科确认。"),
            (100, "auto_close", {}),
        ],
    ),
    Spec(
        "EMR 系统登录页面加载缓慢", DM, "何雪", "EMR", None, E, (25, "09:10"),
        category="technical-performance",
        description="早上打开 EMR 登录页要 20 秒左右。",
        steps=[
            *done(0.5, "engineer", "登录页加载了未压缩的大尺寸背景图片，且未启用浏览器缓存。",
                  "压缩静态资源并开启缓存头，登录页加载降至 2 秒。", "已请信息科何工确认。"),
            (98, "auto_close", {}),
        ],
    ),
    Spec(
        "县医院网络中断（机房光模块故障）", CT, "吴刚", "NET", None, P, (30, "02:15"),
        category="technical-network", urgency=1, impact=1, emergency=True,
        description="夜间全院网络中断，急诊无法开单。",
        steps=[
            assign(0.1, "ops", "ops", req="立即远程排查，必要时连夜上门", dl=2),
            start(0.2),
            (0.3, "collab", {"user": "engineer", "note": "请准备 HIS 离线应急方案"}),
            progress(0.8, "已告知吴科长：定位为核心交换机上联光模块故障，工程师已出发携带备件。"),
            resolve(3.5, "核心交换机上联光模块老化损坏。", "更换光模块，网络恢复；建议更换同批次光模块。"),
            verify(8, "早交班前确认全院网络和 HIS 正常，已电话告知吴科长。"),
            close(26),
            (50, "rate", {"score": 5, "comment": "院方回访：夜间响应及时，处理专业。"}),
        ],
    ),
    Spec(
        "预约号源不能按周复制", DM, "何雪", "HIS", "门诊挂号", W, (15, "10:00"), by="customer2",
        description="排班时希望把本周号源整体复制到下周，目前只能一天一天复制。",
        steps=[
            triage(0.5, "functional-change", 3, 2),
            *done(2, "pm", "现有版本仅支持按日复制。", "升级排班模块补丁 5.1.8-p3，新增按周复制。",
                  "已远程演示按周复制，何工确认可用。"),
            close(72, 3, "功能可以用了，但处理时间偏长。", by="customer2"),
        ],
    ),
    Spec(
        "住院管理系统床位图显示错误", H, "李晓梅", "HIS", "住院管理", P, (35, "09:00"),
        category="functional-defect",
        description="骨科床位图显示 3 张床“占用”，实际患者已出院。",
        steps=[
            *done(0.5, "engineer", "出院结算撤销后重新结算，床位状态未同步释放。",
                  "修复床位释放逻辑并手工释放 3 张床位。", "骨科护士站确认床位图正确。"),
            close(30, 4),
        ],
    ),
    Spec(
        "东院区无线网络频繁掉线影响移动护理", H, "赵敏", "NET", "核心交换机", P, (22, "14:00"),
        category="technical-network", site="东院区",
        description="东院区 5 楼病区护士用 PDA 执行医嘱时经常掉线。",
        steps=[
            assign(1, "ops", "ops"),
            start(20),
            note(22, "现场勘测：5 楼两个 AP 信道冲突，且一台 AP 供电不稳。"),
            resolve(26, "AP 信道规划冲突及 PoE 供电不足。", "调整信道，更换 PoE 交换机端口，掉线问题消失。"),
            verify(48, "护士长确认连续两天 PDA 未掉线。"),
            close(67, 5, "赵老师电话反馈：效果很好。"),
        ],
    ),
    Spec(
        "如何导出上月门诊量统计报表", H, "李晓梅", "HIS", None, IM, (27, "15:30"),
        category="usage-howto", urgency=3, impact=3,
        description="院办要上月各科室门诊量，报表中心里找不到对应报表。",
        steps=[
            assign(0.2),
            start(0.3),
            reply(0.5, "路径：报表中心 → 门诊统计 → 科室门诊量，选择日期范围后点“导出 Excel”。"),
            resolve(0.6, "使用咨询。", "已告知导出路径。"),
            verify(1, "李工确认已导出。"),
            close(2, 5),
        ],
    ),
    Spec(
        "住院收费结算单打印金额大写错误", CT, "吴刚", "HIS", "收费", P, (33, "11:00"),
        category="functional-defect", urgency=1, impact=3,
        description="金额 10,005.00 元大写打印成“壹万伍元整”。",
        steps=[
            *done(0.5, "engineer", "大写金额转换函数漏处理中间的零。", "修复转换函数并补丁升级。",
                  "已打印多组金额样张核对。"),
            (100, "auto_close", {}),
        ],
    ),
    Spec(
        "[监控告警] PACS 存储使用率超过 90%", H, None, "PACS", None, API, (40, "03:00"), by="ops",
        category="technical-hardware",
        description="Zabbix 告警：pacs-store-01 使用率 91%，阈值 90%。",
        steps=[
            *done(5, "ops", "近线存储未按策略迁移超过 2 年的影像到归档存储。",
                  "执行迁移任务释放 6 TB，扩容方案已提交信息科。", "已确认使用率降至 72%。", team="ops"),
            (110, "auto_close", {}),
        ],
    ),
    Spec(
        "医生站无法调阅既往病历", DM, "何雪", "EMR", "病历书写", P, (38, "10:00"), category="usage-account",
        description="医生站点“既往病历”提示无权限。",
        steps=[
            *done(0.5, "engineer", "新角色“规培医生”未授予既往病历查看权限。", "为该角色补充权限。",
                  "已请何工验证。"),
            close(24, 5, "很快就处理好了。", by="customer2"),
        ],
    ),
    # --- cancelled, merged, reopened -------------------------------------------------------------
    Spec(
        "门诊大厅一台自助机黑屏", H, "张丽", "HIS", "门诊挂号", P, (10, "08:20"),
        category="technical-hardware",
        description="门诊大厅 5 号自助机黑屏。",
        steps=[(1, "cancel", {"reason": "经确认是保洁误关了电源，重新开机已恢复，非系统故障。"})],
    ),
    Spec(
        "测试提交，请忽略", DM, "何雪", None, None, W, (5, "16:00"), by="customer2",
        description="测试门户提交功能。",
        steps=[(0.5, "cancel", {"reason": "客户测试门户提交功能，非实际问题。"})],
    ),
    Spec(
        "检验报告在医生站要等很久才能看到", H, "王建国", "LIS", "检验报告", W, (3, "11:40"), by="customer",
        description="医生反映检验报告出得很慢，要半小时以上。",
        steps=[(0.5, "merge", {"into": "LIS 检验结果回传 HIS 延迟约 30 分钟", "note": "同一问题"})],
    ),
    Spec(
        "住院病历首页打印缺少诊断编码", H, "王建国", "HIS", "住院管理", W, (14, "09:50"), by="customer",
        description="病案首页打印出来的出院诊断没有 ICD-10 编码。",
        steps=[
            triage(0.3, "functional-defect"),
            *done(1, "engineer", "首页打印模板未绑定诊断编码字段。", "模板绑定主要诊断编码字段。",
                  "已打印样张确认。"),
            close(30, 4, "已解决。", by="customer"),
            (100, "reopen", {"reason": "问题又出现了：今天打印的首页仍缺少其他诊断的编码。",
                             "by": "customer"}),
            start(102),
            note(103, "上次只修了主要诊断，其他诊断的编码字段也需绑定。"),
        ],
    ),
]  # fmt: skip


class Clock:
    """The simulated "now" that ``django.utils.timezone.now`` returns while a scenario runs."""

    def __init__(self, real_now: datetime) -> None:
        self.real_now = real_now
        self.at = real_now

    def __call__(self) -> datetime:
        return self.at


class Command(BaseCommand):
    help = "Load demo data (a demo hospital, staff in every role, ~40 tickets in every state). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        real_now = timezone.now()
        admin = self._admin()
        users = {"admin": admin, **self._staff(admin)}
        teams = self._teams(admin, users)
        customers, created_customers = self._customers(admin, users, timezone.localdate(real_now))
        self._contracts(admin, customers, timezone.localdate(real_now))
        users.update({u.username: u for u in User.objects.filter(username__in=["customer", "customer2"])})
        categories = {c.code: c for c in Category.objects.all()}
        created = 0
        clock = Clock(real_now)
        with mock.patch("django.utils.timezone.now", clock):
            for spec in SPECS:
                customer = customers[spec.customer]["customer"]
                if Ticket.objects.filter(customer=customer, title=spec.title).exists():
                    continue
                with transaction.atomic():
                    self._play(spec, clock, customers[spec.customer], users, teams, categories)
                created += 1
        self._summary(created_customers, created)

    # --- people and customers -------------------------------------------------------------------

    def _admin(self) -> User:
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            # The first administrator cannot be created through a service: services need an actor.
            admin = User.objects.create_superuser(
                username="admin",
                password=PASSWORD,
                email="admin@support.example.cn",
                kind=UserKind.STAFF,
                display_name="系统管理员",
            )
            admin.roles.set(Role.objects.filter(code="admin"))
        return admin

    def _staff(self, admin: User) -> dict[str, User]:
        found = {u.username: u for u in User.objects.filter(username__in=STAFF)}
        for username, (name, roles, mail, phone, superior, _title) in STAFF.items():
            if username not in found:
                found[username] = user_create(
                    actor=admin,
                    username=username,
                    password=PASSWORD,
                    display_name=name,
                    role_codes=roles,
                    email=f"{mail}@support.example.cn",
                    phone=phone,
                    superior_id=found[superior].pk if superior else None,
                )
        return found

    def _teams(self, admin: User, users: dict[str, User]) -> dict[str, Team]:
        found = {t.code: t for t in Team.objects.filter(code__in=TEAMS)}
        for code, (name, lead, members) in TEAMS.items():
            if code not in found:
                found[code] = team_create(
                    actor=admin,
                    code=code,
                    name=name,
                    lead_id=users[lead].pk,
                    member_ids=[users[m].pk for m in members],
                )
        return found

    def _customers(
        self, admin: User, users: dict[str, User], today: date
    ) -> tuple[dict[str, dict[str, Any]], int]:
        result: dict[str, dict[str, Any]] = {}
        created = 0
        for code, data in CUSTOMERS.items():
            customer = Customer.objects.filter(code=code).first()
            if customer is None:
                fields = {
                    k: data[k] for k in ("name", "region", "address", "phone", "email_domains", "notes")
                }
                customer = customer_create(actor=admin, code=code, **fields)
                created += 1
            sites = {s.name: s for s in customer.sites.all()}
            for name, address, distance in data["sites"]:
                if name not in sites:
                    sites[name] = site_create(
                        actor=admin,
                        customer_id=customer.pk,
                        name=name,
                        address=address,
                        region=data["region"],
                        distance_class=distance,
                    )
            contacts = {c.name: c for c in customer.contacts.all()}
            for name, title, phone, email, site, portal in data["contacts"]:
                if name not in contacts:
                    login = None
                    if portal and not User.objects.filter(username=portal).exists():
                        login = PortalLogin(username=portal, password=PASSWORD)
                    contacts[name] = contact_create(
                        actor=admin,
                        customer_id=customer.pk,
                        name=name,
                        title=title,
                        phone=phone,
                        email=email,
                        site_id=sites[site].pk,
                        portal_login=login,
                    )
            systems = {s.name: s for s in customer.systems.all()}
            for _key, name, version, site, years, warranty_days, modules in data["systems"]:
                if name not in systems:
                    systems[name] = system_create(
                        actor=admin,
                        customer_id=customer.pk,
                        name=name,
                        version=version,
                        site_id=sites[site].pk,
                        project_manager_id=users["pm"].pk,
                        go_live_date=today - timedelta(days=round(years * 365)),
                        warranty_end=today + timedelta(days=warranty_days),
                        modules=[ModuleSpec(name=m, version=v) for m, v in modules],
                    )
            by_key = {}
            for key, name, *_rest in data["systems"]:
                system = systems[name]
                by_key[key] = (system, {m.name: m for m in system.modules.all()})
            result[code] = {"customer": customer, "sites": sites, "contacts": contacts, "systems": by_key}
        return result, created

    def _contracts(self, admin: User, customers: dict[str, dict[str, Any]], today: date) -> None:
        """One service contract per demo customer on the default policy (SLA-2), so tickets show it."""
        policy = default_policy()
        for index, (_code, data) in enumerate(sorted(customers.items()), start=1):
            customer = data["customer"]
            if customer.service_contracts.exists():
                continue
            contract_save(
                actor=admin,
                customer_id=customer.pk,
                number=f"WB-{today.year}-{index:03d}",
                name=f"{customer.name} {today.year} 年度维保合同",
                policy_id=policy.pk,
                starts_on=date(today.year, 1, 1),
                ends_on=date(today.year, 12, 31),
            )

    # --- tickets --------------------------------------------------------------------------------

    def _reported_at(self, spec: Spec, real_now: datetime) -> datetime:
        if isinstance(spec.at, int):
            return real_now - timedelta(minutes=spec.at)
        days, hhmm = spec.at
        local_day = timezone.localtime(real_now).date() - timedelta(days=days)
        hour, minute = (int(x) for x in hhmm.split(":"))
        reported = timezone.make_aware(datetime.combine(local_day, time(hour, minute)))
        # "Yesterday 16:20" run just after midnight is only hours ago; never let it reach the present.
        return min(reported, real_now - timedelta(hours=2))

    def _play(
        self,
        spec: Spec,
        clock: Clock,
        cust: dict[str, Any],
        users: dict[str, User],
        teams: dict[str, Team],
        categories: dict[str, Category],
    ) -> None:
        reported = self._reported_at(spec, clock.real_now)
        # Each step at its planned time, but never in the future and always after the previous one.
        planned = [reported + timedelta(minutes=3)] + [
            reported + timedelta(hours=h) for h, _a, _k in spec.steps
        ]
        count = len(planned)
        times: list[datetime] = []
        for i, at in enumerate(planned):
            at = min(at, clock.real_now - timedelta(minutes=2 * (count - i)))
            times.append(max(at, times[-1] + timedelta(minutes=1)) if times else at)
        system, modules = cust["systems"].get(spec.system, (None, {}))
        contact = cust["contacts"].get(spec.contact) if spec.contact else None
        clock.at = times[0]
        ticket = services.ticket_create(
            actor=users[spec.by],
            customer_id=cust["customer"].pk,
            title=spec.title,
            description=spec.description,
            channel=spec.channel,
            contact_id=contact.pk if contact else None,
            site_id=cust["sites"][spec.site].pk if spec.site else None,
            system_id=system.pk if system else None,
            module_id=modules[spec.module].pk if spec.module else None,
            problem_started_at=reported - timedelta(minutes=20),
            reported_at=reported,
            category_id=categories[spec.category].pk if spec.category else None,
            urgency=spec.urgency,
            impact=spec.impact,
            is_emergency=spec.emergency,
        )
        for (_h, action, args), at in zip(spec.steps, times[1:], strict=True):
            clock.at = at
            ticket.refresh_from_db()
            self._step(ticket, action, args, users, teams, categories)

    def _step(
        self,
        ticket: Ticket,
        action: str,
        args: dict[str, Any],
        users: dict[str, User],
        teams: dict[str, Team],
        categories: dict[str, Category],
    ) -> None:
        worker = ticket.assignee or users["pm"]
        agent = users["agent"]
        pk = ticket.pk
        if action == "assign":
            deadline = timezone.now() + timedelta(hours=args["deadline"]) if args["deadline"] else None
            services.ticket_assign(
                actor=agent,
                ticket_id=pk,
                assignee_id=users[args["to"]].pk if args["to"] else None,
                team_id=teams[args["team"]].pk if args["team"] else None,
                deadline=deadline,
                requirements=args["req"],
            )
        elif action == "triage":
            changes = {
                "category_id": categories[args["category"]].pk,
                "urgency": args["urgency"],
                "impact": args["impact"],
            }
            services.ticket_update(actor=agent, ticket_id=pk, changes=changes)
        elif action == "start":
            services.ticket_start(actor=worker, ticket_id=pk)
        elif action in ("note", "reply"):
            author = users[args["by"]] if args["by"] else worker
            services.comment_create(actor=author, ticket_id=pk, body=args["body"], internal=action == "note")
        elif action == "progress":
            services.progress_record(actor=agent, ticket_id=pk, body=args["body"])
        elif action == "pend":
            services.ticket_pend(actor=worker, ticket_id=pk, reason=args["reason"], note=args["note"])
        elif action == "resume":
            services.ticket_resume(actor=worker, ticket_id=pk, note=args["note"])
        elif action == "resolve":
            services.ticket_resolve(
                actor=worker, ticket_id=pk, analysis=args["analysis"], solution=args["solution"]
            )
        elif action == "verify":
            services.ticket_verify(actor=agent, ticket_id=pk, note=args["note"])
        elif action == "close":
            services.ticket_close(
                actor=users[args["by"]], ticket_id=pk, score=args["score"], comment=args["comment"]
            )
        elif action == "rate":
            services.ticket_rate(actor=agent, ticket_id=pk, score=args["score"], comment=args["comment"])
        elif action == "auto_close":
            services.ticket_auto_close(ticket_id=pk, now=timezone.now())
        elif action == "reopen":
            services.ticket_reopen(actor=users[args["by"]], ticket_id=pk, reason=args["reason"])
        elif action == "cancel":
            services.ticket_cancel(actor=agent, ticket_id=pk, reason=args["reason"])
        elif action == "merge":
            into = Ticket.objects.get(customer_id=ticket.customer_id, title=args["into"])
            services.ticket_merge(actor=agent, ticket_id=pk, into_ticket_id=into.pk, note=args["note"])
        elif action == "escalate":
            services.ticket_escalate(actor=worker, ticket_id=pk, reason=args["reason"])
        elif action == "collab":
            services.ticket_add_collaborator(
                actor=agent, ticket_id=pk, user_id=users[args["user"]].pk, note=args["note"]
            )
        else:  # pragma: no cover - a typo in SPECS
            raise ValueError(f"unknown demo step {action!r}")

    # --- output ---------------------------------------------------------------------------------

    def _summary(self, created_customers: int, created_tickets: int) -> None:
        out = self.stdout.write
        codes = list(CUSTOMERS)
        tickets = Ticket.objects.filter(customer__code__in=codes)
        by_status = Counter(tickets.values_list("status", flat=True))
        out(
            self.style.SUCCESS(
                f"Demo data ready: {len(codes)} customers ({created_customers} new), "
                f"{tickets.count()} tickets ({created_tickets} new), {User.objects.count()} users."
            )
        )
        out("  " + ", ".join(f"{s}: {by_status.get(s, 0)}" for s in Status.values))
        for code in codes:
            customer = Customer.objects.get(code=code)
            out(f"  {customer.name} ({code}): {tickets.filter(customer=customer).count()} tickets")
        out("")
        out(f"Open {URL} (console {URL}console/, Django admin {URL}django-admin/)")
        out(f"Demo accounts, password {PASSWORD}:")
        rows = [("admin", "系统管理员", "administrator (also Django admin)")]
        rows += [(u, v[0], v[5]) for u, v in STAFF.items()]
        rows += [
            ("customer", "王建国", "portal: 示范市第一人民医院"),
            ("customer2", "何雪", "portal: 示范市妇幼保健院"),
        ]
        for username, name, what in rows:
            out(f"  {username:<10} {name:<6} {what}")
