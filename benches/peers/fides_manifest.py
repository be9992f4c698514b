"""A Fides manifest the size of privflow's generated model, for `fides evaluate --local`.

Usage: python fides_manifest.py SYSTEMS FLOWS DIR — writes DIR/.fides/manifest.yml: one
organization, SYSTEMS systems whose privacy declarations list the fideslang categories and uses
their flows carry, FLOWS system-to-system `egress`/`ingress` entries drawn as privflow's
generator draws flows, and a policy whose rules forbid advertising with contact data and any
third-party sharing of location (the promises of privflow's generated claims). Time
`fides --local evaluate DIR/.fides` from outside, as benches/peers.sh does.
"""

import os
import random
import sys

CATEGORIES = [
    "user.contact.email",
    "user.contact.phone_number",
    "user.contact.address",
    "user.device.ip_address",
    "user.location.precise",
    "user.behavior.browsing_history",
    "user.content.private",
    "user.financial.bank_account",
]
USES = ["essential.service", "analytics", "marketing.advertising", "functional.service.improve"]


def main() -> None:
    systems, flows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(7)
    egress = {s: [] for s in range(systems)}
    ingress = {s: [] for s in range(systems)}
    carried = {s: set() for s in range(systems)}
    for f in range(flows):
        source = rng.randrange(20) if f % 4 == 0 else rng.randrange(systems)
        sink = rng.randrange(systems)
        fields = rng.sample(CATEGORIES, rng.randrange(1, 4))
        egress[source].append((sink, fields))
        ingress[sink].append((source, fields))
        carried[source].update(fields)
        carried[sink].update(fields)
    lines = [
        "organization:",
        "  - fides_key: default_organization",
        "    name: Generated",
        "policy:",
        "  - fides_key: generated_policy",
        "    name: Generated promises",
        "    rules:",
        "      - fides_key: no_contact_advertising",
        "        name: No advertising with contact data",
        "        data_categories: {matches: ANY, values: [user.contact]}",
        "        data_uses: {matches: ANY, values: [marketing.advertising]}",
        "        data_subjects: {matches: ANY, values: [customer]}",
        "      - fides_key: no_location_analytics",
        "        name: No analytics of precise location",
        "        data_categories: {matches: ANY, values: [user.location.precise]}",
        "        data_uses: {matches: ANY, values: [analytics]}",
        "        data_subjects: {matches: ANY, values: [customer]}",
        "system:",
    ]
    for s in range(systems):
        lines += [
            f"  - fides_key: s{s}",
            f"    name: System {s}",
            "    system_type: Service",
            "    organization_fides_key: default_organization",
            "    privacy_declarations:",
        ]
        for use in USES[: 1 + s % len(USES)]:
            categories = sorted(carried[s]) or ["user.contact.email"]
            lines += [
                f"      - name: {use} in s{s}",
                f"        data_categories: [{', '.join(categories)}]",
                f"        data_use: {use}",
                "        data_subjects: [customer]",
            ]
        for key, edges in (("egress", egress[s]), ("ingress", ingress[s])):
            if edges:
                lines.append(f"    {key}:")
                for other, fields in edges:
                    lines += [
                        f"      - fides_key: s{other}",
                        "        type: system",
                        f"        data_categories: [{', '.join(fields)}]",
                    ]
    os.makedirs(os.path.join(out, ".fides"), exist_ok=True)
    with open(os.path.join(out, ".fides", "manifest.yml"), "w", encoding="utf8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
