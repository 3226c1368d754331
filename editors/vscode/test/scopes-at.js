// Usage: node test/scopes-at.js PROBES OUT. PROBES has one probe per line,
// `<file>\t<line>\t<byte column>\t<UTF-16 column>\t…` (line 1-based, UTF-16 column
// 0-based); OUT gets, per probe, the scope stack the grammar gives that character
// (root first, space-separated). prometeu/tests/editors.rs probes the start of every
// token the lexer finds, to check that the grammar and the lexer agree.

'use strict';

const fs = require('node:fs');
const { tokenize } = require('./tokenize');

async function main([probesPath, outPath]) {
  const probes = fs.readFileSync(probesPath, 'utf8').split('\n').filter(Boolean);
  const files = new Map();
  const out = [];
  for (const probe of probes) {
    const [file, line, , utf16Column] = probe.split('\t');
    if (!files.has(file)) files.set(file, await tokenize(fs.readFileSync(file, 'utf8')));
    const tokens = files.get(file)[Number(line) - 1]?.tokens ?? [];
    const column = Number(utf16Column);
    const token = tokens.find((t) => t.start <= column && column < t.end);
    out.push(token ? token.scopes.join(' ') : '');
  }
  fs.writeFileSync(outPath, out.map((line) => `${line}\n`).join(''));
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(1);
});
