// The extension as VS Code sees it: the manifest's contributions point at files that
// exist and agree with each other, `activate` wires the client (against stand-ins for
// the `vscode` API and vscode-languageclient, which only exist inside VS Code), and
// package.sh builds a .vsix offline with the right files in it.

'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const { execFileSync } = require('node:child_process');
const { EXTENSION_DIR } = require('./tokenize');

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8'));

function exists(relative) {
  return fs.existsSync(path.join(EXTENSION_DIR, relative));
}

test('the manifest contributes the language, its configuration and its grammar', () => {
  assert.ok(exists(manifest.main), `main ${manifest.main}`);
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'pbs');
  assert.deepEqual(language.extensions, ['.pbs']);
  assert.ok(exists(language.configuration), language.configuration);
  const configuration = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, language.configuration), 'utf8'));
  assert.equal(configuration.comments.lineComment, '//');
  assert.equal(configuration.comments.blockComment, undefined, 'PBS has no block comments (§2.1)');
  for (const pattern of [configuration.wordPattern, ...Object.values(configuration.indentationRules)]) {
    assert.doesNotThrow(() => new RegExp(pattern), pattern);
  }
  assert.ok(new RegExp(`^(?:${configuration.wordPattern})$`).test('snake_case_2'));

  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, language.id);
  assert.ok(exists(grammar.path), grammar.path);
  const rawGrammar = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, grammar.path), 'utf8'));
  assert.equal(rawGrammar.scopeName, grammar.scopeName);
  // Every `#name` the grammar includes is defined.
  const includes = [...JSON.stringify(rawGrammar).matchAll(/"include":"#([^"]+)"/g)].map((m) => m[1]);
  for (const name of includes) assert.ok(rawGrammar.repository[name], `#${name} is not in the repository`);

  const settings = manifest.contributes.configuration.properties;
  assert.equal(settings['prometeu.server.path'].default, 'prometeu');
  assert.ok(settings['prometeu.trace.server'], 'vscode-languageclient reads <client id>.trace.server');
  // The server's own settings (toolchain.md §4.4), sent to it under `prometeu`.
  const specification = fs.readFileSync(path.join(EXTENSION_DIR, '../../docs/spec/toolchain.md'), 'utf8');
  for (const key of ['inlayHints.types', 'inlayHints.parameterNames']) {
    assert.equal(settings[`prometeu.${key}`].default, true, key);
    assert.ok(specification.includes(`| \`${key}\` | \`true\` |`), `${key} is in toolchain.md §4.4`);
  }
});

test('the runtime dependencies are pinned and installed', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'package-lock.json'), 'utf8'));
  for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is pinned to an exact version`);
    assert.equal(lock.packages[`node_modules/${name}`].version, version, name);
  }
});

/** Loads src/extension.js with `vscode` and vscode-languageclient replaced by recorders. */
function loadExtensionWithStandIns(settings) {
  const seen = { commands: [], providers: [], clients: [], executed: [], started: 0, stopped: 0 };
  const disposable = { dispose() {} };
  const vscode = {
    workspace: {
      workspaceFolders: [{ uri: { scheme: 'file', fsPath: '/work/game' } }],
      getConfiguration: (section) => ({ get: (key) => settings[`${section}.${key}`] }),
      registerTextDocumentContentProvider: (scheme, provider) => {
        seen.providers.push({ scheme, provider });
        return disposable;
      },
      onDidChangeConfiguration: (listener) => {
        seen.onConfiguration = listener;
        return disposable;
      },
      onDidOpenTextDocument: () => disposable,
    },
    window: {
      createOutputChannel: (name) => ({ name, dispose() {} }),
      showErrorMessage: async () => undefined,
    },
    commands: {
      registerCommand: (name, handler) => {
        seen.commands.push({ name, handler });
        return disposable;
      },
      executeCommand: async (...args) => {
        seen.executed.push(args);
      },
    },
    languages: { setTextDocumentLanguage: async () => undefined },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions });
      this.protocol2CodeConverter = {
        asUri: (uri) => `uri:${uri}`,
        asPosition: (position) => `position:${position.line}:${position.character}`,
        asLocations: async (locations) => locations.map((l) => `location:${l.uri}`),
      };
      seen.clients.push(this);
    }
    async start() {
      seen.started += 1;
    }
    async stop() {
      seen.stopped += 1;
    }
    async sendRequest(method, params) {
      if (method === 'textDocument/references') {
        return [{ uri: params.textDocument.uri, range: { start: params.position, end: params.position } }];
      }
      return { text: `${method} ${params.uri}` };
    }
  }
  const standIns = { vscode, 'vscode-languageclient/node': { LanguageClient, TransportKind: { stdio: 0 } } };
  const originalLoad = Module._load;
  Module._load = function load(request, ...rest) {
    return request in standIns ? standIns[request] : originalLoad.call(this, request, ...rest);
  };
  const entry = path.join(EXTENSION_DIR, manifest.main);
  try {
    delete require.cache[require.resolve(entry)];
    return { extension: require(entry), seen };
  } finally {
    Module._load = originalLoad;
  }
}

test('activate starts `prometeu lsp --stdio` from the configured path', async () => {
  const { extension, seen } = loadExtensionWithStandIns({
    'prometeu.server.path': './tools/prometeu',
    'prometeu.server.extraEnv': { RUST_BACKTRACE: '1' },
  });
  const subscriptions = [];
  await extension.activate({ subscriptions });
  assert.equal(seen.clients.length, 1);
  const [client] = seen.clients;
  assert.equal(client.id, 'prometeu', 'the id that names the trace setting');
  const run = client.serverOptions.run;
  assert.equal(run.command, path.resolve('/work/game', 'tools/prometeu'));
  assert.deepEqual(run.args, ['lsp']);
  assert.equal(run.transport, 0, 'stdio: the client appends --stdio');
  assert.equal(run.options.env.RUST_BACKTRACE, '1');
  assert.ok(client.clientOptions.documentSelector.some((s) => s.language === 'pbs' && s.scheme === 'file'));
  assert.equal(seen.started, 1);
  assert.equal(client.clientOptions.synchronize.configurationSection, 'prometeu');

  // Every command the extension registers is declared in the manifest, and back.
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(seen.commands.map((c) => c.name).sort(), declared);
  await seen.commands.find((c) => c.name === 'prometeu.restartServer').handler();
  assert.equal(seen.stopped, 1);
  assert.equal(seen.started, 2);
  await seen.onConfiguration({ affectsConfiguration: (section) => section === 'prometeu.server' });
  assert.equal(seen.started, 3);

  // The prelude's virtual document comes from the server's custom request.
  const [virtual] = seen.providers;
  assert.equal(virtual.scheme, 'prometeu');
  const text = await virtual.provider.provideTextDocumentContent({ toString: () => 'prometeu:prelude.pbs' });
  assert.equal(text, 'prometeu/virtualDocument prometeu:prelude.pbs');
  assert.ok(subscriptions.length >= 4);

  // The server's references lens runs `prometeu.showReferences [uri, position]`: the
  // extension asks the server and opens VS Code's references peek.
  const showReferences = seen.commands.find((c) => c.name === 'prometeu.showReferences');
  await showReferences.handler('file:///work/game/src/main.pbs', { line: 3, character: 7 });
  assert.deepEqual(seen.executed.at(-1), [
    'editor.action.showReferences',
    'uri:file:///work/game/src/main.pbs',
    'position:3:7',
    ['location:file:///work/game/src/main.pbs'],
  ]);
  await extension.deactivate();
  assert.equal(seen.stopped, 3);
});

/** The names of the entries of a zip archive, from its central directory. */
function zipEntries(file) {
  const data = fs.readFileSync(file);
  const endOfDirectory = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(endOfDirectory >= 0, 'a zip archive');
  const count = data.readUInt16LE(endOfDirectory + 10);
  let offset = data.readUInt32LE(endOfDirectory + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    assert.equal(data.readUInt32LE(offset), 0x02014b50, 'a central directory entry');
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    names.push(data.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

test('package.sh builds a .vsix with the extension and its runtime dependencies only', () => {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  assert.ok(nodeMajor >= 20, `@vscode/vsce needs Node 20+, this is ${process.version}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometeu-vsix-'));
  try {
    const out = path.join(dir, 'prometeu-pbs.vsix');
    execFileSync(path.join(EXTENSION_DIR, 'package.sh'), [out], { stdio: 'pipe' });
    const names = zipEntries(out);
    for (const required of [
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/language-configuration.json',
      'extension/syntaxes/pbs.tmLanguage.json',
      'extension/src/extension.js',
      'extension/src/server.js',
      'extension/node_modules/vscode-languageclient/package.json',
    ]) {
      assert.ok(names.includes(required), `${required} is in the package`);
    }
    for (const name of names) {
      assert.ok(!name.startsWith('extension/test/'), `tests are not shipped: ${name}`);
      assert.ok(!/node_modules\/(vscode-textmate|vscode-oniguruma|@vscode\/vsce)\//.test(name), `dev dependency shipped: ${name}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
