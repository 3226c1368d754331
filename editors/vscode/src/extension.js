// The VS Code client of the Prometeu language server: starts `prometeu lsp --stdio` for
// PBS files, restarts it when its settings change or on command, and shows the built-in
// prelude (`prometeu:prelude.pbs`, served by the custom request
// `prometeu/virtualDocument`) when a definition leads there.

'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { serverExecutable } = require('./server');

const VIRTUAL_SCHEME = 'prometeu';

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;

function workspaceFolderPaths() {
  return (vscode.workspace.workspaceFolders || [])
    .filter((folder) => folder.uri.scheme === 'file')
    .map((folder) => folder.uri.fsPath);
}

function createClient() {
  const settings = vscode.workspace.getConfiguration('prometeu.server');
  const executable = serverExecutable(
    { path: settings.get('path'), extraEnv: settings.get('extraEnv') },
    workspaceFolderPaths(),
  );
  executable.transport = TransportKind.stdio;
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'pbs' },
      { scheme: 'untitled', language: 'pbs' },
    ],
    outputChannel,
    traceOutputChannel: outputChannel,
    // The server's own settings (`prometeu.inlayHints.*`, toolchain.md §4) reach it as
    // workspace/didChangeConfiguration whenever they change.
    synchronize: { configurationSection: 'prometeu' },
  };
  return new LanguageClient('prometeu', 'Prometeu', { run: executable, debug: executable }, clientOptions);
}

async function startClient() {
  client = createClient();
  try {
    await client.start();
  } catch (error) {
    const command = vscode.workspace.getConfiguration('prometeu.server').get('path') || 'prometeu';
    vscode.window
      .showErrorMessage(
        `Could not start the Prometeu language server (\`${command} lsp\`): ${error.message}. ` +
          'Install it with `cargo install --path prometeu` or set `prometeu.server.path`.',
        'Open Settings',
      )
      .then((choice) => {
        if (choice) vscode.commands.executeCommand('workbench.action.openSettings', 'prometeu.server');
      });
  }
}

async function restartClient() {
  const previous = client;
  client = undefined;
  if (previous) await previous.stop().catch(() => undefined);
  await startClient();
}

/** Serves `prometeu:` documents (the built-in prelude) from the server. */
const virtualDocuments = {
  async provideTextDocumentContent(uri) {
    if (!client) return '';
    const reply = await client.sendRequest('prometeu/virtualDocument', { uri: uri.toString() });
    return (reply && reply.text) || '';
  },
};

/**
 * The command of the server's references code lens (`[uri, position]`, protocol shapes):
 * asks the server for the references and shows them in VS Code's peek view.
 */
async function showReferences(uri, position) {
  if (!client) return;
  const converter = client.protocol2CodeConverter;
  const locations = await client.sendRequest('textDocument/references', {
    textDocument: { uri },
    position,
    context: { includeDeclaration: false },
  });
  await vscode.commands.executeCommand(
    'editor.action.showReferences',
    converter.asUri(uri),
    converter.asPosition(position),
    await converter.asLocations(locations || []),
  );
}

async function activate(context) {
  outputChannel = vscode.window.createOutputChannel('Prometeu');
  context.subscriptions.push(
    outputChannel,
    vscode.workspace.registerTextDocumentContentProvider(VIRTUAL_SCHEME, virtualDocuments),
    vscode.commands.registerCommand('prometeu.restartServer', restartClient),
    vscode.commands.registerCommand('prometeu.showReferences', showReferences),
    vscode.workspace.onDidChangeConfiguration((event) =>
      event.affectsConfiguration('prometeu.server') ? restartClient() : undefined,
    ),
    vscode.workspace.onDidOpenTextDocument((document) => {
      // Files opened from a `prometeu:` URI are PBS too.
      if (document.uri.scheme === VIRTUAL_SCHEME && document.languageId !== 'pbs') {
        vscode.languages.setTextDocumentLanguage(document, 'pbs');
      }
    }),
  );
  await startClient();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
