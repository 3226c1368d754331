// How the extension starts the language server: which command, with which arguments and
// environment. No `vscode` import, so it is tested under plain Node (test/server.test.js).

'use strict';

const os = require('node:os');
const path = require('node:path');

/** The setting's default: `prometeu` looked up on the PATH. */
const DEFAULT_COMMAND = 'prometeu';

/**
 * The command that runs the server, from the `prometeu.server.path` setting: empty means
 * `prometeu` on the PATH; `~` is the home directory; `${workspaceFolder}` is the first
 * workspace folder; a relative path with a separator (`./bin/prometeu`) is relative to
 * the first workspace folder; a bare name is looked up on the PATH.
 */
function resolveCommand(setting, workspaceFolders = [], home = os.homedir()) {
  let command = (setting || '').trim() || DEFAULT_COMMAND;
  const folder = workspaceFolders[0];
  if (folder) command = command.split('${workspaceFolder}').join(folder);
  if (command === '~' || command.startsWith('~/') || command.startsWith('~\\')) {
    command = path.join(home, command.slice(1));
  }
  const hasSeparator = command.includes('/') || command.includes('\\');
  if (hasSeparator && !path.isAbsolute(command) && folder) command = path.resolve(folder, command);
  return command;
}

/**
 * The `Executable` of vscode-languageclient: `prometeu lsp`, to which the client appends
 * `--stdio` (its stdio transport), so the process runs `prometeu lsp --stdio`
 * (docs/spec/toolchain.md §4).
 */
function serverExecutable(settings, workspaceFolders, baseEnv = process.env) {
  return {
    command: resolveCommand(settings.path, workspaceFolders),
    args: ['lsp'],
    options: { env: { ...baseEnv, ...(settings.extraEnv || {}) } },
  };
}

module.exports = { DEFAULT_COMMAND, resolveCommand, serverExecutable };
