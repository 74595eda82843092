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
# # 01 · Corpus overview: what letters do we have?
#
# Before modelling anything, look at the letters themselves: how many arrive and when, how long
# they are, what they are about, through which channel, and how many come from the same writers.
#
# **The data.** When this checkout has `../shared/data/tipdm2020c`, these are **real letters**:
# public messages (留言) posted on a provincial government's online message board (网上问政),
# 2010 to early 2020, as published for the TipDM 2020 data-mining contest (problem C). Place names
# are masked (A市, A3区, K9县 …); each writer carries a pseudonymous platform id (留言用户) and no
# name, phone or ID number. Without that folder the notebook runs on the **bundled sample corpus**
# (`corpora/sample`), which is fictitious: invented letters in the format of a 信访 intake form and
# a 12345 hotline export, with full (invented) identity fields.
#
# **What the real data is not.** It is not a complete intake log: the files are samples assembled
# for a contest (a labeled set, a set of "hot" messages, a set with replies, an unlabeled set), so
# the volume per month reflects how the files were cut, not how many people wrote. It has one
# channel only (web messages): no letters, visits or hotline calls, no head counts, no status of
# the case. Dates are the posting times. Nothing here says whether a problem was solved.
#
# Everything shown goes through `pipeline.mask`: names, phones and ID numbers never appear.

# %%
import pandas as pd
from IPython.display import display

from pipeline import plots
from pipeline.datasets import load_letters
from pipeline.mask import mask_frame
from pipeline.taxonomy import Taxonomy

plots.use_chinese_font()
pd.set_option("display.max_colwidth", 60)
pd.set_option("display.width", 160)
# charts inline; after the pipeline imports, because pipeline.plots selects the Agg backend on import
# %matplotlib inline

# %%
letters = load_letters("messages")
SOURCE = letters.attrs["source"]
print(f"data: {SOURCE} letters from {', '.join(letters.attrs['files'])}")
print(f"{len(letters):,} letters, {letters.attrs['rejects']} rows rejected at reading")
letters["file"] = letters["source_file"].map(lambda s: str(s).split("/")[-1].split("#")[0])
letters["length"] = letters["text"].fillna("").str.len()
per_file = letters.groupby("file").agg(
    letters=("letter_id", "size"),
    first=("received_at", "min"),
    last=("received_at", "max"),
    labeled=("label", lambda s: int(s.notna().sum())),
    median_length=("length", "median"),
)
if "replied_at" in letters:
    per_file["replied"] = letters.groupby("file")["replied_at"].apply(lambda s: int(s.notna().sum()))
if "up_votes" in letters:
    per_file["with_votes"] = letters.groupby("file")["up_votes"].apply(lambda s: int(s.notna().sum()))
per_file

# %% [markdown]
# ## Volumes over time
#
# Letters per month, one line per file. On the real letters the total rises steeply in 2019 because
# the "hot messages" file covers 2019 only; the other files thin out towards the early years. Read
# the early years as a thin sample, not as a period when nobody wrote.

# %%
dated = letters.dropna(subset=["received_at"])
monthly = pd.crosstab(dated["received_at"].dt.to_period("M"), dated["file"])
monthly = monthly.reindex(pd.period_range(monthly.index.min(), monthly.index.max(), freq="M"), fill_value=0)
fig = plots.monthly_chart(monthly, "每月来信数 (按文件)")

# %%
by_year = pd.crosstab(dated["received_at"].dt.year, dated["file"], margins=True, margins_name="合计")
by_year.index.name = "年份"
by_year

# %% [markdown]
# ## Letter length
#
# Length of the letter body in characters (after cleaning; the title is not counted). Web
# messages range from a one-line question to multi-page complaints; the long tail is cut at the
# 99th percentile in the chart so the bulk stays readable.

# %%
lengths = letters["length"]
print(lengths.describe(percentiles=[0.1, 0.5, 0.9, 0.99]).round(0).to_string())
clipped = lengths[lengths <= lengths.quantile(0.99)]
fig = plots.histogram(clipped, "正文长度分布 (截至第99百分位)", "字数", bins=40,
                      marker=float(lengths.median()), marker_label=f"中位数 {lengths.median():.0f} 字")

# %% [markdown]
# ## Issue types
#
# The office's own top-level class (一级分类) is known only for the labeled letters. The shipped
# taxonomy (`corpora/taxonomy`, from the contest's `taxonomy.xlsx`) has 15 top-level classes; the
# real labeled letters use only 7 of them, so a classifier trained on them can only ever answer
# with those 7 (notebook 02).

# %%
labeled = load_letters("labeled", source=SOURCE)
label_counts = labeled["label"].value_counts()
fig = plots.bar_chart(label_counts, f"已标注来信的一级分类 ({len(labeled):,} 封)")

# %%
taxonomy = Taxonomy.load()
coverage = pd.DataFrame({
    "一级分类": taxonomy.level1,
    "二级分类数": [len(taxonomy.children(c)) for c in taxonomy.level1],
    "已标注来信": [int(label_counts.get(c, 0)) for c in taxonomy.level1],
})
coverage.sort_values("已标注来信", ascending=False).reset_index(drop=True)

# %% [markdown]
# ## Channels
#
# The channel (信访形式: 来信, 来访, 网上, 电话, 12345) says how the matter reached the office. The
# real letters are all web messages (`网上留言`), so channel cannot explain anything in them; the
# sample corpus mixes channels the way an intake log does.

# %%
channels = letters["channel"].fillna("未知").value_counts()
print(channels.to_string())
fig = plots.bar_chart(channels, "来信渠道")

# %% [markdown]
# ## Public attention
#
# Message-board letters carry votes (点赞数 / 反对数); the heat index of notebook 03 counts them.
# Attention is extremely concentrated: a handful of letters take most of the votes.

# %%
if "up_votes" in letters and letters["up_votes"].notna().any():
    votes = letters.dropna(subset=["up_votes"]).copy()
    votes["votes"] = votes["up_votes"].fillna(0) + votes["down_votes"].fillna(0)
    total = votes["votes"].sum()
    top = votes.nlargest(10, "votes")
    print(f"{len(votes):,} letters with votes; the top 1% hold "
          f"{votes['votes'].nlargest(max(1, len(votes) // 100)).sum() / max(total, 1):.0%} of all votes; "
          f"{(votes['votes'] == 0).mean():.0%} have none")
    display(mask_frame(top)[["letter_id", "received_at", "title", "up_votes", "down_votes"]])
else:
    print("this data has no votes")

# %% [markdown]
# ## Writers with many letters
#
# A writer here is the platform id of the account (留言用户), which the real data gives for every
# letter; it is already a pseudonym and is not shown. One account is not always one person (a
# family, an office, a public account), and one person may use several accounts: notebook 04 links
# letters to persons. The sample corpus has no account id at all, only names and phones, which is
# what linking is for.

# %%
writers = letters["writer_id"].dropna()
if len(writers):
    per_writer = writers.value_counts()
    buckets = pd.cut(per_writer, [0, 1, 2, 4, 9, 10**6], labels=["1", "2", "3-4", "5-9", "10+"])
    table = pd.DataFrame({
        "writers": buckets.value_counts().sort_index(),
        "letters": per_writer.groupby(buckets, observed=False).sum(),
    })
    table["share_of_letters"] = (table["letters"] / table["letters"].sum()).round(3)
    table.index.name = "letters per writer"
    display(table)
    top_ids = per_writer.head(10).index
    rows = []
    for rank, writer in enumerate(top_ids, start=1):
        own = letters[letters["writer_id"] == writer].sort_values("received_at")
        rows.append({
            "rank": rank, "letters": len(own),
            "first": own["received_at"].min().date(), "last": own["received_at"].max().date(),
            "active_months": own["received_at"].dt.to_period("M").nunique(),
            "latest_titles": " | ".join(mask_frame(own.tail(3))["title"].fillna("").str[:24]),
        })
    display(pd.DataFrame(rows).set_index("rank"))
else:
    print("no writer ids in this data: see notebook 04 for writers linked by name, phone and ID number")

# %% [markdown]
# The busiest account on the real board writes about the whole city (transport, schools,
# parks): a civic commentator rather than a petitioner with one grievance. That is why repeat
# counts alone do not make a case urgent; notebook 04 looks at what repeat writers write about
# and whether it escalates.
