// The TextMate grammar against every PBS program of the repository: no character
// outside whitespace may be left with only the root scope (an untokenized region), and
// the scopes of every file are pinned by a checked-in snapshot under test/snapshots/
// (`UPDATE_SNAPSHOTS=1 npm test` rewrites them; review the diff).
//
// Snapshot format: for each source line, `> ` and the line, then `  ` and one code per
// character (per UTF-16 unit) naming the scope stack of that character; a space is
// whitespace with no scope but the root. The codes are shared by all files and listed in
// test/snapshots/legend.txt; a code keeps its meaning while its scope stack is in use,
// so a grammar change shows up only in the lines it changes.

'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tokenize, ROOT_SCOPE } = require('./tokenize');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SNAPSHOT_DIR = path.join(__dirname, 'snapshots');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
/** Directories that hold no source of the repository (build output, installs). */
const SKIPPED_DIRS = new Set(['target', 'node_modules', 'build', 'corpus', 'artifacts']);
// One character (and one UTF-16 unit) per scope stack, so codes stay under their column;
// no Latin look-alikes among the Cyrillic ones.
const CODES =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#$%&*+=?@^~<>/|' +
  'αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΦΨΩ' +
  'бвгдёжзийклмнптфцчшщъыьэюя';
const LEGEND_PATH = path.join(SNAPSHOT_DIR, 'legend.txt');
const SNAPSHOT_EXT = '.scopes';

/** Every `.pbs` file of the repository, as paths relative to its root, sorted. */
function pbsFiles(dir = REPO_ROOT, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) pbsFiles(full, found);
    else if (entry.isFile() && entry.name.endsWith('.pbs')) found.push(path.relative(REPO_ROOT, full));
  }
  return found.sort();
}

/** How a scope stack is named in a legend: without the root and the `.pbs` suffix. */
function scopeName(scopes) {
  return scopes
    .slice(1)
    .map((scope) => scope.replace(/\.pbs$/, ''))
    .join(' > ');
}

/** The shared legend: scope stack name to code, from test/snapshots/legend.txt. */
function readLegend() {
  const legend = new Map();
  if (!fs.existsSync(LEGEND_PATH)) return legend;
  for (const line of fs.readFileSync(LEGEND_PATH, 'utf8').split('\n')) {
    const match = /^(\S) {2}(.+)$/u.exec(line);
    if (match) legend.set(match[2], match[1]);
  }
  return legend;
}

function writeLegend(legend) {
  const order = (code) => CODES.indexOf(code);
  const rows = [...legend].sort((a, b) => order(a[1]) - order(b[1]));
  const header = 'Scope stacks of the snapshots (root `source.pbs` and the `.pbs` suffix left out).\n\n';
  fs.writeFileSync(LEGEND_PATH, header + rows.map(([name, code]) => `${code}  ${name}\n`).join(''));
}

/**
 * Renders the snapshot of one file with the codes of `legend` (a stack it lacks gets a
 * new code when updating, `?` otherwise) and collects the positions of characters left
 * with only the root scope and the stacks used.
 */
function render(relative, lines, legend, used) {
  const untokenized = [];
  const body = [];
  lines.forEach((line, lineIndex) => {
    const grid = Array.from({ length: line.text.length }, () => ' ');
    for (const token of line.tokens) {
      const rootOnly = token.scopes.length === 1 && token.scopes[0] === ROOT_SCOPE;
      for (let column = token.start; column < token.end; column++) {
        const blank = /\s/.test(line.text[column]);
        if (rootOnly) {
          if (!blank) {
            untokenized.push(`${relative}:${lineIndex + 1}:${column + 1}`);
            grid[column] = '!';
          }
          continue;
        }
        const name = scopeName(token.scopes);
        used.add(name);
        if (!legend.has(name) && UPDATE) {
          const taken = new Set(legend.values());
          const free = [...CODES].find((code) => !taken.has(code));
          if (!free) throw new Error('more scope stacks than codes: add codes to CODES');
          legend.set(name, free);
        }
        grid[column] = legend.get(name) ?? '?';
      }
    }
    body.push(`> ${line.text}`.trimEnd());
    const codes = grid.join('').trimEnd();
    if (codes) body.push(`  ${codes}`);
  });
  const header = `${relative.split(path.sep).join('/')} (codes: legend.txt)`;
  return { text: `${header}\n\n${body.join('\n')}\n`, untokenized };
}

test('every PBS file of the repository is fully tokenized and matches its snapshot', async () => {
  const files = pbsFiles();
  assert.ok(files.length >= 100, `expected the repository's examples, found ${files.length}`);
  const untokenized = [];
  const mismatched = [];
  const expected = new Set();
  const legend = readLegend();
  const used = new Set();
  for (const relative of files) {
    const text = fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
    const rendered = render(relative, await tokenize(text), legend, used);
    untokenized.push(...rendered.untokenized);
    const snapshot = path.join(SNAPSHOT_DIR, relative + SNAPSHOT_EXT);
    expected.add(path.resolve(snapshot));
    const previous = fs.existsSync(snapshot) ? fs.readFileSync(snapshot, 'utf8') : null;
    if (previous === rendered.text) continue;
    if (UPDATE) {
      fs.mkdirSync(path.dirname(snapshot), { recursive: true });
      fs.writeFileSync(snapshot, rendered.text);
    } else {
      mismatched.push(previous === null ? `${relative} (no snapshot)` : relative);
    }
  }
  assert.deepEqual(untokenized, [], 'characters with only the root scope (untokenized)');
  const unused = [...legend.keys()].filter((name) => !used.has(name));
  if (UPDATE) {
    unused.forEach((name) => legend.delete(name));
    writeLegend(legend);
  } else {
    assert.deepEqual(unused, [], 'legend.txt lists scope stacks no file uses');
  }
  const stale = listSnapshots(SNAPSHOT_DIR).filter((file) => !expected.has(file));
  if (UPDATE) stale.forEach((file) => fs.unlinkSync(file));
  else assert.deepEqual(stale, [], 'snapshots of files that no longer exist');
  assert.deepEqual(mismatched, [], 'scopes changed: run `UPDATE_SNAPSHOTS=1 npm test` and review the diff');
});

function listSnapshots(dir, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.resolve(dir, entry.name);
    if (entry.isDirectory()) listSnapshots(full, found);
    else if (entry.name.endsWith(SNAPSHOT_EXT)) found.push(full);
  }
  return found;
}

test('programs that lex clean get no invalid scope', async () => {
  // The examples (except the diagnostics showcase), the benchmarks and the conformance
  // programs are valid PBS; an `invalid.*` scope in them is a grammar bug.
  const valid = pbsFiles().filter(
    (file) =>
      /^(examples|bench|tests[\\/]conformance)[\\/]/.test(file) && !/^examples[\\/]diagnostics[\\/]/.test(file),
  );
  assert.ok(valid.length >= 50, `found ${valid.length} valid programs`);
  const invalid = [];
  for (const relative of valid) {
    const lines = await tokenize(fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8'));
    lines.forEach((line, index) => {
      for (const token of line.tokens) {
        if (token.scopes.some((scope) => scope.startsWith('invalid.'))) {
          invalid.push(`${relative}:${index + 1}:${token.start + 1} ${line.text.slice(token.start, token.end)}`);
        }
      }
    });
  }
  assert.deepEqual(invalid, []);
});

module.exports = { pbsFiles, REPO_ROOT };
