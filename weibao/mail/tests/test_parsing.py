"""Decoding real-world-shaped mail (the corpus), machine-mail detection, trimming and ticket markers."""

from __future__ import annotations

import pytest

from weibao.mail.parsing import (
    UnparseableMail,
    clean_subject,
    decode_bytes,
    header_text,
    parse_mail,
    ticket_number_in,
    ticket_numbers_in_ids,
    trim_reply,
)
from weibao.mail.tests.conftest import eml


def test_gb2312_label_on_gbk_text_decodes() -> None:
    """Foxmail labels GBK text gb2312; 镕 and 喆 are not in GB2312 and must survive."""
    mail = parse_mail(eml("01"))
    assert mail.from_name == "朱镕"
    assert mail.from_address == "zhurong@hosp.test"
    assert mail.subject == "HIS系统门诊收费模块无法打印发票（张喆）"
    assert "打印机未就绪" in mail.text and "朱镕" in mail.text
    assert mail.message_id == "<202611200912330181270@hosp.test>"
    assert mail.date is not None and str(mail.date.utcoffset()) == "8:00:00"
    assert not mail.auto_reason


def test_gbk_quoted_printable_alternative_keeps_sanitised_html() -> None:
    mail = parse_mail(eml("02"))
    assert mail.from_name == "王芳"
    assert mail.subject == "检验系统LIS接口数据不同步"
    assert "<b>不同步</b>" in mail.html
    assert "script" not in mail.html and "alert" not in mail.html and "onclick" not in mail.html
    assert "color:red" not in mail.html  # the <style> element's text is gone with it
    assert "病房看不到今天的化验结果" in mail.text


def test_gb18030_attachments_with_rfc2231_and_rfc2047_names() -> None:
    mail = parse_mail(eml("03"))
    assert mail.subject == "服务器日志及故障截图"
    assert mail.text.endswith("𠀀")  # a four-byte GB18030 character
    names = [f.filename for f in mail.files]
    assert names == ["服务器日志.log", "故障清单.xlsx", "setup.exe"]
    assert mail.files[0].data.decode() == "2026-11-19 23:59:01 ERROR ORA-00600 内部错误\n"


def test_big5_8bit_body_and_encoded_subject() -> None:
    mail = parse_mail(eml("04"))
    assert mail.from_name == "陳大文"
    assert mail.subject == "影像系統PACS無法調閱影像"
    assert "連線逾時" in mail.text


def test_html_only_mail_gets_text_and_inline_image() -> None:
    mail = parse_mail(eml("05"))
    assert mail.subject == "电子病历登录失败"
    assert "<b>电脑</b>" in mail.html
    assert "document.cookie" not in mail.html and "javascript:" not in mail.html
    assert mail.text.startswith("护士站电脑无法登录电子病历")
    (image,) = mail.files
    assert image.inline and image.filename == "image001.png" and image.data.startswith(b"\x89PNG")


def test_forwarded_mail_is_attached_and_quoted_in_the_text() -> None:
    mail = parse_mail(eml("06"))
    assert [f.filename for f in mail.files] == ["药房发药机报错.eml"]
    assert parse_mail(mail.files[0].data).subject == "药房发药机报错"
    assert "Forwarded message" in mail.text and "E-203" in mail.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("07", "Auto-Submitted: auto-replied"),
        ("08", "delivery status notification"),
        ("09", "X-Autoreply"),
    ],
)
def test_auto_replies_and_bounces_are_recognised(name: str, reason: str) -> None:
    assert parse_mail(eml(name)).auto_reason == reason


def test_people_mail_is_not_taken_for_an_auto_reply() -> None:
    for name in ("01", "02", "03", "04", "05", "06"):
        assert parse_mail(eml(name)).auto_reason == "", name


def test_malformed_mail_is_refused() -> None:
    with pytest.raises(UnparseableMail):
        parse_mail(eml("10"))
    with pytest.raises(UnparseableMail):
        parse_mail(b"")


def test_encoded_words_split_inside_a_character_are_joined() -> None:
    # "打印机" in GBK is 6 bytes; split 3 + 3 (half of 印 in each word) as some clients do.
    data = "打印机".encode("gbk")
    import base64

    value = f"=?gbk?B?{base64.b64encode(data[:3]).decode()}?= =?gbk?B?{base64.b64encode(data[3:]).decode()}?="
    assert header_text(value) == "打印机"


def test_wrong_charset_label_falls_back() -> None:
    assert decode_bytes("服务器".encode(), "gb2312") == "服务器"  # UTF-8 labelled gb2312
    assert decode_bytes("服务器".encode("gbk"), "utf-8") == "服务器"
    assert decode_bytes(b"abc", "no-such-charset") == "abc"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "已经好了，谢谢！\n\n在 2026年11月20日 09:30，Weibao 写道：\n> 请确认问题是否解决",
            "已经好了，谢谢！",
        ),
        ("Works now.\n\nOn Fri, 20 Nov 2026 at 09:30, Weibao <s@w.test> wrote:\n> old", "Works now."),
        ("好的\n\n------------------ 原始邮件 ------------------\n发件人: x", "好的"),
        ("收到\n\n-----Original Message-----\nFrom: x", "收到"),
        ("可以了\n\n发件人: 维保服务台 <support@weibao.test>\n发送时间: 2026年11月20日", "可以了"),
        ("可以了\n--\n朱镕 信息科 电话 0556-1234567", "可以了"),
        ("可以了\n\n发自我的iPhone", "可以了"),
    ],
)
def test_trim_reply_keeps_only_the_new_text(text: str, kept: str) -> None:
    assert trim_reply(text) == kept


def test_ticket_markers() -> None:
    assert ticket_number_in("回复：【工单 #1234】打印机故障") == 1234
    assert ticket_number_in("Re: [#77] printer") == 77
    assert ticket_number_in("Re: [Ticket#88] x") == 88
    assert ticket_number_in("打印机 #12 号") is None
    assert ticket_numbers_in_ids(["<ticket-1234.ab12@weibao.test>", "<other@x>"]) == [1234]
    assert clean_subject("回复: RE: 【工单 #1234】打印机故障") == "打印机故障"


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_raw_8bit_headers_decode(codec: str) -> None:
    raw = "From: 朱镕 <z@h.test>\r\nSubject: 回复：【工单 #1001】打印问题\r\n\r\nx".encode(codec)
    mail = parse_mail(raw)
    assert mail.subject == "回复：【工单 #1001】打印问题" and mail.from_name == "朱镕"
