"""Plots recall against the reference over filter bytes per entry (the frontier eval_detection prints).

Usage: plot.py RESULTS.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results = json.load(open(sys.argv[1]))
fig, ax = plt.subplots(figsize=(7.5, 4.8))
within = [r for r in results if r["predicted_strong"] <= 1e-7]
over = [r for r in results if r["predicted_strong"] > 1e-7]
ax.scatter([r["bytes"] for r in within], [r["recall_strong"] for r in within], marker="o", color="C0", label="strong hits only (default policy)")
ax.scatter([r["bytes"] for r in over], [r["recall_strong"] for r in over], marker="o", facecolors="none", edgecolors="C0", label="strong only, predicted strong fp > 1e-7 at 1M")
ax.scatter([r["bytes"] for r in results], [r["recall_any"] for r in results], marker="x", color="C1", label="with weak hits")
# The best strong-only recall reached at each size or less, within the false-positive budget.
best, frontier = -1.0, []
for r in sorted(within, key=lambda r: r["bytes"]):
    if r["recall_strong"] > best:
        best = r["recall_strong"]
        frontier.append(r)
ax.plot([r["bytes"] for r in frontier], [r["recall_strong"] for r in frontier], "-", color="C0", alpha=0.6)
for r in results:
    tag = " default" if r["default"] else (" compact" if r["compact"] else "")
    ax.annotate(f'{r["bands"]}x{r["bits"]}/{r["probes"]}{tag}', (r["bytes"], r["recall_strong"]), fontsize=7, xytext=(4, -9), textcoords="offset points")
ax.axhline(0.97, color="red", linewidth=0.8, linestyle=":", label="target 0.97")
ax.set_xlabel("perceptual filter bytes per entry")
ax.set_ylabel("recall vs the reference (PDQ <= 31, 8 orientations)")
ax.set_title("imageguard: recall against filter size (full-size photos, 24 edits)")
ax.legend(fontsize=8, loc="lower right")
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=120)
print(f"plot: {sys.argv[2]}")
