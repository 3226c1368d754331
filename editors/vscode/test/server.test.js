// How the extension finds and starts the server, and the started command against the
// real `prometeu` binary (named by PROMETEU_BIN, which prometeu/tests/editors.rs sets)
// over vscode-jsonrpc, the transport vscode-languageclient itself uses.

'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-jsonrpc/node');
const { resolveCommand, serverExecutable } = require('../src/server');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

test('the server path setting', () => {
  const folders = ['/work/game'];
  assert.equal(resolveCommand(undefined, folders), 'prometeu');
  assert.equal(resolveCommand('  ', folders), 'prometeu');
  assert.equal(resolveCommand('prometeu-dev', folders), 'prometeu-dev', 'a bare name is looked up on the PATH');
  assert.equal(resolveCommand('/opt/bin/prometeu', folders), '/opt/bin/prometeu');
  assert.equal(resolveCommand('~/bin/prometeu', folders, '/home/me'), path.join('/home/me', 'bin/prometeu'));
  assert.equal(resolveCommand('./target/debug/prometeu', folders), path.resolve('/work/game/target/debug/prometeu'));
  assert.equal(resolveCommand('${workspaceFolder}/bin/prometeu', folders), '/work/game/bin/prometeu');
  assert.equal(resolveCommand('./prometeu', []), './prometeu', 'no folder: left to the PATH lookup');
  const executable = serverExecutable({ path: '', extraEnv: { A: 'b' } }, folders, { PATH: '/bin' });
  assert.deepEqual(executable, { command: 'prometeu', args: ['lsp'], options: { env: { PATH: '/bin', A: 'b' } } });
});

test('the command the extension starts serves a PBS project', { skip: !process.env.PROMETEU_BIN && 'PROMETEU_BIN is not set (prometeu/tests/editors.rs sets it)' }, async () => {
  const project = path.join(REPO_ROOT, 'examples', 'hello');
  const executable = serverExecutable({ path: process.env.PROMETEU_BIN }, [project]);
  // vscode-languageclient's stdio transport appends `--stdio`.
  const child = spawn(executable.command, [...executable.args, '--stdio'], {
    ...executable.options,
    cwd: project,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const main = path.join(project, 'src', 'main.pbs');
  const mainUri = pathToFileURL(main).href;
  const diagnostics = new Promise((resolve) =>
    connection.onNotification('textDocument/publishDiagnostics', (params) => {
      if (params.uri === mainUri) resolve(params.diagnostics);
    }),
  );
  connection.listen();
  try {
    const initialized = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(project).href,
      workspaceFolders: [{ uri: pathToFileURL(project).href, name: 'hello' }],
      capabilities: {},
    });
    assert.equal(initialized.serverInfo.name.startsWith('prometeu'), true, JSON.stringify(initialized.serverInfo));
    assert.ok(initialized.capabilities.hoverProvider, 'hover is served');
    await connection.sendNotification('initialized', {});
    const text = fs.readFileSync(main, 'utf8');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: mainUri, languageId: 'pbs', version: 1, text },
    });
    assert.deepEqual(await diagnostics, [], 'the example checks clean');
    const prelude = await connection.sendRequest('prometeu/virtualDocument', { uri: 'prometeu:prelude.pbs' });
    assert.match(prelude.text, /declare contract/, 'the prelude the extension shows for prometeu: URIs');
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    child.kill();
  }
});
