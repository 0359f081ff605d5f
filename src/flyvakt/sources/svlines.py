"""State vectors as JSON lines: one record object per line -> ObservationBatch."""

from __future__ import annotations

import json
from typing import Any

from flyvakt.model.batches import ObservationBatch
from flyvakt.sources._common import Batch, short_repr
from flyvakt.sources.lines import BadLine, LineParser
from flyvakt.sources.statevec import records_to_obs


class JsonlRecordParser(LineParser):
    """One JSON object per line with state-vector keys (see statevec.py for names and units)."""

    default_name = "<jsonl>"

    def empty(self) -> Batch:
        return ObservationBatch.empty(0)

    def parse_lines(
        self, lines: list[str], first_lineno: int, recv_time_s: float | None
    ) -> tuple[Batch, list[BadLine], int | None]:
        records: list[dict[str, Any]] = []
        bad: list[BadLine] = []
        first_good: int | None = None
        for i, line in enumerate(lines):
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if not isinstance(obj, dict):
                bad.append(
                    (first_lineno + i, "jsonl_bad_line", f"not a JSON object: {short_repr(line)}")
                )
                continue
            records.append(obj)
            if first_good is None:
                first_good = first_lineno + i
        return records_to_obs(records, self.stats, receiver=self._receiver), bad, first_good
