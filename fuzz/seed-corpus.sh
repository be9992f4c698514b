#!/bin/sh
# Builds the seed corpus fuzz/corpus/<target>/ from the project's own inputs: fixtures/ and
# policies/ seed `model`, pairs of them seed `diff`, side files (first byte: kind) seed `side_file`.
set -eu
cd "$(dirname "$0")/.."
corpus=fuzz/corpus
mkdir -p "$corpus/model" "$corpus/diff" "$corpus/side_file"
n=0
for f in $(find policies fixtures -name '*.yaml' -o -name '*.yml' | sort); do
    n=$((n + 1))
    cp "$f" "$corpus/model/seed-$n"
done
pair() { { cat "$1"; printf '\n=====\n'; cat "$2"; } >"$corpus/diff/seed-$3"; }
pair policies/whatsapp-2020.yaml policies/whatsapp-2021.yaml 1
pair policies/whatsapp-2021.yaml policies/whatsapp-2020.yaml 2
pair fixtures/valid/v2/no-expansion/base.yaml fixtures/valid/v2/no-expansion/revision.yaml 3
pair fixtures/valid/v2/flow-order/base.yaml fixtures/valid/v2/flow-order/revision.yaml 4
pair fixtures/valid/spec-example.yaml fixtures/valid/disclosures.yaml 5
side() { { printf "$1"; cat "$2"; } >"$corpus/side_file/seed-$3"; }
side '\000' fixtures/waivers/whatsapp.yaml 1
side '\000' fixtures/waivers/unknown.yaml 2
side '\001' fixtures/side/levels.yaml 3
side '\002' fixtures/side/baseline.json 4
echo "seeded $corpus: $n model files, 5 diff pairs, 4 side files"
