"""Proving the audit log intact: walk the chain in id order, in batches (memory stays flat
whatever the size of the log), from GENESIS or from the newest purge checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from audit.chain import GENESIS, first_break
from audit.models import AuditCheckpoint, AuditEvent, AuditHead

PURGE_KIND = "audit_purge"


@dataclass
class Verdict:
    """The outcome of a walk: how many records were checked, and the first one that does
    not fit (or a problem that no single record names)."""

    count: int
    broken: AuditEvent | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problem


def _in_batches(counter: list[int], batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        for event in batch:
            counter[0] += 1
            yield event
        last_id = batch[-1].id


def checkpoint_marker(after_id: int, previous_hash: str) -> str:
    """How a purge event names the point the chain continues from (verify re-reads it)."""
    return f"#{after_id}:{previous_hash}"


def verify_log(batch_size: int | None = None) -> Verdict:
    """Walk the whole log. A record that does not chain onto its predecessor (changed,
    inserted, or a predecessor deleted) is ``broken``; a checkpoint that its purge event does
    not confirm, or a head that the newest record does not reach, is a ``problem``."""
    batch_size = batch_size or settings.AUDIT_VERIFY_BATCH
    checkpoint = AuditCheckpoint.objects.order_by("-id").first()
    start = checkpoint.previous_hash if checkpoint else GENESIS
    counter = [0]
    broken = first_break(_in_batches(counter, batch_size), start_hash=start)
    if broken is not None:
        return Verdict(count=counter[0], broken=broken)
    verdict = Verdict(count=counter[0])
    if checkpoint is not None:
        purge = AuditEvent.objects.filter(kind=PURGE_KIND).order_by("-id").first()
        marker = checkpoint_marker(checkpoint.first_kept_id - 1, checkpoint.previous_hash)
        if purge is None or marker not in purge.detail:
            verdict.problem = _("检查点与清理记录不符：检查点可能被改动。")
    newest = AuditEvent.objects.order_by("-id").only("hash").first()
    head = AuditHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else GENESIS
    newest_hash = newest.hash if newest else start
    if not verdict.problem and head_hash != newest_hash:
        verdict.problem = _("最新的记录与链头不符：最新的记录可能被删除。")
    return verdict
