"""The benchmark's report: the tables on the screen and in files (`comparison.md`, `scale.md`),
the targets of the run checked against its own Flask baseline and Prism, and a plot
(`bench.png`) of throughput and p99 per path, per server and per scale step.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bench.scale import Step
from bench.servers import Server

MOCK, BASELINE, PRISM = "mock sqlite", "flask baseline", "prism default"
Median = tuple[float, float, float]  # req/s, p50 ms, p99 ms


def medians(server: Server) -> dict[str, Median]:
    """The median of each measure over the rounds, per path."""
    return {
        path: (
            statistics.median(run[0] for run in runs),
            statistics.median(run[1] for run in runs),
            statistics.median(run[2] for run in runs),
        )
        for path, runs in server.results.items()
    }


class Report:
    """Collects what was measured, prints it, and writes it to a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: dict[str, dict[str, Median]] = {}
        self.startup: dict[str, float] = {}
        self.memory: dict[str, float] = {}
        self.paths: list[str] = []
        self.scale_rows: list[tuple[str, dict[str, Median], float]] = []

    def comparison(self, servers: list[Server], paths: list[str], contract_seconds: float) -> None:
        self.paths = paths
        for server in servers:
            self.rows[server.name] = medians(server)
            self.startup[server.name], self.memory[server.name] = server.startup_seconds, server.peak_rss_mb
        references = [name for name in (BASELINE, PRISM) if name in self.rows]
        lines = [
            "| path | server | req/s | p50 ms | p99 ms | " + " | ".join(f"× {name}" for name in references) + " |",
            "|---|---|---|---|---|" + "---|" * len(references),
        ]
        for path in paths:
            for name, row in self.rows.items():
                rps, p50, p99 = row[path]
                ratios = " | ".join(f"{rps / self.rows[ref][path][0]:.2f}" for ref in references)
                lines.append(f"| {path} | {name} | {rps:.0f} | {p50:.2f} | {p99:.2f} | {ratios} |")
        lines += ["", "| server | start-up to first answer | peak memory |", "|---|---|---|"]
        lines += [f"| {name} | {self.startup[name]:.2f} s | {self.memory[name]:.0f} MB |" for name in self.rows]
        lines += ["", f"Default contract-test run against the mock: {contract_seconds:.1f} s wall time.", ""]
        lines += self._targets()
        self._emit("comparison.md", lines)

    def scale(self, steps: list[tuple[Step, Server]]) -> None:
        for step, server in steps:
            self.scale_rows.append((step.name, medians(server), server.peak_rss_mb))
        first_rows, first_memory = self.scale_rows[0][1], self.scale_rows[0][2]
        lines = ["| step | path | req/s | p99 ms | peak memory | req/s × first step | memory × first step |"]
        lines.append("|---|---|---|---|---|---|---|")
        for name, rows, memory in self.scale_rows:
            for path, (rps, _, p99) in rows.items():
                lines.append(
                    f"| {name} | {path} | {rps:.0f} | {p99:.2f} | {memory:.0f} MB |"
                    f" {rps / first_rows[path][0]:.2f} | {memory / first_memory:.2f} |"
                )
        self._emit("scale.md", lines)

    def _targets(self) -> list[str]:
        """Issue 12's targets, each against this run's own baselines."""
        if MOCK not in self.rows or BASELINE not in self.rows:
            return []
        mock, flask = self.rows[MOCK], self.rows[BASELINE]
        lines = ["Targets (mock sqlite, validation on, against this run's baselines):", ""]
        writes = mock["add/remove"][0]
        lines.append(f"- add/remove ≥ 0.5× Flask: {writes / flask['add/remove'][0]:.2f}")
        if PRISM in self.rows:
            lines.append(f"- add/remove ≥ 1.5× Prism default: {writes / self.rows[PRISM]['add/remove'][0]:.2f}")
        for path in ("list", "error 401"):
            lines.append(f"- {path} ≥ 0.75× Flask: {mock[path][0] / flask[path][0]:.2f}")
        for path in self.paths:
            lines.append(f"- p99 {path} ≤ 2× Flask's: {mock[path][2] / flask[path][2]:.2f}")
        lines.append(f"- start-up ≤ 1.3× Flask's: {self.startup[MOCK] / self.startup[BASELINE]:.2f}")
        return lines

    def _emit(self, name: str, lines: list[str]) -> None:
        text = "\n".join(lines) + "\n"
        print("\n" + text)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_text(text, encoding="utf-8")


def write_plot(report: Report) -> None:
    """`bench.png`: throughput and p99 per path and server, and per scale step (needs matplotlib,
    from the `bench` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: no plot (pip install -e '.[bench]' for matplotlib)")
        return
    columns = 2 if report.scale_rows else 1
    figure, axes = plt.subplots(2, columns, figsize=(7 * columns, 8), squeeze=False)
    names = list(report.rows)
    for row, (measure, label) in enumerate(((0, "requests per second"), (2, "p99 latency, ms"))):
        axis: Any = axes[row][0]
        width = 0.8 / max(len(names), 1)
        for index, name in enumerate(names):
            positions = [p + index * width for p in range(len(report.paths))]
            axis.bar(positions, [report.rows[name][path][measure] for path in report.paths], width, label=name)
        axis.set_xticks([p + 0.4 - width / 2 for p in range(len(report.paths))], report.paths)
        axis.set_ylabel(label)
        axis.legend(fontsize=7)
        if report.scale_rows:
            scale_axis: Any = axes[row][1]
            steps = [name for name, _, _ in report.scale_rows]
            for path in report.scale_rows[0][1]:
                scale_axis.plot(
                    steps, [rows[path][measure] for _, rows, _ in report.scale_rows], marker="o", label=path
                )
            scale_axis.set_ylabel(label)
            scale_axis.tick_params(axis="x", labelrotation=15)
            scale_axis.legend(fontsize=7)
    figure.tight_layout()
    report.folder.mkdir(parents=True, exist_ok=True)
    figure.savefig(report.folder / "bench.png", dpi=100)
