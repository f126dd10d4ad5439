// The layout of src/ (ARCHITECTURE.md): no import cycle, type-only arrows included; no arrow that runs
// against the layers (tools/import_graph.mjs's table); every module in a layer; src/ itself holds only
// the entries; the benchmarks use the package through its entries (dist/), not its sources or the tests.
// Reads the sources, runs nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cycles, importGraph, LAYERS, layerOf } from '../../tools/import_graph.mjs';

const { modules, arrows } = importGraph(resolve('src'));

describe('the import graph of src/', () => {
  test('reads the modules and their arrows', () => {
    expect(modules.length).toBeGreaterThan(100);
    expect(arrows.length).toBeGreaterThan(modules.length);
    expect(arrows).toContainEqual({ from: 'index.ts', to: 'engine/init.ts', typeOnly: false });
  });
  test('no import cycle', () => {
    expect(cycles(modules, arrows)).toEqual([]);
  });
  test('no arrow against the layers (a lower layer importing a higher one)', () => {
    const upward = arrows.filter((a) => layerOf(a.to) < layerOf(a.from)).map((a) => `${a.from} (${LAYERS[layerOf(a.from)][0]}) -> ${a.to} (${LAYERS[layerOf(a.to)][0]})`);
    expect(upward).toEqual([]);
  });
  test('every module is in a layer; src/ holds only the entries', () => {
    expect(modules.filter((m) => layerOf(m) === LAYERS.length)).toEqual([]);
    expect(modules.filter((m) => !m.includes('/')).sort()).toEqual(['cli.ts', 'index.ts']);
  });
});

describe('bench/', () => {
  test('imports the package only through its entries (dist/index.js, engine.js, bench.js), never src/ or test/', () => {
    const outside: string[] = [];
    for (const file of readdirSync('bench').filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join('bench', file), 'utf8');
      for (const [, spec] of source.matchAll(/\bfrom '([^']+)'/g)) {
        const allowed = spec.startsWith('node:') || spec.startsWith('./') || /^\.\.\/dist\/(index|engine|bench)\.js$/.test(spec) || spec === '../tools/chromium_page' || !spec.startsWith('.');
        if (!allowed) outside.push(`${file}: ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
