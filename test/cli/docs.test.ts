// --help, the README's option table and the man page name every option the parser accepts;
// the man page renders without warnings; the completion script completes options and values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { optionSpellings, USAGE } from '../../src/options.js';
import { optionWords } from '../../src/listings.js';
import { carpdump } from '../support/cli.js';
import { CARPDUMP_BIN as bin, REPO_ROOT as repoRoot } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const manSource = readFileSync(path.join(repoRoot, 'man/carpdump.1'), 'utf8');
const manText = manSource.replace(/\\-/g, '-').replace(/\\f[BIR]/g, '');

function names(text: string, option: string): boolean {
  const esc = option.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
  return new RegExp(`(^|[\\s\`(,/"])${esc}(?![A-Za-z-])`, 'm').test(text);
}

test('every option the parser accepts is in --help, the README and the man page', () => {
  const spellings = optionSpellings();
  assert.ok(spellings.length > 40, String(spellings.length));
  const help = carpdump(['--help']);
  assert.equal(help.status, 0);
  assert.equal(help.stdout, `${USAGE}\n`);
  for (const o of spellings) {
    assert.ok(names(USAGE, o), `--help lacks ${o}`);
    assert.ok(names(readme, o), `README lacks ${o}`);
    assert.ok(names(manText, o), `man page lacks ${o}`);
  }
  for (const o of optionWords()) assert.ok(names(manText, o), `man page lacks ${o} (named by --help)`);
});

test('package.json ships the man page and the LICENSE it names', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { man: string[]; files: string[]; license: string };
  assert.deepEqual(pkg.man, ['./man/carpdump.1']);
  assert.ok(pkg.files.includes('man') && pkg.files.includes('LICENSE'));
  assert.equal(pkg.license, 'BSD-2-Clause');
  assert.match(readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8'), /^BSD 2-Clause License\n[\s\S]*Redistributions in binary form/);
});

test('the man page renders with groff without warnings', { skip: skipReason({ commands: ['groff'] }) }, () => {
  const r = spawnSync('groff', ['-man', '-ww', '-z', path.join(repoRoot, 'man/carpdump.1')], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
});

test('carpdump completion bash: options and their values complete in bash', () => {
  const complete = (words: string[]): string[] => {
    const script = `source <("${process.execPath}" "${bin}" completion bash); COMP_WORDS=(${words.map((w) => `"${w}"`).join(' ')}); COMP_CWORD=${words.length - 1}; _carpdump; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l !== '');
  };
  assert.deepEqual(complete(['carpdump', '-T', '']), ['text', 'jsonl', 'json', 'fields', 'ek']);
  assert.ok(complete(['carpdump', '--dis']).includes('--display-filter'));
  assert.deepEqual(complete(['carpdump', '-F', 'pcapn']), ['pcapng']);
  assert.deepEqual(complete(['carpdump', 'comp']), ['completion']);
  const r = carpdump(['completion', 'zsh']);
  assert.equal(r.status, 2);
});
