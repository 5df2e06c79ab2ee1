// The house drawn from the imports: every import in src/**/*.ts (type-only and dynamic ones
// too) points down the layers, and no module imports itself through others (no cycles).
//
//   kernel (src/kernel/, errors.ts, limits.ts)   shared types every layer may use; imports nothing above
//   capture <- decode <- analyze <- filter <- output
//   top (cli.ts, pipeline.ts, options.ts, ...)   wires the layers together
//
// A module may import its own layer or any layer below it, never one above. A new file in src/
// outside these folders must be placed in LAYER_OF_FILE below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const srcDir = path.join(root, 'src');

/** Bottom to top. */
export const LAYERS = ['kernel', 'capture', 'decode', 'analyze', 'filter', 'output', 'top'] as const;
export type LayerName = (typeof LAYERS)[number];

/** Files directly in src/ (folders are layers by name). */
const LAYER_OF_FILE: Readonly<Record<string, LayerName>> = {
  'errors.ts': 'kernel',
  'limits.ts': 'kernel',
  'cli.ts': 'top',
  'pipeline.ts': 'top',
  'options.ts': 'top',
  'monitor-options.ts': 'top',
  'listings.ts': 'top',
  'finding-cap.ts': 'top',
  'wordlist-file.ts': 'top',
};

/** The layer of a path relative to src/ ('decode/carp.ts'), or undefined when unplaced. */
export function layerOf(rel: string): LayerName | undefined {
  const slash = rel.indexOf('/');
  if (slash < 0) return LAYER_OF_FILE[rel];
  const dir = rel.slice(0, slash);
  return (LAYERS as readonly string[]).includes(dir) && dir !== 'top' ? (dir as LayerName) : undefined;
}

/** Relative module specifiers of a source text: import/export ... from, import '...', import('...'). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec !== undefined && spec.startsWith('.')) out.push(spec);
  }
  return out;
}

/** Module graph: src-relative path -> src-relative paths it imports. */
export type Graph = ReadonlyMap<string, readonly string[]>;

function walk(dir: string, base: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) walk(path.join(dir, e.name), rel, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
}

export function sourceGraph(): Graph {
  const files: string[] = [];
  walk(srcDir, '', files);
  const graph = new Map<string, string[]>();
  for (const rel of files) {
    const text = readFileSync(path.join(srcDir, rel), 'utf8');
    graph.set(rel, importsOf(text).map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)).replace(/\.js$/, '.ts')));
  }
  return graph;
}

/** Imports that break the layer rule, as "from -> to (layer -> layer)"; unplaced files too. */
export function layerViolations(graph: Graph): string[] {
  const rank = (l: LayerName): number => LAYERS.indexOf(l);
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const lf = layerOf(from);
    if (!lf) { out.push(`${from}: in no layer (place it in test/layers.test.ts)`); continue; }
    for (const to of targets) {
      const lt = layerOf(to);
      if (!lt) { out.push(`${from} -> ${to}: target in no layer`); continue; }
      if (rank(lt) > rank(lf)) out.push(`${from} -> ${to} (${lf} imports ${lt}, a layer above it)`);
    }
  }
  return out;
}

/** Import cycles (strongly connected components of more than one module, or a self-import). */
export function importCycles(graph: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

test('every import in src/ points down the layers (kernel <- capture <- decode <- analyze <- filter <- output <- top)', () => {
  const graph = sourceGraph();
  assert.ok(graph.size > 50, `read ${graph.size} modules from ${srcDir}`);
  assert.ok([...graph.keys()].some((f) => f.startsWith('kernel/')), 'the shared kernel exists');
  assert.deepEqual(layerViolations(graph), []);
});

test('no import cycles in src/ (type-only imports included)', () => {
  assert.deepEqual(importCycles(sourceGraph()), []);
});

test('the kernel imports nothing of the project but itself', () => {
  for (const [from, targets] of sourceGraph()) {
    if (!from.startsWith('kernel/')) continue;
    for (const to of targets) assert.ok(to.startsWith('kernel/'), `${from} imports ${to}`);
  }
});

test('the checker sees type-only, re-export and dynamic imports, wrong-way arrows and cycles', () => {
  assert.deepEqual(importsOf([
    "import type { RawFrame } from '../capture/types.js';",
    "import { x,\n  y } from './a.js';",
    "export type { Z } from '../output/options.js';",
    "export * from './b.js';",
    "import './side.js';",
    "const m = await import('./capture/live.js');",
    "import { readFileSync } from 'node:fs';",
    "// import nothing from here",
  ].join('\n')), ['../capture/types.js', './a.js', '../output/options.js', './b.js', './side.js', './capture/live.js']);
  const wrong: Graph = new Map([
    ['decode/types.ts', ['capture/types.ts', 'kernel/frame.ts']],
    ['capture/types.ts', ['kernel/frame.ts']],
    ['kernel/frame.ts', []],
    ['output/color.ts', ['options.ts']],
    ['options.ts', ['output/color.ts']],
    ['stray.ts', []],
  ]);
  assert.deepEqual(layerViolations(wrong), [
    'output/color.ts -> options.ts (output imports top, a layer above it)',
    'stray.ts: in no layer (place it in test/layers.test.ts)',
  ]);
  assert.deepEqual(importCycles(wrong), [['options.ts', 'output/color.ts']]);
  assert.deepEqual(importCycles(new Map([['a/x.ts', ['a/x.ts']]])), [['a/x.ts']]);
});
