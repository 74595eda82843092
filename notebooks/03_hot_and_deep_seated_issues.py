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
# # 03 · Hot and deep-seated issues (热点问题, 深层次问题)
#
# A leader does not ask "how many housing letters?" but "which concrete problems are many people
# writing about, and where?". `pipeline.cluster.IssueClusterer` groups letters into narrow issues
# (same place + same grievance), labels each `place · keywords`, scores it with the heat index
# (`pipeline.heat`) and flags it deep-seated when letters keep coming from many people over months.
# This notebook looks at what it finds, how issues grow month by month, and how sensitive the
# ranking is to each ingredient of the heat index.
#
# **The data.** On the real letters: `hot_messages.xlsx`, 4,326 message-board letters (almost all
# of 2019) with their votes (点赞数 / 反对数), the file of the TipDM contest's hot-issue task.
# `corpora/hotspots/gold_hot_messages.csv` marks by hand the letters of a few known issues, which
# lets us check the clusters. Without the real data, the sample corpus (5 invented concentrated
# problems) is used.
#
# **What this is not.** An issue is a cluster of similar letters, not a verified fact: two
# issues may be one problem worded differently, and a cluster can mix a neighbour's complaint
# into a campaign. The heat index is a ranking aid with fixed, documented weights, not a measure
# of how serious a problem is. One year of letters also limits what "deep-seated" can mean here.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from pipeline import plots
from pipeline.cluster import IssueClusterer
from pipeline.datasets import load_letters
from pipeline.heat import heat_scores
from pipeline.link import PetitionerLinker
from pipeline.mask import mask_frame
from pipeline.paths import CORPORA_DIR

plots.use_chinese_font()
pd.set_option("display.max_colwidth", 50)
pd.set_option("display.width", 180)
# charts inline; after the pipeline imports, because pipeline.plots selects the Agg backend on import
# %matplotlib inline

# %%
letters = load_letters("hot")
letters = PetitionerLinker().link(letters)  # person_id: an issue's writers are counted as persons
print(f"{letters.attrs['source']} data: {len(letters):,} letters from {', '.join(letters.attrs['files'])}, "
      f"{letters['received_at'].min():%Y-%m-%d} to {letters['received_at'].max():%Y-%m-%d}")

# %% [markdown]
# ## Issues found
#
# Letters are linked to persons first (a few seconds; notebook 04), so that "writers" below counts
# people, not accounts or letters: the heat index weighs many writers above many letters.
#
# Fitting takes about half a minute for the 4,326 real letters. Letters in no group of
# at least 3 stay unclustered: most letters are about something only one person wrote about.

# %%
# n_jobs=1: a forked tokenizer worker can crash after linking (DuckDB objects left for the garbage
# collector); one process is a little slower but safe until that is fixed in the package
clusterer = IssueClusterer(n_jobs=1, min_letters=3)
assignment = clusterer.fit_transform(letters)
info = clusterer.get_issue_info()
clustered = (assignment >= 0).mean()
print(f"{len(info)} issues; {clustered:.0%} of letters belong to one; "
      f"{int(info['deep_seated'].sum())} flagged deep-seated")
columns = ["heat_rank", "issue_id", "label", "n_letters", "n_writers", "up_votes", "first_date", "last_date",
           "heat", "deep_seated"]
info[columns].head(15).assign(first_date=lambda t: t["first_date"].dt.date, last_date=lambda t: t["last_date"].dt.date)

# %%
sizes = info["n_letters"].clip(upper=30)
fig = plots.histogram(sizes, "每个热点问题的来信数 (30 以上并入 30)", "来信数", bins=28)

# %% [markdown]
# What the hottest issue looks like: the representative letter (closest to the cluster's centre)
# and the evidence behind the deep-seated flag. Text is masked.

# %%
for _, issue in info.head(3).iterrows():
    print(f"#{issue['heat_rank']} {issue['issue_id']} {issue['label']}  (heat {issue['heat']})")
    print(f"   {issue['n_letters']} letters from {issue['n_writers']} writers, {issue['deep_evidence']}"
          f"{' → 深层次问题' if issue['deep_seated'] else ''}")
    example = mask_frame(pd.DataFrame([{"title": issue["representative_title"], "text": issue["representative_text"]}]))
    print(f"   e.g. 「{example['title'].iloc[0]}」 {str(example['text'].iloc[0])[:80]}…")

# %% [markdown]
# ## Checking against hand-marked issues
#
# For each hand-marked issue of `gold_hot_messages.csv`: how many of its letters landed in its
# main cluster (recall), and what share of that cluster is the issue's (purity). Only the real
# letters have this file.

# %%
gold_path = CORPORA_DIR / "hotspots" / "gold_hot_messages.csv"
members = clusterer.get_issue_letters()[["letter_id", "issue_id"]]
if letters.attrs["source"] == "real" and gold_path.exists():
    gold = pd.read_csv(gold_path, dtype={"letter_id": str})
    gold = gold.merge(members, on="letter_id", how="left")
    rows = []
    for name, group in gold.groupby("gold_issue"):
        main = group["issue_id"].mode()
        main = main.iloc[0] if len(main) else None
        size = int((members["issue_id"] == main).sum()) if main else 0
        hit = int((group["issue_id"] == main).sum()) if main else 0
        rows.append({"gold_issue": name, "gold_letters": len(group), "main_cluster": main,
                     "recall": round(hit / len(group), 2), "purity": round(hit / size, 2) if size else None,
                     "cluster_label": info.set_index("issue_id")["label"].get(main)})
    display(pd.DataFrame(rows).sort_values("gold_letters", ascending=False))
else:
    print("no hand-marked issues for this data")

# %% [markdown]
# ## Monthly curves
#
# Letters per month for the eight hottest issues (`IssueClusterer.monthly_counts`), over the last 18
# months of the data. A campaign shows as one spike; a deep-seated problem as waves over many months.

# %%
monthly = clusterer.monthly_counts(top_n=8)
monthly = monthly[monthly.index > monthly.index.max() - 18]  # the last 18 months
names = info.set_index("issue_id")["label"].str.slice(0, 18)
flag = info.set_index("issue_id")["deep_seated"].map({True: " (深层次)", False: ""})
monthly.columns = [f"{i} {names[i]}{flag[i]}" for i in monthly.columns]
fig = plots.monthly_chart(monthly, "热点问题月度来信数 (前 8)", ylabel="来信数 / 月")

# %%
fig, ax = plt.subplots(figsize=(7, 4.2))
for deep, group in info.groupby("deep_seated"):
    ax.scatter(group["span_days"], group["n_writers"], s=12 + group["n_letters"] * 2, alpha=0.6,
               color=plots.PALETTE[0] if deep else plots.PALETTE[2], label="深层次问题" if deep else "其他热点问题")
ax.set_xlabel("首封到末封来信的跨度 (天)")
ax.set_ylabel("来信人数")
ax.set_yscale("log")
ax.set_title("热点问题: 时间跨度与来信人数 (点大小 = 来信数)", loc="left", fontsize=12)
ax.legend(frameon=False)
fig.tight_layout()

# %% [markdown]
# ## How the ranking depends on the heat index's ingredients
#
# The heat index (see `pipeline/heat.py`) multiplies a size term (letters, writers and votes, each
# on a log scale, weighted 0.625 / 0.25 / 0.125) by recency, burst, concreteness and persistence
# factors (persistence: a writer coming back more than 60 days after their first letter). Its weights
# are a parameter (`IssueClusterer(heat_weights=...)`, `model.rerank(...)`); here we vary the input
# instead. Below, each ingredient is switched off in turn by neutralising its column, and we count how many of the
# top 10 issues stay in the top 10 and how the ranks move (Spearman correlation over all issues).

# %%
reference_date = letters["received_at"].max()
variants = {
    "as computed": info,
    "no votes": info.assign(up_votes=0.0, down_votes=0.0),
    "writers = letters": info.assign(n_writers=info["n_letters"]),
    "letters = writers": info.assign(n_letters=info["n_writers"]),
    "no recency": info.assign(last_date=reference_date),
    "no burst bonus": info.assign(peak_30d_share=0.0, peak_30d_letters=0),
    "no returns past 60 days": info.assign(writer_returns=0),
}
base = heat_scores(info, ref_date=reference_date)
base_top = set(info.loc[base.nlargest(10).index, "issue_id"])
rows, ranks = [], {}
for name, table in variants.items():
    score = heat_scores(table, ref_date=reference_date)
    ranks[name] = score.rank(ascending=False, method="min")
    top = set(info.loc[score.nlargest(10).index, "issue_id"])
    rows.append({"variant": name, "top10_kept": len(top & base_top),
                 "spearman_vs_computed": round(score.corr(base, method="spearman"), 3),
                 "new_in_top10": ", ".join(sorted(top - base_top))})
pd.DataFrame(rows).set_index("variant")

# %%
top15 = info.head(15)
rank_table = pd.DataFrame({name: r.loc[top15.index].astype(int) for name, r in ranks.items()})
rank_table.index = [f"{i} {l[:16]}" for i, l in zip(top15["issue_id"], top15["label"])]
fig, ax = plt.subplots(figsize=(10, 5))
for k, (label, row) in enumerate(rank_table.iterrows()):
    ax.plot(range(len(row)), row.values, marker="o", color=plots.PALETTE[k % len(plots.PALETTE)], alpha=0.8)
    ax.text(-0.15, row.values[0], label, fontsize=7, va="center", ha="right")
ax.set_xticks(range(len(rank_table.columns)), rank_table.columns, rotation=20)
ax.invert_yaxis()
ax.set_ylabel("热度排名")
ax.set_title("去掉某一成分后前 15 个热点问题的排名变化", loc="left", fontsize=12)
ax.spines[["top", "right"]].set_visible(False)
fig.tight_layout()

# %% [markdown]
# Reading the result: a low Spearman correlation means the ingredient reorders the whole list;
# `top10_kept` says whether the list a leader would see changes. On the real letters votes reorder
# the list most, because attention on the board is concentrated on a few letters (notebook 01).
# An office that distrusts votes (they can be organised) should read the "no votes" ranking side by
# side with the computed one. The weights themselves cannot be changed from outside the module yet.
