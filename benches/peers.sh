#!/bin/sh
# The peer rows of the README: OWASP pytm and Fides `evaluate --local` against privflow on equal
# generated models, each timed the same way (wall time, best of three; peak RSS). Prints figures,
# asserts nothing. Installs the peers into a virtualenv on first use (needs PyPI):
#   sh benches/peers.sh            # 200 and 1 000 systems, five flows per system
set -eu
cd "$(dirname "$0")/.."
venv=${PEERS_VENV:-target/peers-venv}
if [ ! -x "$venv/bin/fides" ] || [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q pytm==1.4.0 ethyca-fides==2.78.2
fi
cargo build --release --quiet --bench scale
cargo build --release --quiet --bin privflow
scale=$(ls -t target/release/deps/scale-* | grep -v '\.d$' | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Best wall time of three runs, and the peak RSS of the last, of a command.
measure() {
    best=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        ns=$(( $(date +%s%N) - start ))
        if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
    done
    rss=$(tail -n 1 "$work/time" | awk '{print $2}')
    echo "$best $rss"
}

printf '%-10s %-28s %12s %12s %10s\n' systems tool "wall" "peak RSS" "× privflow"
for systems in 200 1000; do
    flows=$((systems * 5))
    "$scale" --model "$work/model.yaml" "$systems,$flows,200,100"
    "$venv/bin/python" benches/peers/fides_manifest.py "$systems" "$flows" "$work/fides"
    set -- $(measure target/release/privflow audit "$work/model.yaml" --format json)
    ours=$1
    printf '%-10s %-28s %9.3f s %8d KiB %10s\n' "$systems" "privflow audit --format json" \
        "$(awk "BEGIN {print $1 / 1e9}")" "$2" 1
    set -- $(measure "$venv/bin/python" benches/peers/pytm_model.py "$systems" "$flows")
    printf '%-10s %-28s %9.3f s %8d KiB %9.0f×\n' "$systems" "pytm 1.4 (check + resolve)" \
        "$(awk "BEGIN {print $1 / 1e9}")" "$2" "$(awk "BEGIN {print $1 / $ours}")"
    set -- $(measure "$venv/bin/fides" --local evaluate "$work/fides/.fides")
    printf '%-10s %-28s %9.3f s %8d KiB %9.0f×\n' "$systems" "fides 2.78 evaluate --local" \
        "$(awk "BEGIN {print $1 / 1e9}")" "$2" "$(awk "BEGIN {print $1 / $ours}")"
done
