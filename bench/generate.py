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


# A real team of thousands of accounts has dozens of CSMs: the portfolio option spreads accounts
# over these, and gives each a renewal date and an ARR (the internal index's rollups).
TEAM = [f"{first} {last}" for first in ("Ana", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana")
        for last in ("Okafor", "Lindqvist", "Reyes", "Patel", "Brooks")]  # fmt: skip


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


def portfolio_fields(text: str, seed: int, n: int) -> str:
    """The account with a CSM from TEAM, a renewal date and an ARR, from its own random stream
    (the accounts' other contents stay exactly as without)."""
    rng = random.Random(f"{seed}-{n}")
    csm = rng.choice(TEAM)
    # A one- or two-year contract from the start date (generated starts are in 2026, so every
    # renewal is still ahead and none warns as passed).
    start = text.split("\nstart_date: ", 1)[1][:10]
    renewal = f"{int(start[:4]) + rng.choice([1, 1, 2])}{start[4:]}"
    arr = rng.choice([6, 12, 24, 48, 90, 150, 400]) * 1000
    head, rest = text.split("\ncsm: ", 1)
    rest = rest.split("\n", 1)[1]
    return f"{head}\ncsm: {csm}\nrenewal_date: {renewal}\narr: {arr}\n{rest}"


def generate(root: Path, count: int, seed: int = 42, portfolio: bool = False) -> None:
    rng = random.Random(seed)
    folder = root / "content" / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = account(rng, n)
        if portfolio:
            text = portfolio_fields(text, seed, n)
        (folder / f"customer-{n:05d}.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--portfolio", action="store_true", help="40 CSMs, renewal dates and ARR on every account"
    )
    args = parser.parse_args()
    generate(args.root, args.accounts, args.seed, args.portfolio)
