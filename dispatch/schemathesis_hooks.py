"""schemathesis hooks for dispatch/src/http/fuzz.test.ts (loaded through SCHEMATHESIS_HOOKS).

A call record's endedAt must not be before its startedAt (contracts/call-record.ts),
a rule between two fields that JSON Schema cannot state. A generated record whose
two times are both valid gets them in order: a valid record stays valid, and an
invalid one stays invalid for the reason the fuzzer chose.
"""

from datetime import datetime

import schemathesis


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@schemathesis.hook.apply_to(method="POST", path="/v1/calls/records")
def map_case(context, case):
    body = case.body
    if not isinstance(body, dict):
        return case
    started, ended = _time(body.get("startedAt")), _time(body.get("endedAt"))
    if started and ended and started.tzinfo and ended.tzinfo and ended < started:
        body["startedAt"], body["endedAt"] = body["endedAt"], body["startedAt"]
    return case
