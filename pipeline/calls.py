"""Calls that carry no request: a hotline's silent, abusive or empty calls, kept but set apart.

Why: a 12345 export holds every call, and most of a heavy caller's are no request at all (the
shared Qingdao file: 7,981 of 8,909 typed 无效, and most of the rest noted "未反映具体问题" or
"来电辱骂"). Left in, they were the top hot issues ("自言自语", "辱骂 挂机") and 8,608 rows of the
classification review queue. They stay letters (letters.csv, a caller's count of calls, the urgent queue if one is
urgent) but form no hot issue and are no one's classification to review.

The route stage computes it once per letter (`no_request`, 无具体诉求 in letters.csv: the analyst
filters on it) and sends such calls to the intake desk, not to a department; every later consumer
(clustering, the review queue, the report, run.json, the Spark outputs) reads that column through
`no_request` and computes the rule itself only for a table that never went through routing (the
`hotspots --no-classify` command, a notebook's own frame).

A call is such when the hotline's own type column says so (来电类别 无效, 骚扰电话 …: `INVALID_TYPE`)
or when its whole text is an operator's short note that it had none (未反映具体问题, 异常来电,
来电辱骂, 使用不文明用语我办挂机, a name and 来电 alone: `NO_REQUEST`; or the caller's own name, from
the name column, and nothing else), at most `NOTE_MAX_CHARS` characters, so a letter that quotes
such words in a real complaint is not one. On the shared
files the note rule flags 681 of Qingdao's 927 calls typed 咨询/求助 with a text and no letter of any other
source (TipDM, Beijing 12345, People's Daily, the bundled corpus). The patterns are plain regexes so the Spark engine applies the
same rule (`spark_filter`).
"""
from __future__ import annotations

import re

import pandas as pd

INVALID_TYPE = re.compile(r"^(?:无效|骚扰|恶意|无声|异常|空号|测试)(?:来电|电话|工单|呼叫)?$")
NO_REQUEST = re.compile(
    r"未(?:能|有)?(?:反映|反应|说明|表述|提出)?(?:任何|具体|实质|实际|明确|详细){0,2}(?:性)?(?:的)?(?:问题|诉求|内容|事项|事宜)"
    r"(?:反映|反应)?|未(?:能)?正常(?:反映|反应|说明|表述)(?:的)?(?:问题|诉求|内容)|未(?:反映|反应)正常(?:的)?(?:问题|诉求)"
    r"|无(?:具体|实质|实际|明确)?(?:诉求|内容)|无(?:问题|诉求)(?:反映|反应)|无(?:反映|反应)(?:任何|具体)?(?:诉求|问题|内容)|不(?:反映|反应|说明)(?:问题|诉求)"
    r"|自言自语|无声电话|无人(?:说话|应答)|不说话|(?:异常|无效|骚扰)(?:来电|电话)|^(?:异常|无效)$"
    r"|^.{0,8}(?:来电|电话)[。.,，]?$"
    # 接通后无声; 疑似酒后来电; 未反映具体 + characters the export garbled
    r"|(?:接通|接听)后?(?:一直)?(?:无声|没有声音)|(?:酒后|醉酒)(?:来电|胡言|乱语)|未(?:反映|反应)具体(?![\u4e00-\u9fff])"
    # a phone number left and nothing else (…,表示自己儿子电话是150****3132。)
    r"|^(?![^，。,]*(?:反映|反应|投诉|举报|要求|诉求|咨询|求助|建议))[^，。,]{0,10}[,，]?(?:表示|称|说|告知)?(?:自己|本人)?的?(?:儿子|女儿|家人|爱人|丈夫|妻子|父亲|母亲)?的?"
    r"(?:电话|手机|联系电话|联系方式)(?:号码)?(?:是|为|改为|换成|[:：])\s*[\d*\-\s]{7,}[。.]?$")
# the caller's abuse as the whole note (市民来电辱骂, 使用不文明语言我办挂机); a note that reports or asks
# anything (物业辱骂业主, 反映…) is a request about abuse, not an abusive call
ABUSE = re.compile(r"辱骂|骂人|侮辱性|(?:不|未)(?:使用)?文明(?:用语|语言|言语)|污言秽语|脏话")
REQUEST_WORDS = re.compile(r"反映|反应|投诉|举报|要求|称|诉求|咨询|求助|建议")
NOTE_MAX_CHARS = 60
NOTE_PUNCTUATION = r"[\s。.,，:：]"  # taken out of a note before it is compared with the caller's name
COLUMN = "no_request"  # the route stage's column


def no_request(letters: pd.DataFrame) -> pd.Series:
    """Per letter: a call with no request, as the route stage decided (its column), else by the rule."""
    if COLUMN in letters.columns:
        return letters[COLUMN].fillna(False).astype(bool)
    return no_request_calls(letters)


def no_request_calls(letters: pd.DataFrame) -> pd.Series:
    """Per letter: a call with no request, by the hotline's type column or its own short note."""
    out = pd.Series(False, index=letters.index)
    if "call_type" in letters.columns:
        out |= letters["call_type"].fillna("").astype(str).str.strip().str.match(INVALID_TYPE)
    if "text" in letters.columns:
        text = letters["text"].fillna("").astype(str)
        short = (text.str.len() <= NOTE_MAX_CHARS).to_numpy()  # only a short note can be one:
        notes = text[short]                                     # most letters are never searched
        abuse = notes.str.contains(ABUSE) & ~notes.str.contains(REQUEST_WORDS)
        flags = out.to_numpy(copy=True)
        flags[short] |= (notes.str.contains(NO_REQUEST) | abuse).to_numpy(dtype=bool)
        if "name" in letters.columns:  # the operator wrote down the caller's name and nothing else
            bare = notes.str.replace(NOTE_PUNCTUATION, "", regex=True)
            named = letters.loc[short, "name"].fillna("").astype(str).str.strip()
            flags[short] |= ((bare == named) & (named != "")).to_numpy(dtype=bool)
        out = pd.Series(flags, index=letters.index)
    return out


def spark_filter(columns: list[str]):
    """The same rule as a Spark column expression: True for the calls to keep (the route stage's
    column where the letters have it)."""
    from pyspark.sql import functions as F

    none = F.lit(False)
    if COLUMN in columns:
        return ~F.coalesce(F.col(COLUMN), none)
    flagged = none
    if "call_type" in columns:
        flagged = flagged | F.coalesce(F.trim(F.col("call_type")).rlike(INVALID_TYPE.pattern), none)
    if "text" in columns:
        text = F.coalesce(F.col("text").cast("string"), F.lit(""))
        note = text.rlike(NO_REQUEST.pattern) | (text.rlike(ABUSE.pattern) & ~text.rlike(REQUEST_WORDS.pattern))
        if "name" in columns:
            named = F.trim(F.coalesce(F.col("name").cast("string"), F.lit("")))
            note = note | ((named != "") & (F.regexp_replace(text, NOTE_PUNCTUATION, "") == named))
        flagged = flagged | ((F.length(text) <= NOTE_MAX_CHARS) & note)
    return ~flagged
