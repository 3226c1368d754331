"""`prometeu lsp` driven over stdio by a third-party client (pytest-lsp / pygls),
with the capabilities VS Code announces, on a copy of the example projects.

The binary is $PROMETEU_BIN (the Rust test `lsp_third_party` sets it)."""

import asyncio
import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

BIN = os.environ.get("PROMETEU_BIN", "prometeu")
EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    for project in ("town", "mathlib"):
        shutil.copytree(
            EXAMPLES / project, tmp_path / project, ignore=shutil.ignore_patterns("build")
        )
    return tmp_path.resolve()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp", "--stdio"]))
async def client(lsp_client: LanguageClient, workspace: pathlib.Path):
    registrations = []

    # VS Code accepts dynamic registrations; the test client does not by itself.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        registrations.extend(params.registrations)

    lsp_client.registrations = registrations

    # VS Code asks again for the tokens and hints of what it shows when told to.
    refreshes = []

    @lsp_client.feature(types.WORKSPACE_SEMANTIC_TOKENS_REFRESH)
    def tokens_refresh(params):
        refreshes.append("semanticTokens")

    @lsp_client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def hints_refresh(params):
        refreshes.append("inlayHint")

    lsp_client.refreshes = refreshes
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[
                types.WorkspaceFolder(uri=workspace.as_uri(), name="examples")
            ],
        )
    )
    yield
    await lsp_client.shutdown_session()


def position_of(text: str, needle: str, skip: int = 0) -> types.Position:
    at = text.index(needle) + skip
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return types.Position(line=line, character=len(text[start:at].encode("utf-16-le")) // 2)


async def open_document(client: LanguageClient, path: pathlib.Path) -> str:
    text = path.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="pbs", version=1, text=text
            )
        )
    )
    return text


async def diagnostics_for(client: LanguageClient, uri: str, accept) -> list:
    for _ in range(50):
        if uri in client.diagnostics and accept(client.diagnostics[uri]):
            return list(client.diagnostics[uri])
        await client.wait_for_notification("textDocument/publishDiagnostics")
    raise AssertionError(f"no acceptable diagnostics for {uri}: {client.diagnostics.get(uri)}")


async def test_diagnostics_appear_and_clear_while_typing(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    text = await open_document(client, main)
    where = position_of(text, "fn frame() {", len("fn frame() {"))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=main.as_uri(), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=where, end=where),
                    text='\n    let n: int = "🎮";',
                )
            ],
        )
    )
    found = await diagnostics_for(
        client, main.as_uri(), lambda ds: any(d.code == "E_TYPE_MISMATCH" for d in ds)
    )
    mismatch = next(d for d in found if d.code == "E_TYPE_MISMATCH")
    assert mismatch.range.start.line == where.line + 1
    assert mismatch.range.start.character == 17
    # The emoji is one character of two UTF-16 units: the range ends after both.
    assert mismatch.range.end.character == 21
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=main.as_uri(), version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await diagnostics_for(client, main.as_uri(), lambda ds: len(ds) == 0)


async def test_the_file_watcher_is_registered(client, workspace):
    for _ in range(100):
        if client.registrations:
            break
        await asyncio.sleep(0.05)
    methods = [r.method for r in client.registrations]
    assert methods == ["workspace/didChangeWatchedFiles"]


async def test_navigation_and_hover(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    lib = workspace / "mathlib" / "src" / "lib.pbs"
    text = await open_document(client, main)
    at = position_of(text, "lerp(20.0", 1)
    document = types.TextDocumentIdentifier(uri=main.as_uri())

    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=document, position=at)
    )
    assert hover is not None and "fn lerp(" in hover.contents.value

    definition = await client.text_document_definition_async(
        types.DefinitionParams(text_document=document, position=at)
    )
    assert definition[0].target_uri == lib.as_uri()

    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document,
            position=at,
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert {r.uri for r in references} >= {main.as_uri(), lib.as_uri()}

    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document)
    )
    assert {"init", "frame"} <= {s.name for s in symbols}

    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Vec"))
    assert any(s.name == "Vec2" for s in found)

    help = await client.text_document_signature_help_async(
        types.SignatureHelpParams(
            text_document=document, position=position_of(text, "lerp(20.0, ", 11)
        )
    )
    assert help.active_parameter == 1


async def test_rename_crosses_projects(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    lib = workspace / "mathlib" / "src" / "lib.pbs"
    text = await open_document(client, main)
    at = position_of(text, "lerp(20.0", 1)
    document = types.TextDocumentIdentifier(uri=main.as_uri())
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document, position=at)
    )
    assert prepared is not None
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=document, position=at, new_name="mix")
    )
    edited = {change.text_document.uri for change in edit.document_changes}
    assert {main.as_uri(), lib.as_uri()} <= edited


async def test_code_actions_fix_a_misspelling_and_organize_imports(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    text = await open_document(client, main)
    uri = main.as_uri()
    document = types.TextDocumentIdentifier(uri=uri)
    start = position_of(text, "lerp(20.0")
    end = position_of(text, "lerp(20.0", len("lerp"))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=start, end=end), text="lrp"
                )
            ],
        )
    )
    found = await diagnostics_for(
        client, uri, lambda ds: any(d.code == "E_RESOLVE_UNDEFINED" for d in ds)
    )
    undefined = next(d for d in found if d.code == "E_RESOLVE_UNDEFINED")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document,
            range=undefined.range,
            context=types.CodeActionContext(
                diagnostics=[undefined], only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    fix = next(a for a in actions if a.title == "Change `lrp` to `lerp`")
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    assert fix.diagnostics[0].code == "E_RESOLVE_UNDEFINED"
    [change] = fix.edit.document_changes
    assert change.text_document.uri == uri and change.text_document.version == 2
    [edit] = change.edits
    assert edit.range == undefined.range and edit.new_text == "lerp"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
            ],
        )
    )
    await diagnostics_for(client, uri, lambda ds: len(ds) == 0)

    organize = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document,
            range=types.Range(start=start, end=start),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceOrganizeImports]
            ),
        )
    )
    assert [a.kind for a in organize] == [types.CodeActionKind.SourceOrganizeImports]
    [change] = organize[0].edit.document_changes
    assert change.edits[0].new_text.splitlines() == [
        'import { Vec2, lerp } from "@math";',
        'import { ease_in_out as ease } from "@math/easing";',
        'import { Hud } from "ui";',
        'import { Townsfolk, spawn_all } from "world";',
    ]


async def test_structure_folding_links_call_hierarchy_and_code_lens(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    lib = workspace / "mathlib" / "src" / "lib.pbs"
    text = await open_document(client, main)
    document = types.TextDocumentIdentifier(uri=main.as_uri())

    folds = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=document)
    )
    assert any(f.kind == types.FoldingRangeKind.Imports and f.start_line == 0 for f in folds)
    frame_line = position_of(text, "fn frame").line
    assert any(f.start_line == frame_line for f in folds)

    at = position_of(text, "lerp(20.0", 1)
    selections = await client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=document, positions=[at])
    )
    assert selections[0].range.start == position_of(text, "lerp(20.0")
    assert selections[0].parent is not None

    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=document)
    )
    assert links[0].target == lib.as_uri()

    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(text_document=document, position=at)
    )
    assert items[0].name == "lerp" and items[0].uri == lib.as_uri()
    incoming = await client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item=items[0])
    )
    assert "frame" in {call.from_.name for call in incoming}

    # Sizes are compiled in the background and announced with a refresh (VS Code
    # announces `refreshSupport`); ask (and resolve) until they are shown.
    refreshes = []

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(params):
        refreshes.append(params)

    for _ in range(200):
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=document)
        )
        titles = []
        for lens in lenses:
            if lens.command is None:
                lens = await client.code_lens_resolve_async(lens)
            titles.append(lens.command.title)
        if any(t.endswith(" bytes") for t in titles):
            break
        await asyncio.sleep(0.1)
    assert "0 references" in titles
    assert any(t.endswith(" bytes") for t in titles), titles
    assert refreshes, "the server announced the sizes"
async def test_completion_members_auto_import_and_resolve(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    text = await open_document(client, main) + (
        "\nfn probe(count: int) {\n    let c = Color.\n    let n = clamp_i\n}\n"
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=main.as_uri(), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    document = types.TextDocumentIdentifier(uri=main.as_uri())

    members = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=document,
            position=position_of(text, "Color.\n", len("Color.")),
            context=types.CompletionContext(
                trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                trigger_character=".",
            ),
        )
    )
    labels = [i.label for i in members.items]
    assert "RED" in labels and "rgb" in labels
    assert "frame" not in labels

    typed = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=document,
            position=position_of(text, "clamp_i\n", len("clamp_i")),
        )
    )
    clamp = next(i for i in typed.items if i.label == "clamp_int")
    # VS Code supports snippets: placeholders for the parameters.
    assert clamp.insert_text_format == types.InsertTextFormat.Snippet
    assert clamp.text_edit.new_text == "clamp_int(${1:v}, ${2:lo}, ${3:hi})$0"
    (edit,) = clamp.additional_text_edits
    assert edit.new_text == "clamp_int, "
    assert edit.range.start == types.Position(line=0, character=15)

    resolved = await client.completion_item_resolve_async(clamp)
    assert "fn clamp_int(v: int, lo: int, hi: int): int" in resolved.documentation.value


def decode_tokens(data: list, text: str, legend: types.SemanticTokensLegend) -> list:
    """`(line, column, text, type)` of each encoded token (UTF-16 columns)."""
    lines = text.split("\n")
    out, line, column = [], 0, 0
    for i in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _modifiers = data[i : i + 5]
        line += delta_line
        column = delta_start if delta_line else column + delta_start
        units = lines[line].encode("utf-16-le")
        piece = units[2 * column : 2 * (column + length)].decode("utf-16-le")
        out.append((line, column, piece, legend.token_types[kind]))
    return out


async def test_semantic_tokens_and_inlay_hints(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    text = await open_document(client, main)
    document = types.TextDocumentIdentifier(uri=main.as_uri())
    provider = client.initialize_result.capabilities.semantic_tokens_provider
    legend = provider.legend

    full = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=document)
    )
    tokens = decode_tokens(full.data, text, legend)
    assert (0, 27, '"@math"', "namespace") in tokens
    assert (10, 8, "t", "variable") in tokens
    assert (11, 12, "lerp", "function") in tokens
    assert (12, 4, "Gfx", "interface") in tokens

    # A range: only line 11's tokens.
    ranged = await client.text_document_semantic_tokens_range_async(
        types.SemanticTokensRangeParams(
            text_document=document,
            range=types.Range(
                start=types.Position(line=11, character=0),
                end=types.Position(line=12, character=0),
            ),
        )
    )
    assert [t for t in tokens if t[0] == 11] == decode_tokens(ranged.data, text, legend)

    # An edit, then a delta against the first answer equals a fresh full answer.
    where = position_of(text, "fn frame() {", len("fn frame() {"))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=main.as_uri(), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=where, end=where), text="\n    let n = 1;"
                )
            ],
        )
    )
    delta = await client.text_document_semantic_tokens_full_delta_async(
        types.SemanticTokensDeltaParams(text_document=document, previous_result_id=full.result_id)
    )
    patched = list(full.data)
    for edit in sorted(delta.edits, key=lambda e: -e.start):
        patched[edit.start : edit.start + edit.delete_count] = edit.data or []
    fresh = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=document)
    )
    assert patched == list(fresh.data)
    assert len(delta.edits) == 1 and len(delta.edits[0].data) < len(fresh.data) // 2

    # An item added: more than the file's bodies is analysed again, so the server asks
    # the editor to refresh the tokens (and the hints, for a client that announces it
    # takes that) of what else it shows. (A body edit, like the one above, does not.)
    assert client.refreshes == [], client.refreshes
    lines = text.count("\n") + 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=main.as_uri(), version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=lines, character=0),
                        end=types.Position(line=lines, character=0),
                    ),
                    text="\nfn added_item() {}\n",
                )
            ],
        )
    )
    workspace_capabilities = client_capabilities("visual-studio-code").workspace
    expected = {"semanticTokens"}
    if workspace_capabilities.inlay_hint and workspace_capabilities.inlay_hint.refresh_support:
        expected.add("inlayHint")
    for _ in range(100):
        if expected <= set(client.refreshes):
            break
        await asyncio.sleep(0.05)
    assert expected == set(client.refreshes), client.refreshes

    whole = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=20, character=0)
    )
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=document, range=whole)
    )
    labels = {(h.position.line, h.label, h.kind) for h in hints}
    assert (10, ": int", types.InlayHintKind.Type) in labels
    assert (11, ": float", types.InlayHintKind.Type) in labels
    assert any(kind == types.InlayHintKind.Parameter for _, _, kind in labels)

    # Type hints off through the settings.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"prometeu": {"inlayHints": {"types": False}}}
        )
    )
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=document, range=whole)
    )
    assert hints and all(h.kind == types.InlayHintKind.Parameter for h in hints)


def apply_edits(text: str, edits: list) -> str:
    """`text` with LSP text edits applied (ASCII text: columns are characters)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def test_formatting_returns_minimal_edits_that_format_the_document(client, workspace):
    main = workspace / "town" / "src" / "main.pbs"
    await open_document(client, main)
    uri = main.as_uri()
    # The file as a careless hand would leave it: spacing and indentation off.
    messy = main.read_text().replace("fn frame() {", "fn   frame( )    {").replace(
        "\n    ", "\n  "
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=messy)],
        )
    )
    options = types.FormattingOptions(tab_size=4, insert_spaces=True)
    document = types.TextDocumentIdentifier(uri=uri)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=document, options=options)
    )
    assert edits, "the messy text is reformatted"
    # Minimal: whole lines that changed, never one replacement of the whole file.
    assert len(edits) > 1
    formatted = apply_edits(messy, edits)
    assert "fn frame() {" in formatted and "\n  Gfx" not in formatted
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=formatted)],
        )
    )
    again = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=document, options=options)
    )
    assert not again, "formatted text formats to itself"
