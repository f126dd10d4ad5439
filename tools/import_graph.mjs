#!/usr/bin/env node
// The import graph of src/: modules, import arrows (type-only ones counted apart), the cycles (strongly
// connected components of more than one module, type-only arrows included), and the arrows that run
// against the layers (from a lower layer up to a higher one), by the layer table below (ARCHITECTURE.md).
// Usage: node tools/import_graph.mjs [--json] [--quiet]   (exit 1 when there is a cycle)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Layers from the applications (the command line, the pages) and the package entries down (a module may import its own layer and the ones below it). A module's layer
 * is the first row whose prefix its path (relative to src/) starts with.
 */
export const LAYERS = [
  ['apps', ['cli.ts', 'cli/', 'demo/', 'job/page.ts']],
  ['entries', ['index.ts', 'engine/public.ts', 'bench/public.ts', 'queue/public.ts']],
  ['bench', ['bench/']],
  ['queue', ['queue/']],
  ['job', ['job/']],
  ['report', ['report/', 'audit/']],
  ['training', ['train/', 'trainers/']],
  ['attacks', ['attacks/']],
  ['models', ['models/']],
  ['data', ['data/']],
  ['engine', ['engine/']],
  ['kernels', ['kernels/']],
  ['program', ['program/']],
  ['platform', ['platform/']],
  ['core', ['core/']],
];

export function layerOf(path) {
  const i = LAYERS.findIndex(([, prefixes]) => prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p)));
  return i < 0 ? LAYERS.length : i;
}

/** Every .ts module under `root` and its relative imports and re-exports. */
export function importGraph(root) {
  const files = [];
  (function walk(dir) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.push(path);
    }
  })(root);
  const known = new Set(files);
  const arrows = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = resolve(dirname(file), m[4]);
      const hit = [`${target}.ts`, join(target, 'index.ts'), target].find((c) => known.has(c));
      if (hit) arrows.push({ from: relative(root, file), to: relative(root, hit), typeOnly: m[2] !== undefined || /^\{\s*type\s[^,]*\}$/.test(m[3]) });
    }
  }
  return { modules: files.map((f) => relative(root, f)), arrows };
}

/** Strongly connected components of more than one module (Tarjan). */
export function cycles(modules, arrows) {
  const next = new Map(modules.map((m) => [m, []]));
  for (const a of arrows) next.get(a.from).push(a.to);
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const m of modules) if (!index.has(m)) visit(m);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');
  const { modules, arrows } = importGraph(root);
  const found = cycles(modules, arrows);
  const upward = arrows.filter((a) => layerOf(a.to) < layerOf(a.from));
  const loose = modules.filter((m) => !m.includes('/'));
  const summary = {
    modules: modules.length,
    arrows: arrows.length,
    type_only_arrows: arrows.filter((a) => a.typeOnly).length,
    upward_arrows: upward.length,
    cycles: found.length,
    loose_files_in_src: loose.length,
  };
  if (process.argv.includes('--json')) console.log(JSON.stringify({ ...summary, cycle_members: found, upward: upward.map((a) => `${a.from} -> ${a.to}`), loose }, null, 2));
  else {
    console.log(Object.entries(summary).map(([k, v]) => `${k}: ${v}`).join('\n'));
    if (!process.argv.includes('--quiet')) {
      for (const c of found) console.log(`cycle of ${c.length}: ${c.join(' ')}`);
      for (const a of upward) console.log(`upward (${LAYERS[layerOf(a.from)]?.[0]} <- ${LAYERS[layerOf(a.to)]?.[0]}): ${a.from} -> ${a.to}`);
    }
  }
  process.exitCode = found.length > 0 ? 1 : 0;
}
