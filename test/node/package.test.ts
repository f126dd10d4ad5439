// The package as npm ships it (dist/ as `npm test` builds it): declarations whose relative specifiers
// resolve under node16/nodenext as well as bundler resolution, an `exports` map whose files exist, and no
// reachable declaration importing a package the user is not asked to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, test } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

function declarations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? declarations(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier of a declaration file: `from '...'`, `import('...')`, `import '...'`. */
const specifiers = (text: string): string[] =>
  [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g)].map((m) => m[2]);

/** Without comments: the doc examples mention `node:fs` and the like. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/(?!\/).*$/gm, '');

describe('declarations in dist/', () => {
  const files = declarations('dist');

  test('every relative specifier names a .js file whose .d.ts exists (none extensionless)', () => {
    expect(files.length).toBeGreaterThan(20);
    const bad: string[] = [];
    for (const file of files) {
      for (const spec of specifiers(code(readFileSync(file, 'utf8')))) {
        if (!spec.startsWith('.')) continue;
        if (!spec.endsWith('.js')) bad.push(`${file}: '${spec}' has no extension`);
        else if (!existsSync(resolve(dirname(file), spec.replace(/\.js$/, '.d.ts')))) bad.push(`${file}: '${spec}' names no declaration`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('declarations import only the peer dependencies (and no node: module)', () => {
    const allowed = new Set(Object.keys(pkg.peerDependencies));
    const bare = files.flatMap((file) =>
      specifiers(code(readFileSync(file, 'utf8')))
        .filter((s) => !s.startsWith('.'))
        .map((s) => [file, s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]] as const),
    );
    expect(bare.filter(([, name]) => !allowed.has(name))).toEqual([]);
  });

  test('only the declarations the entries reach are shipped (none of the CLI, the demo or the renderer)', () => {
    expect(existsSync('dist/cli.d.ts')).toBe(false);
    expect(existsSync('dist/cli')).toBe(false);
    expect(existsSync('dist/demo/main.d.ts')).toBe(false);
    expect(existsSync('dist/report/render.d.ts')).toBe(false);
  });
});

describe('package.json', () => {
  test('each entry of `exports` points at files that exist', () => {
    for (const [entry, target] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
      const paths = typeof target === 'string' ? [target] : Object.values(target);
      for (const path of paths) {
        const file = path.includes('*') ? dirname(path) : path;
        expect(existsSync(file), `${entry} -> ${path}`).toBe(true);
      }
    }
    expect(pkg.exports['.'].types).toBe('./dist/index.d.ts');
    expect(pkg.exports['./engine'].types).toBe('./dist/engine.d.ts');
    expect(pkg.exports['./bench'].types).toBe('./dist/bench.d.ts');
  });

  test('puppeteer is an optional peer dependency (and a devDependency)', () => {
    expect(pkg.peerDependencies.puppeteer).toBeDefined();
    expect(pkg.peerDependenciesMeta.puppeteer).toEqual({ optional: true });
    expect(pkg.devDependencies.puppeteer).toBeDefined();
  });

  test('the built CLI imports puppeteer only dynamically', () => {
    const cli = readFileSync('dist/cli.js', 'utf8');
    expect(cli).not.toMatch(/^import\s[^;]*from\s*["']puppeteer["']/m);
    expect(cli).toMatch(/import\(["']puppeteer["']\)/);
  });
});

describe('the embedded digits', () => {
  test('loadEmbeddedDigits() reads dist/data/ next to the bundle; a package folder or URL works too', async () => {
    const lib = await import('../../dist/index.js');
    const set = await lib.loadEmbeddedDigits();
    expect([set.count, set.height, set.width, set.images.length, set.labels.length]).toEqual([10000, 28, 28, 10000 * 784, 10000]);
    expect(new Set(set.labels).size).toBe(10);
    const fromPath = await lib.loadEmbeddedDigits('.');
    expect(Buffer.from(fromPath.labels).equals(set.labels)).toBe(true);
    const fromUrl = await lib.loadEmbeddedDigits(new URL('../../', import.meta.url));
    expect(Buffer.from(fromUrl.images).equals(set.images)).toBe(true); // (deep equality of 7.8 MB takes vitest half a minute)
  });

  test('embeddedDigitsUrls(root) gives the two files under dist/data/, which `exports` maps as ./data/*', async () => {
    const lib = await import('../../dist/index.js');
    const urls = lib.embeddedDigitsUrls('https://cdn.example/npm/tfjs-adversarial@0.1.0');
    expect(urls.images.href).toBe('https://cdn.example/npm/tfjs-adversarial@0.1.0/dist/data/digits-images-idx3-ubyte.gz');
    expect(urls.labels.href).toBe('https://cdn.example/npm/tfjs-adversarial@0.1.0/dist/data/digits-labels-idx1-ubyte.gz');
    expect(pkg.exports['./data/*']).toBe('./dist/data/*');
    for (const file of Object.values(lib.EMBEDDED_DIGITS_FILES)) expect(existsSync(file)).toBe(true);
  });
});

describe('the README', () => {
  const readme = readFileSync('README.md', 'utf8');

  test("the Use section's example is examples/use.ts, verbatim", () => {
    const use = readme.slice(readme.indexOf('\n## Use\n'));
    const block = /```ts\n([\s\S]*?)```\n/.exec(use);
    expect(block?.[1]).toBe(readFileSync('examples/use.ts', 'utf8'));
  });

  test("the 'Your own model' example is examples/own_model.ts, verbatim (typechecked with the package's types)", () => {
    const own = readme.slice(readme.indexOf('\n### Your own model and your own images\n'));
    const block = /```ts\n([\s\S]*?)```\n/.exec(own);
    expect(readFileSync('examples/own_model.ts', 'utf8')).toBe(`// The README's "Your own model and your own images" example, verbatim (test/node/package.test.ts checks it;\n// \`npm run typecheck\` compiles it against the package's types).\n${block?.[1]}`);
  });

  test('examples/use.ts runs in Node against the built package (self-reference through `exports`)', async () => {
    const out = 'examples/.use.mjs';
    await esbuild.build({ entryPoints: ['examples/use.ts'], outfile: out, format: 'esm', platform: 'node', logLevel: 'warning' });
    try {
      const run = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/FGSM moved the images by at most 0\.100, PGD-20 by 0\.100 \(eps 0\.1\)/);
      expect(run.stderr).not.toMatch(/XDG_RUNTIME_DIR|vkCreateInstance|Warning:/);
    } finally {
      rmSync(out, { force: true });
    }
  });

  test('says ESM only; LICENSE, repository and files as published', () => {
    expect(readme).toMatch(/\*\*ESM only\*\*/);
    expect(pkg.type).toBe('module');
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/tfjs-adversarial/tfjs-adversarial.git' });
    expect(pkg.files).toEqual(['dist', '!dist/demo/*.map', 'README.md', 'LICENSE']);
    expect(pkg.scripts.prepack).toBe('node build.mjs');
  });
});
