"""OWASP pytm on a model the size of privflow's generated one, for the peer rows of the README.

Usage: python pytm_model.py SYSTEMS FLOWS  — builds a threat model of SYSTEMS servers in ten
trust boundaries (one per company group, as privflow's generator draws them) and FLOWS
dataflows carrying personal data between them, then runs pytm's own checks and threat
resolution (`TM.check`, `TM.resolve`: what `--report` and `--json` do before rendering).
Prints the number of findings; time it from outside, as benches/peers.sh does.
"""

import random
import sys

from pytm import TM, Boundary, Classification, Data, Dataflow, Server


def main() -> None:
    systems, flows = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(7)
    tm = TM("generated", description="privflow peer benchmark")
    tm.isOrdered = False
    boundaries = [Boundary(f"group {g}") for g in range(10)]
    servers = []
    for s in range(systems):
        server = Server(f"s{s}")
        server.inBoundary = boundaries[0 if s < 20 else rng.randrange(10)]
        servers.append(server)
    keys = [
        Data(f"user.generated.k{k}", isPII=True, classification=Classification.RESTRICTED)
        for k in range(200)
    ]
    for f in range(flows):
        source = servers[rng.randrange(20) if f % 4 == 0 else rng.randrange(systems)]
        sink = servers[rng.randrange(systems)]
        flow = Dataflow(source, sink, f"f{f}")
        flow.data = rng.sample(keys, rng.randrange(1, 4))
        flow.protocol = "HTTPS"
        flow.isEncrypted = f % 7 != 6
    tm.check()
    tm.resolve()
    print(len(tm.findings), "findings")


if __name__ == "__main__":
    main()
