#!/usr/bin/env bash
# The package as a user gets it: `npm pack` here (prepack builds), the tarball installed into a fresh
# temporary project with the peer dependencies at this repository's locked versions and WITHOUT puppeteer,
# then: the declarations typecheck under moduleResolution nodenext and bundler (and a deliberate type error
# fails), the README's example (examples/use.ts) compiles and runs in Node, the Node-only ./queue entry
# loads (bullmq installed as a dependency), and the CLI's --help and a tiny
# `train` run from that project, and a graph model's eval without the optional converter (a clear message) (report.html written, the PNG step saying that puppeteer is missing, no
# Dawn noise on stderr). Prints each check; exits non-zero on the first failure; removes its temp folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tfjs-adv-pack-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
step() { printf '\n== %s (%ss)\n' "$*" $((SECONDS - start)); }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAIL: %s\n' "$*" >&2; exit 1; }

step "npm pack (prepack builds dist/)"
(cd "$root" && npm pack --silent --pack-destination "$tmp" > "$tmp/pack.out" 2> "$tmp/pack.err") || { cat "$tmp/pack.err" >&2; fail "npm pack"; }
tarball="$tmp/$(tail -n 1 "$tmp/pack.out")"
[ -f "$tarball" ] || fail "no tarball ($(cat "$tmp/pack.out"))"
tar -tzf "$tarball" > "$tmp/contents"
ok "$(basename "$tarball"): $(wc -l < "$tmp/contents") files, $(du -k "$tarball" | cut -f1) KB"
for f in dist/index.js dist/index.d.ts dist/engine.d.ts dist/bench.d.ts dist/queue.js dist/queue.d.ts dist/cli.js dist/report-view.js dist/job-page.js \
  dist/demo/demo.js dist/data/digits-images-idx3-ubyte.gz dist/data/digits-labels-idx1-ubyte.gz LICENSE README.md package.json; do
  grep -qx "package/$f" "$tmp/contents" || fail "tarball lacks $f"
done
ok "has dist (bundles, declarations, CLI, pages, embedded digits), LICENSE, README"
if grep -E '\.wgsl$|^package/dist/demo/.*\.map$|^package/(src|test|shaders)/' "$tmp/contents"; then fail "tarball carries sources, .wgsl or the demo's source map"; fi
ok "no .wgsl, no src/ or test/, no demo source map"
# The tests' oracles stay in test/ and tools/: no float64 reference, no AutoAttack comparison in the package.
mkdir -p "$tmp/unpacked" && tar -xzf "$tarball" -C "$tmp/unpacked"
oracles='conv2dReference|conv2dBackpropInputReference|maxPoolReference|matMulReference|softmaxCrossEntropyReference|klDivergenceReference|adamStepReference|dlrLoss64|autoattack_reference|engine_reference'
if grep -rlE "$oracles" "$tmp/unpacked/package/dist"; then fail "the package carries a test oracle ($oracles)"; fi
ok "no test oracle (float64 references, the AutoAttack comparison)"

step "a fresh project: npm install <tarball> and the peers at the locked versions, no puppeteer"
lock="$root/package-lock.json"
ver() { node -e 'const l=require(process.argv[1]); const p=l.packages["node_modules/"+process.argv[2]]; if(!p) process.exit(1); console.log(p.version)' "$lock" "$1"; }
deps=()
for name in @tensorflow/tfjs-core @tensorflow/tfjs-backend-webgpu @tensorflow/tfjs-layers webgpu typescript @webgpu/types; do
  deps+=("$name@$(ver "$name")")
done
proj="$tmp/project"
mkdir -p "$proj"
cd "$proj"
npm init -y > /dev/null
npm pkg set type=module
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" "${deps[@]}" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "npm install"; }
ok "installed ${deps[*]}"
[ ! -e node_modules/puppeteer ] || fail "puppeteer got installed"
ok "node_modules/puppeteer absent"

step "typecheck under nodenext and bundler"
cp "$root/examples/use.ts" use.ts
cat > consumer.ts <<'TS'
import * as tf from '@tensorflow/tfjs-core';
import { fgsmStep, pgdAttack, loadEmbeddedDigits, embeddedDigitsUrls, prepareJobData, DEFAULT_TRAIN_SETTINGS, type AdapterSummary, type TrainJobSettings, type DigitSet } from 'tfjs-adversarial';
import { registerEngineKernels } from 'tfjs-adversarial/engine';
import { runBenchmarks } from 'tfjs-adversarial/bench';
import { runQueuedEvaluation, runQueueWorker, type QueueProgress } from 'tfjs-adversarial/queue';

const settings: TrainJobSettings = { ...DEFAULT_TRAIN_SETTINGS, epochs: 2 };
const step: (x: tf.Tensor, g: tf.Tensor) => tf.Tensor = (x, g) => fgsmStep(x, g, { epsilon: settings.epsilon });
const urls: { images: URL; labels: URL } = embeddedDigitsUrls('/node_modules/tfjs-adversarial/');
const digits: Promise<DigitSet> = loadEmbeddedDigits();
const adapterName = (a: AdapterSummary): string => `${a.vendor} ${a.architecture}`;
const eta = (p: QueueProgress): number | null => p.etaMs;
export { step, urls, digits, adapterName, pgdAttack, prepareJobData, registerEngineKernels, runBenchmarks, runQueuedEvaluation, runQueueWorker, eta };
TS
cat > bad.ts <<'TS'
import * as tf from '@tensorflow/tfjs-core';
import { fgsmStep } from 'tfjs-adversarial';
export const bad = (x: tf.Tensor, g: tf.Tensor) => fgsmStep(x, g, { epsilon: '0.1' });
TS
for mode in nodenext bundler; do
  if [ "$mode" = nodenext ]; then opts='"module": "nodenext", "moduleResolution": "nodenext"'; else opts='"module": "esnext", "moduleResolution": "bundler"'; fi
  cat > "tsconfig.$mode.json" <<JSON
{ "compilerOptions": { $opts, "target": "es2022", "lib": ["es2022", "dom"], "types": ["@webgpu/types"], "strict": true, "skipLibCheck": true, "noEmit": true, "outDir": "out" }, "files": ["use.ts", "consumer.ts"] }
JSON
  npx tsc -p "tsconfig.$mode.json" > "$tmp/tsc.$mode.log" 2>&1 || { cat "$tmp/tsc.$mode.log" >&2; fail "use.ts and consumer.ts do not typecheck under $mode"; }
  ok "$mode: use.ts (the README example) and consumer.ts (., ./engine, ./bench, ./queue) typecheck"
  # tfjs's own declarations do not pass skipLibCheck off (a user cannot turn it off); this package's must.
  set +e; npx tsc -p "tsconfig.$mode.json" --skipLibCheck false > "$tmp/lib.$mode.log" 2>&1; set -e
  if grep "tfjs-adversarial/" "$tmp/lib.$mode.log"; then fail "errors in tfjs-adversarial's declarations under $mode"; fi
  ok "$mode: no error in node_modules/tfjs-adversarial/dist/*.d.ts with skipLibCheck off ($(grep -c 'error TS' "$tmp/lib.$mode.log") in tfjs's and @webgpu/types' own)"
  sed 's/"files": \[[^]]*\]/"files": ["bad.ts"]/' "tsconfig.$mode.json" > "tsconfig.bad.$mode.json"
  set +e
  npx tsc -p "tsconfig.bad.$mode.json" > "$tmp/bad.$mode.log" 2>&1
  rc=$?
  set -e
  [ $rc -ne 0 ] || fail "bad.ts typechecked under $mode (the types do not reach the user)"
  grep -q "bad.ts(3,.*error TS2322" "$tmp/bad.$mode.log" || { cat "$tmp/bad.$mode.log" >&2; fail "bad.ts failed under $mode, but not on its deliberate error"; }
  [ "$(grep -c 'error TS' "$tmp/bad.$mode.log")" = 1 ] || { cat "$tmp/bad.$mode.log" >&2; fail "bad.ts: more errors than the deliberate one under $mode"; }
  ok "$mode: bad.ts fails (exit $rc) on its one deliberate error: $(grep -o 'error TS2322.*' "$tmp/bad.$mode.log" | cut -c1-90)"
done

step "the README's example in Node"
sed 's/"noEmit": true/"noEmit": false/; s/"files": \[[^]]*\]/"files": ["use.ts"]/' tsconfig.nodenext.json > tsconfig.emit.json
npx tsc -p tsconfig.emit.json || fail "use.ts does not compile"
node out/use.js > "$tmp/use.out" 2> "$tmp/use.err" || { cat "$tmp/use.out" "$tmp/use.err" >&2; fail "examples/use.ts failed"; }
sed 's/^/   | /' "$tmp/use.out"
grep -q "PGD-20 by 0.100" "$tmp/use.out" || fail "the example's PGD did not reach eps"
ok "examples/use.ts ran"

quiet() { # stderr without progress bars: no Dawn/Vulkan lines
  if grep -E 'XDG_RUNTIME_DIR|vkCreateInstance|Vulkan|lavapipe|Warning:' "$1"; then fail "$2 printed Dawn's lines on stderr"; fi
  ok "$2: nothing from Dawn or Vulkan on stderr"
}
quiet "$tmp/use.err" "the example"

step "the ./queue entry in Node: bullmq came as a dependency"
[ -e node_modules/bullmq ] || fail "bullmq was not installed with the package"
node --input-type=module -e "import { parseQueueUrl } from 'tfjs-adversarial/queue'; const a = parseQueueUrl('redis://redis:6379/1?queue=eval'); if (a.queue !== 'eval' || a.db !== 1) process.exit(1);" \
  || fail "tfjs-adversarial/queue does not load"
ok "import('tfjs-adversarial/queue') parses an address"

step "npx tfjs-adversarial --help, without puppeteer"
npx tfjs-adversarial --help > "$tmp/help.out" 2>&1 || { cat "$tmp/help.out" >&2; fail "--help"; }
grep -q "train" "$tmp/help.out" || fail "--help lists no train"
ok "--help: $(wc -l < "$tmp/help.out") lines"
set +e
npx tfjs-adversarial train --runtime chrome --out "$tmp/chrome" > "$tmp/chrome.out" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "--runtime chrome ran without puppeteer"
grep -q -- "--runtime chrome needs puppeteer: npm install puppeteer" "$tmp/chrome.out" || { cat "$tmp/chrome.out" >&2; fail "--runtime chrome: no clear message"; }
ok "--runtime chrome: exit $rc, $(grep -o -- '--runtime chrome needs puppeteer[^(]*' "$tmp/chrome.out")"

step "a graph model without the optional @tensorflow/tfjs-converter: a clear message"
[ ! -e node_modules/@tensorflow/tfjs-converter ] || fail "@tensorflow/tfjs-converter got installed (it is an optional peer)"
mkdir -p "$tmp/graph"
echo '{"format": "graph-model", "modelTopology": {"node": []}, "weightsManifest": []}' > "$tmp/graph/model.json"
set +e
npx tfjs-adversarial eval --model "$tmp/graph/model.json" --limit-test 8 --audit off > "$tmp/graph.out" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "a graph model evaluated without the converter?"
grep -q "a graph model needs the optional peer dependency @tensorflow/tfjs-converter: npm install @tensorflow/tfjs-converter" "$tmp/graph.out" || { cat "$tmp/graph.out" >&2; fail "graph model without the converter: no clear message"; }
ok "eval --model <graph model>: exit $rc, $(grep -o 'a graph model needs[^(]*' "$tmp/graph.out")"

step "npx tfjs-adversarial train (tiny), without puppeteer"
npx tfjs-adversarial train --limit-train 200 --limit-test 40 --epochs 1 --probe-examples 0 --pgd-steps 1 --out "$tmp/run" > "$tmp/train.out" 2> "$tmp/train.err" \
  || { cat "$tmp/train.out" "$tmp/train.err" >&2; fail "train"; }
tail -n 4 "$tmp/train.out" | sed 's/^/   | /'
for f in report.json report.html model/model.json model/weights.bin checkpoints/last.ckpt; do [ -f "$tmp/run/$f" ] || fail "train wrote no $f"; done
ok "report.json, report.html, model/, checkpoints/ written"
grep -q "PNG images not written (the report step (PNG charts) needs puppeteer: npm install puppeteer" "$tmp/train.out" || fail "the PNG step did not say that puppeteer is missing"
[ ! -e "$tmp/run/charts" ] || fail "charts/ written without puppeteer?"
ok "the PNG step: $(grep -o 'charts: PNG images not written.*' "$tmp/train.out" | cut -c1-110)"
quiet "$tmp/train.err" "train"

printf '\npack check passed in %ss\n' $((SECONDS - start))
