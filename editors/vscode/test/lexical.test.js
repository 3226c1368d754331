// The grammar against the lexer's own tables (prometeu-analysis/src/syntax/token.rs)
// and the literal forms of docs/spec/pbs-language.md §2, so a keyword or operator added
// to the language and not to the grammar fails here.

'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tokenize } = require('./tokenize');

const TOKEN_RS = path.resolve(__dirname, '../../../prometeu-analysis/src/syntax/token.rs');

/** The `Name = "text"` rows of one block (`keywords { … }` or `punct { … }`) of token.rs. */
function tokenTable(block) {
  const source = fs.readFileSync(TOKEN_RS, 'utf8');
  const start = source.indexOf(`\n    ${block} {\n`);
  assert.ok(start >= 0, `token.rs has no \`${block}\` block`);
  const body = source.slice(start, source.indexOf('\n    }', start));
  return [...body.matchAll(/\w+ = "([^"]+)"/g)].map((match) => match[1]);
}

/** The tokens of a one-line `text`: `[text, innermost scope]` for each non-blank one. */
async function tokensOf(text) {
  const [line] = await tokenize(text);
  return line.tokens
    .map((token) => [text.slice(token.start, token.end), token.scopes[token.scopes.length - 1]])
    .filter(([piece]) => piece.trim() !== '');
}

test('every keyword of the lexer is highlighted as a keyword', async () => {
  const keywords = tokenTable('keywords');
  assert.ok(keywords.length >= 40, `found ${keywords.length} keywords`);
  const keywordScope = /^(keyword|storage|constant\.language|support\.function\.builtin|variable\.language\.self|invalid\.illegal\.reserved)\./;
  for (const keyword of keywords) {
    const tokens = await tokensOf(keyword);
    assert.equal(tokens.length, 1, `${keyword}: ${JSON.stringify(tokens)}`);
    assert.match(tokens[0][1], keywordScope, keyword);
  }
  // An identifier that merely starts with a keyword is not one.
  assert.deepEqual(await tokensOf('iffy'), [['iffy', 'variable.other.pbs']]);
  assert.deepEqual(await tokensOf('weak'), [['weak', 'invalid.illegal.reserved.pbs']]);
});

test('every operator and punctuation token of the lexer is one valid token', async () => {
  const punctuation = tokenTable('punct');
  assert.ok(punctuation.length >= 35, `found ${punctuation.length} tokens`);
  for (const text of punctuation) {
    const tokens = await tokensOf(`a ${text} b`);
    assert.equal(tokens.length, 3, `${text}: ${JSON.stringify(tokens)}`);
    assert.equal(tokens[1][0], text);
    assert.match(tokens[1][1], /^(keyword\.operator|punctuation)\./, text);
  }
});

test('literals of §2.4', async () => {
  const cases = [
    ['0', 'constant.numeric.integer.decimal.pbs'],
    ['42', 'constant.numeric.integer.decimal.pbs'],
    ['1_000_', 'constant.numeric.integer.decimal.pbs'],
    ['0x1F', 'constant.numeric.integer.hexadecimal.pbs'],
    ['0XfF_Fb', 'constant.numeric.integer.hexadecimal.pbs'],
    ['1.5', 'constant.numeric.float.pbs'],
    ['3.0e8', 'constant.numeric.float.pbs'],
    ['6.02E-3', 'constant.numeric.float.pbs'],
    ['2e3', 'constant.numeric.float.pbs'],
    ['1_0.2_5', 'constant.numeric.float.pbs'],
    ['2.5e0_1', 'constant.numeric.float.pbs'],
    ['12abc', 'invalid.illegal.numeric.pbs'],
    ['1.5f', 'invalid.illegal.numeric.pbs'],
    ['1e', 'invalid.illegal.numeric.pbs'],
    ['10bx', 'invalid.illegal.numeric.pbs'],
    ['0x_', 'invalid.illegal.numeric.pbs'],
  ];
  for (const [text, scope] of cases) {
    assert.deepEqual(await tokensOf(text), [[text, scope]], text);
  }
  // Bounded: the digits and the `b` suffix.
  assert.deepEqual(await tokensOf('640b'), [
    ['640', 'constant.numeric.integer.bounded.pbs'],
    ['b', 'storage.type.numeric.bounded.pbs'],
  ]);
  // `1..5` is `1`, `..`, `5`; `1.x` is `1`, `.`, `x`; `1.;` is the invalid `1.`.
  assert.deepEqual(await tokensOf('1..5'), [
    ['1', 'constant.numeric.integer.decimal.pbs'],
    ['..', 'keyword.operator.range.pbs'],
    ['5', 'constant.numeric.integer.decimal.pbs'],
  ]);
  assert.deepEqual(await tokensOf('1.x'), [
    ['1', 'constant.numeric.integer.decimal.pbs'],
    ['.', 'punctuation.accessor.pbs'],
    ['x', 'variable.other.property.pbs'],
  ]);
  assert.deepEqual((await tokensOf('1.;'))[0], ['1.', 'invalid.illegal.numeric.pbs']);
});

test('strings, escapes and comments', async () => {
  const escapes = await tokensOf('"a\\\\\\"\\n\\t\\r\\0\\u{1F600}b"');
  assert.deepEqual(
    escapes.filter(([, scope]) => scope === 'constant.character.escape.pbs').map(([text]) => text),
    ['\\\\', '\\"', '\\n', '\\t', '\\r', '\\0', '\\u{1F600}'],
  );
  for (const bad of ['\\x', '\\u{}', '\\u{1234567}', '\\q']) {
    const tokens = await tokensOf(`"${bad}"`);
    assert.deepEqual(tokens[1], [bad, 'invalid.illegal.escape.pbs'], bad);
  }
  // A string ends at its line's end (no raw line breaks): the next line is code again.
  const [, next] = await tokenize('"open\nfn f');
  assert.equal(next.tokens[0].scopes.at(-1), 'storage.type.function.pbs');
  assert.deepEqual(await tokensOf('/// doc'), [
    ['///', 'punctuation.definition.comment.pbs'],
    [' doc', 'comment.line.documentation.pbs'],
  ]);
  assert.equal((await tokensOf('//// not doc'))[0][1], 'punctuation.definition.comment.pbs');
  assert.deepEqual((await tokensOf('//// not doc'))[1], ['// not doc', 'comment.line.double-slash.pbs']);
  assert.deepEqual(await tokensOf('x // note'), [
    ['x', 'variable.other.pbs'],
    ['//', 'punctuation.definition.comment.pbs'],
    [' note', 'comment.line.double-slash.pbs'],
  ]);
});

test("other languages' spellings are marked invalid, as the lexer reports them", async () => {
  assert.deepEqual((await tokensOf('# note'))[0], ['#', 'invalid.illegal.character.pbs']);
  assert.deepEqual((await tokensOf('-- note'))[0], ['--', 'invalid.illegal.character.pbs']);
  assert.deepEqual((await tokensOf("'text'"))[0], ["'", 'invalid.illegal.character.pbs']);
  for (const operator of ['~=', '===', '!==']) {
    assert.deepEqual((await tokensOf(`a ${operator} b`))[1], [operator, 'invalid.illegal.operator.pbs']);
  }
  assert.deepEqual(await tokensOf('a $ b'), [
    ['a', 'variable.other.pbs'],
    ['$', 'invalid.illegal.character.pbs'],
    ['b', 'variable.other.pbs'],
  ]);
});

test('declarations, members and types', async () => {
  assert.deepEqual(await tokensOf('pub fn add(mut n: int): list<ref<Vec2>>'), [
    ['pub', 'storage.modifier.pub.pbs'],
    ['fn', 'storage.type.function.pbs'],
    ['add', 'entity.name.function.pbs'],
    ['(', 'punctuation.section.parens.begin.pbs'],
    ['mut', 'storage.modifier.mut.pbs'],
    ['n', 'variable.other.pbs'],
    [':', 'punctuation.separator.colon.pbs'],
    ['int', 'support.type.primitive.pbs'],
    [')', 'punctuation.section.parens.end.pbs'],
    [':', 'punctuation.separator.colon.pbs'],
    ['list', 'support.type.builtin.pbs'],
    ['<', 'punctuation.definition.generic.begin.pbs'],
    ['ref', 'support.type.builtin.pbs'],
    ['<', 'punctuation.definition.generic.begin.pbs'],
    ['Vec2', 'entity.name.type.pbs'],
    ['>', 'punctuation.definition.generic.end.pbs'],
    ['>', 'punctuation.definition.generic.end.pbs'],
  ]);
  assert.deepEqual(await tokensOf('Color.RED, LoadError.NotFound, v.x, Vec2.new('), [
    ['Color', 'entity.name.type.pbs'],
    ['.', 'punctuation.accessor.pbs'],
    ['RED', 'variable.other.constant.pbs'],
    [',', 'punctuation.separator.comma.pbs'],
    ['LoadError', 'entity.name.type.pbs'],
    ['.', 'punctuation.accessor.pbs'],
    ['NotFound', 'variable.other.enummember.pbs'],
    [',', 'punctuation.separator.comma.pbs'],
    ['v', 'variable.other.pbs'],
    ['.', 'punctuation.accessor.pbs'],
    ['x', 'variable.other.property.pbs'],
    [',', 'punctuation.separator.comma.pbs'],
    ['Vec2', 'entity.name.type.pbs'],
    ['.', 'punctuation.accessor.pbs'],
    ['new', 'entity.name.function.member.pbs'],
    ['(', 'punctuation.section.parens.begin.pbs'],
  ]);
  // A declaration pattern never takes the wildcard or a keyword as the declared name.
  assert.deepEqual(await tokensOf('let _ = x; for _ in xs'), [
    ['let', 'storage.type.let.pbs'],
    ['_', 'variable.language.wildcard.pbs'],
    ['=', 'keyword.operator.assignment.pbs'],
    ['x', 'variable.other.pbs'],
    [';', 'punctuation.terminator.statement.pbs'],
    ['for', 'keyword.control.loop.pbs'],
    ['_', 'variable.language.wildcard.pbs'],
    ['in', 'keyword.control.loop.pbs'],
    ['xs', 'variable.other.pbs'],
  ]);
  assert.deepEqual((await tokensOf('fn ok()'))[1], ['ok', 'support.function.builtin.pbs']);
  assert.deepEqual(await tokensOf('borrow h as b {'), [
    ['borrow', 'keyword.other.hip.pbs'],
    ['h', 'variable.other.pbs'],
    ['as', 'keyword.other.as.pbs'],
    ['b', 'variable.other.declaration.pbs'],
    ['{', 'punctuation.section.braces.begin.pbs'],
  ]);
});
