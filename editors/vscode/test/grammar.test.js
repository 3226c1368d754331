// The TextMate grammar against every PBS program of the repository: no character
// outside whitespace may be left with only the root scope (an untokenized region), and
// the scopes of every file are pinned by a checked-in snapshot under test/snapshots/
// (`UPDATE_SNAPSHOTS=1 npm test` rewrites them; review the diff).
//
// Snapshot format: for each source line, `> ` and the line, then `  ` and one code per
// character (per UTF-16 unit) naming the scope stack of that character in the file's
// legend; a space is whitespace with no scope but the root.

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
// One character (and one UTF-16 unit) per scope stack, so codes stay under their column.
const CODES =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#$%&*+=?@^~<>/|' +
  'αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΦΨΩ';
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

/**
 * Renders the snapshot of one file and collects the positions of characters left with
 * only the root scope.
 */
function render(relative, lines) {
  const legend = new Map();
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
        if (!legend.has(name)) {
          if (legend.size >= CODES.length) throw new Error(`${relative}: more scope stacks than codes`);
          legend.set(name, CODES[legend.size]);
        }
        grid[column] = legend.get(name);
      }
    }
    body.push(`> ${line.text}`.trimEnd());
    const codes = grid.join('').trimEnd();
    if (codes) body.push(`  ${codes}`);
  });
  const header = [`${relative.split(path.sep).join('/')}`, 'legend:'];
  for (const [name, code] of legend) header.push(`  ${code}  ${name}`);
  return { text: `${header.join('\n')}\n\n${body.join('\n')}\n`, untokenized };
}

test('every PBS file of the repository is fully tokenized and matches its snapshot', async () => {
  const files = pbsFiles();
  assert.ok(files.length >= 100, `expected the repository's examples, found ${files.length}`);
  const untokenized = [];
  const mismatched = [];
  const expected = new Set();
  for (const relative of files) {
    const text = fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
    const rendered = render(relative, await tokenize(text));
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
