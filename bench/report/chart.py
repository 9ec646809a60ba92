"""Plots a bench-report@1 JSON (bench/report/document.ts) as a PNG: answer
time p95 and turn latency p95 against concurrent callers, one line per system
and voice mode, burst loads only (Poisson points have no single concurrency).

Usage: chart.py REPORT.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def series(points, figure):
    lines = {}
    for p in points:
        if p["pattern"]["kind"] != "burst":
            continue
        value = p["figures"].get(figure)
        if value is None:
            continue
        key = f'{p["system"]} / {p["voice"]}'
        lines.setdefault(key, []).append((p["pattern"]["callers"], value / 1000.0))
    return {k: sorted(v) for k, v in sorted(lines.items())}


def main(report_path, out_path):
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    points = report["points"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    panels = [
        ("answerP95Ms", "Answer time p95 (INVITE to 200 OK), s"),
        ("turnP95Ms", "Turn latency p95 (caller stops to agent speaks), s"),
    ]
    for ax, (figure, title) in zip(axes, panels):
        for label, pts in series(points, figure).items():
            xs, ys = zip(*pts)
            style = "--" if label.startswith("peer") else "-"
            ax.plot(xs, ys, style, marker="o", label=label)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("concurrent callers (burst at 2/s)")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    m = report["machine"]
    fig.suptitle(
        f'Wire benchmark {report["createdAt"][:10]}, {report["plan"]} plan: '
        f'{m["cores"]} x {m["cpuModel"]}, {m["memoryGiB"]} GiB',
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py REPORT.json OUT.png")
    main(sys.argv[1], sys.argv[2])
