"""Generate a synthetic site of N typical accounts (1-3 results, ~400 words), deterministically."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = [
    "onboarding",
    "team",
    "weekly",
    "adoption",
    "dashboard",
    "renewal",
    "process",
    "warehouse",
    "shift",
    "report",
    "customer",
    "training",
    "export",
    "workflow",
    "review",
    "quarter",
    "pilot",
    "rollout",
    "support",
    "ticket",
    "queue",
    "manager",
    "region",
    "integration",
    "billing",
    "invoice",
    "schedule",
    "automation",
    "target",
    "baseline",
    "measure",
    "result",
    "value",
    "hours",
]
SEGMENTS = ["smb", "mid-market", "enterprise"]
CSMS = ["Dana Reyes", "Marcus Oyelaran", "Sofia Lindqvist", "Hannah Brooks", "Raj Patel"]
UNITS = ["days", "hours", "%", "USD", "EUR", "tickets/week"]


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def account(rng: random.Random, n: int) -> str:
    lines = [
        "---",
        f"account: Customer {n:05d} {rng.choice(['Logistics', 'Health', 'Retail', 'Labs'])}",
        f"segment: {rng.choice(SEGMENTS)}",
        f"csm: {rng.choice(CSMS)}",
        f"start_date: 2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
        f"usage: {rng.choice(['activity', 'adoption'])}",
        "results:",
    ]
    for r in range(rng.randint(1, 3)):
        baseline = rng.randint(20, 200)
        target = (
            baseline - rng.randint(5, 15) if rng.random() < 0.5 else baseline + rng.randint(5, 15)
        )
        current = baseline + (target - baseline) * rng.uniform(-0.3, 1.3)
        lines += [
            f"  - id: result-{r + 1}",
            f"    goal: {paragraph(rng, 8)}",
            f"    metric: {paragraph(rng, 5)}",
            f'    unit: "{rng.choice(UNITS)}"',
            f"    baseline: {baseline}",
            f"    target: {target}",
            f"    current: {current:.1f}",
            f"    measured_on: 2026-11-{rng.randint(1, 20):02d}",
            f"    owner: {rng.choice(CSMS)}",
        ]
        if rng.random() < 0.5:
            lines += ["    attribution: The new workflow replaced the manual process."]
        if rng.random() < 0.7:
            lines += ["    validator:", "      name: Pat Customer", "      role: VP Operations"]
            if rng.random() < 0.5:
                lines += ["      confirmed_on: 2026-11-21"]
    lines += ["---", "## What's working", "", paragraph(rng, 130), "", "## What's not working", ""]
    lines += [paragraph(rng, 130), "", "## Next step", "", paragraph(rng, 130), ""]
    return "\n".join(lines)


def generate(root: Path, count: int, seed: int = 42) -> None:
    rng = random.Random(seed)
    folder = root / "content" / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"customer-{n:05d}.md").write_text(account(rng, n), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    generate(args.root, args.accounts, args.seed)
