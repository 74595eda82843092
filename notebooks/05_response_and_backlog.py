# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · Response times and backlog (答复时限, 积案)
#
# The 信访工作条例 gives an office 60 days from acceptance to handle and reply; an open case older
# than that is overdue (积案). This notebook measures how long replies took, by issue type and by
# department, how that changed over the years, and how old the unanswered letters were at any
# moment (backlog aging), using `pipeline.rank.PriorityRanker` for the per-letter clock
# (`response_days`, `is_open`, `days_open`, `is_backlog`).
#
# **The data.** On the real letters: `replies.xlsx`, 2,816 message-board letters (2011-2020) with
# the board's published reply (答复意见) and its date (答复时间). The file records neither the issue
# type nor the department that answered, so both are the tool's: the issue type from a classifier
# trained here on the labeled letters (notebook 02 evaluates it), the department from the routing
# table (`corpora/routing/routing.csv`, issue type → responsible department, accusations against
# officials → 纪检监察). Without the real data, the sample corpus's 信访 intake file is used: it has
# a status (办理状态) and reply dates, and open letters as of 2026-11-25.
#
# **What this is not.** Only answered letters are in the real file, so it cannot show letters
# that were never answered: the backlog below is a *reconstruction* (a letter counts as waiting
# from posting until its reply) and underestimates the real one. The 60-day limit runs from
# acceptance (受理), which the data does not record; posting time is used instead. Reply dates on a
# message board are publication dates, which may lag the actual handling.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pipeline import plots
from pipeline.classify import IssueClassifier
from pipeline.config import load_settings
from pipeline.datasets import load_letters
from pipeline.mask import mask_frame
from pipeline.rank import PriorityRanker
from pipeline.route import Router

plots.use_chinese_font()
pd.set_option("display.max_colwidth", 50)
pd.set_option("display.width", 180)
# charts inline; after the pipeline imports, because pipeline.plots selects the Agg backend on import
# %matplotlib inline

# %%
settings = load_settings()
LIMIT = settings.get("backlog", "limit_days", 60)
letters = load_letters("replies")
SOURCE = letters.attrs["source"]
print(f"{SOURCE} data: {len(letters):,} letters from {', '.join(letters.attrs['files'])}; "
      f"{int(letters['replied_at'].notna().sum()):,} with a reply date")

# %% [markdown]
# ## Issue type and department
#
# A few seconds: the classifier is trained without cross-validation, and the router only reads the
# routing table.

# %%
classifier = IssueClassifier(cv_folds=0, random_state=0).fit(load_letters("labeled", source=SOURCE))
letters = classifier.classify(letters)
routing = settings.section("routing")
letters = Router(settings.path("routing", "table"), routing["fallback_department"],
                 routing["discipline_department"]).fit().transform(letters)
# the "as of" date: the day after the last event in the data (so nothing is in the future)
as_of = max(letters["received_at"].max(), letters["replied_at"].max()).normalize() + pd.Timedelta(days=1)
letters = PriorityRanker(limit_days=LIMIT, as_of=as_of.date()).transform(letters)
print(f"as of {as_of:%Y-%m-%d}: {int(letters['is_open'].sum())} open letters, {int(letters['is_backlog'].sum())} overdue")
letters["department"].value_counts().to_frame("letters")

# %% [markdown]
# ## How long did replies take?
#
# `response_days` = reply date − posting date. The distribution has a long tail: most replies come
# within weeks, a few after a year or more.

# %%
answered = letters.dropna(subset=["response_days"])
answered = answered[answered["response_days"] >= 0]
delay = answered["response_days"]
print(f"{len(answered):,} answered letters: median {delay.median():.0f} days, mean {delay.mean():.0f}, "
      f"90th percentile {delay.quantile(0.9):.0f}; {(delay > LIMIT).mean():.0%} took longer than {LIMIT} days")
negative = int((letters["response_days"] < 0).sum())
if negative:
    print(f"({negative} letters have a reply dated before the letter: data errors, left out)")
fig = plots.histogram(delay.clip(upper=180), f"答复用时 (天, 180 以上并入 180)", "天数", bins=36,
                      marker=LIMIT, marker_label=f"{LIMIT} 天时限")


# %%
def delay_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Median, 90th percentile and overdue share of reply times per group."""
    grouped = frame.groupby(by)["response_days"]
    table = pd.DataFrame({
        "letters": grouped.size(),
        "median_days": grouped.median().round(1),
        "p90_days": grouped.quantile(0.9).round(0),
        f"over_{LIMIT}_days": grouped.apply(lambda s: (s > LIMIT).mean()).round(3),
    })
    return table.sort_values("median_days", ascending=False)


by_type = delay_table(answered, "issue_type")
by_type

# %%
fig = plots.bar_chart(by_type["median_days"], "各问题类型的答复用时中位数", xlabel="天数")

# %%
by_department = delay_table(answered, "department")
fig = plots.bar_chart(by_department[f"over_{LIMIT}_days"] * 100, f"各责任部门超过 {LIMIT} 天答复的比例 (%)",
                      xlabel="%")
by_department

# %% [markdown]
# ## Over the years
#
# Median reply time per quarter of posting, and the share answered after the limit. Quarters with
# fewer than 20 letters are left out.

# %%
quarter = answered["received_at"].dt.to_period("Q")
trend = answered.groupby(quarter)["response_days"].agg(["size", "median", lambda s: (s > LIMIT).mean() * 100])
trend.columns = ["letters", "中位数 (天)", f"超过{LIMIT}天 (%)"]
trend = trend[trend["letters"] >= 20]
fig = plots.monthly_chart(trend[["中位数 (天)", f"超过{LIMIT}天 (%)"]], "按季度: 答复用时中位数与超时比例", ylabel="")
trend.round(1).tail(8)

# %% [markdown]
# ## Backlog aging
#
# At the end of each month: how many letters had been posted but not yet answered, split by how
# long they had been waiting. Letters open as of the "as of" date (the sample's open cases) count
# as waiting until then. The orange and red bands are the overdue backlog (积案). On the real file
# the last months fall towards zero for a reason that is not good service: letters posted then and
# answered after the file was cut are not in it (right-censoring), so read the last quarter with care.

# %%
ends = pd.period_range(letters["received_at"].min(), as_of, freq="M").to_timestamp(how="end").normalize()
ends = ends[ends < as_of][-36:]  # month ends before the as-of date, the last three years
# when each letter stopped waiting: its reply; open letters are still waiting; a letter closed
# without a reply date (e.g. 不予受理) has no known end and is left out
closed_at = letters["replied_at"].where(~letters["is_open"], pd.Timestamp.max)
known = closed_at.notna()
received, closed_at = letters.loc[known, "received_at"], closed_at[known]
bands = [(0, 15, "15天内"), (15, LIMIT, f"15-{LIMIT}天"), (LIMIT, 180, f"{LIMIT}-180天 (超期)"),
         (180, 10**6, "180天以上 (超期)")]
rows = []
for end in ends:
    waiting = (received <= end) & (closed_at > end)
    age = (end - received[waiting]).dt.days
    rows.append({label: int(((age >= lo) & (age < hi)).sum()) for lo, hi, label in bands})
aging = pd.DataFrame(rows, index=ends.to_period("M"))
fig, ax = plt.subplots(figsize=(9, 4))
colors = ["#7f8c8d", "#2e86c1", "#e67e22", "#c0392b"]
ax.stackplot(range(len(aging)), aging.T.values, labels=aging.columns, colors=colors, alpha=0.85)
ticks = list(range(0, len(aging), 3))
ax.set_xticks(ticks, [str(aging.index[i]) for i in ticks], rotation=45, ha="right", fontsize=8)
ax.set_ylabel("待答复来信数")
ax.set_title("每月末待答复来信, 按已等待天数", loc="left", fontsize=12)
ax.legend(frameon=False, fontsize=8, loc="upper left")
ax.spines[["top", "right"]].set_visible(False)
fig.tight_layout()
aging.tail(6)

# %% [markdown]
# ## The oldest open letters
#
# With the sample corpus (which has open cases) this is the 积案 list as the triage workbook shows
# it; on the real file every letter was eventually answered, so the list shows the letters that
# waited longest for their reply instead. Masked.

# %%
if letters["is_backlog"].any():
    oldest = letters[letters["is_backlog"]].sort_values("days_open", ascending=False)
    columns = ["letter_id", "received_at", "issue_type", "department", "days_open", "priority", "title"]
else:
    oldest = answered.sort_values("response_days", ascending=False)
    columns = ["letter_id", "received_at", "replied_at", "issue_type", "department", "response_days", "title"]
mask_frame(oldest.head(10))[columns].round({"response_days": 1, "days_open": 0})
