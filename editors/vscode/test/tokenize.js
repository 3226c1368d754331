// Loads the PBS TextMate grammar with the engine VS Code itself uses (vscode-textmate
// on the Oniguruma regex library compiled to WebAssembly) and tokenizes text with it.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const EXTENSION_DIR = path.resolve(__dirname, '..');
const GRAMMAR_PATH = path.join(EXTENSION_DIR, 'syntaxes', 'pbs.tmLanguage.json');
const ROOT_SCOPE = 'source.pbs';

let grammarPromise;

/** The PBS grammar, loaded once per process. */
function loadGrammar() {
  if (!grammarPromise) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm).then(() => ({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }));
    const registry = new textmate.Registry({
      onigLib,
      loadGrammar: async (scopeName) => {
        if (scopeName !== ROOT_SCOPE) return null;
        const text = fs.readFileSync(GRAMMAR_PATH, 'utf8');
        return textmate.parseRawGrammar(text, GRAMMAR_PATH);
      },
    });
    grammarPromise = registry.loadGrammar(ROOT_SCOPE).then((grammar) => {
      if (!grammar) throw new Error(`no grammar for ${ROOT_SCOPE}`);
      return grammar;
    });
  }
  return grammarPromise;
}

/**
 * Tokenizes `text` line by line, carrying the rule stack across lines as an editor
 * does. Returns one entry per line: its text and its tokens, each `{ start, end,
 * scopes }` with UTF-16 column offsets and the scope stack (root first).
 */
async function tokenize(text) {
  const grammar = await loadGrammar();
  const lines = text.split(/\r?\n/);
  let stack = textmate.INITIAL;
  const result = [];
  for (const line of lines) {
    const tokenized = grammar.tokenizeLine(line, stack, 0);
    if (tokenized.stoppedEarly) throw new Error(`tokenizing stopped early on: ${line}`);
    const tokens = tokenized.tokens.map((token) => ({
      start: token.startIndex,
      end: Math.min(token.endIndex, line.length),
      scopes: token.scopes,
    }));
    result.push({ text: line, tokens: tokens.filter((t) => t.end > t.start) });
    stack = tokenized.ruleStack;
  }
  return result;
}

module.exports = { loadGrammar, tokenize, EXTENSION_DIR, GRAMMAR_PATH, ROOT_SCOPE };
