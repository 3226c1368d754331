" Vim syntax file
" Language:    PBS (Prometeu Base Script), the Prometeu fantasy console's language
" Filenames:   *.pbs
" Follows docs/spec/pbs-language.md §2 and the VS Code grammar
" (editors/vscode/syntaxes/pbs.tmLanguage.json): every character outside whitespace gets
" a group, and what the lexer rejects is highlighted as an error. Tested by
" editors/nvim/test/syntax.lua (run by prometeu/tests/editors.rs).
"
" Vim's rule for two items starting at the same column: a keyword beats any match, and
" among matches the one defined last wins. So the catch-alls come first.

if exists("b:current_syntax")
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn iskeyword @,48-57,_

" Anything that starts no token (E_LEX_INVALID_CHAR).
syn match pbsInvalidChar "\S"

" Punctuation and operators (§2.5).
syn match pbsDelimiter "[(){}\[\],;:.@]"
syn match pbsOperator "[-+*/%!&|^<>=?]"
syn match pbsOperator "->\|\.\.\|<<\|>>\|&&\|||\|==\|!=\|<=\|>=\|[-+*/%]="

" Names: any identifier, then the conventional shapes.
syn match pbsIdentifier "\<\h\w*"
" (pbsIdentifier is left unlinked: plain names keep the normal colour.)
syn match pbsTypeName "\<\u\w*"
syn match pbsConstName "\<\u[A-Z0-9_]*[A-Z0-9_]\>"
syn match pbsCall "\<[a-z_]\w*\ze\s*("
syn match pbsFuncName "\%(\<fn\s\+\)\@<=\h\w*"
syn match pbsTypeDecl "\%(\<\%(struct\|contract\|service\|error\)\s\+\)\@<=\h\w*"
syn match pbsConstName "\%(\<const\s\+\)\@<=\h\w*"
syn match pbsWildcard "\<_\>"

" Keywords (§2.3), every reserved word, and the prelude's built-in types.
syn keyword pbsImport import from
syn keyword pbsAs as
syn keyword pbsConditional if else when
syn keyword pbsRepeat for in while
syn keyword pbsFlow break continue return
syn keyword pbsHandle handle
syn keyword pbsHip alloc borrow mutate peek take
syn keyword pbsKeyword fn let
syn keyword pbsStructure struct contract service error
syn keyword pbsStorage const pub mod mut declare host
syn keyword pbsBuiltinType optional result
syn keyword pbsConstructor some ok err
syn keyword pbsBoolean true false
syn keyword pbsNone none
syn keyword pbsSelf self
" Reserved for a later version: using it is E_PARSE_RESERVED.
syn keyword pbsReserved weak
syn keyword pbsPrimitive int float bounded bool string void list ref

" Numbers (§2.4): `_` may follow any digit; identifier characters glued to a number,
" a `1.` without a digit after it and `0x` without hex digits are errors.
syn match pbsNumberError "\<\d[0-9A-Za-z_]*\%(\.\d[0-9A-Za-z_]*\)\="
syn match pbsNumber "\<\d[0-9_]*\>\%(\.\d\)\@!"
syn match pbsBounded "\<\d[0-9_]*b\>"
syn match pbsFloat "\<\d[0-9_]*\%(\.\d[0-9_]*\%([eE][-+]\=\d[0-9_]*\)\=\|[eE][-+]\=\d[0-9_]*\)\>"
syn match pbsNumber "\<0[xX][0-9A-Fa-f_]*\x[0-9A-Fa-f_]*\>"
syn match pbsNumberError "\<\d[0-9_]*\.\%([0-9.A-Za-z_]\)\@!"

" Strings: one line, escapes `\\ \" \n \t \r \0 \u{1F600}`.
syn region pbsString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=pbsEscapeError,pbsEscape,@Spell
syn match pbsEscapeError "\\\%(u{[^}"]*}\=\|.\|$\)" contained
syn match pbsEscape "\\[\\"ntr0]" contained
syn match pbsEscape "\\u{\x\{1,6}}" contained

" Comments (§2.1): `//` to the line end; exactly three slashes document.
syn keyword pbsTodo TODO FIXME XXX NOTE contained
syn match pbsComment "//.*$" contains=pbsTodo,@Spell
syn match pbsDocComment "///\%(/\)\@!.*$" contains=pbsTodo,@Spell

" Other languages' spellings the lexer reports (§11): `# note`, `#!`, `#[`, `-- note`
" first on a line, `~=`, `===`, `!==`, 'single quotes'.
syn region pbsForeignComment matchgroup=pbsForeignMark start="#\%($\|[!\[]\|[ \t]\+\%($\|[A-Za-z0-9]\|[^\x00-\x7f]\)\)\@=" end="$" oneline
syn region pbsForeignComment matchgroup=pbsForeignMark start="\%(^\s*\)\@<=--\%([ \t]\|$\)\@=" end="$" oneline
syn match pbsForeignOperator "\~=\|===\|!=="
syn region pbsForeignString matchgroup=pbsForeignMark start=+'\%([^']*'\)\@=+ end=+'+ oneline

hi def link pbsInvalidChar     Error
hi def link pbsDelimiter       Delimiter
hi def link pbsOperator        Operator
hi def link pbsTypeName        Type
hi def link pbsConstName       Constant
hi def link pbsCall            Function
hi def link pbsFuncName        Function
hi def link pbsTypeDecl        Type
hi def link pbsWildcard        Special
hi def link pbsImport          Include
hi def link pbsAs              Keyword
hi def link pbsConditional     Conditional
hi def link pbsRepeat          Repeat
hi def link pbsFlow            Statement
hi def link pbsHandle          Exception
hi def link pbsHip             Keyword
hi def link pbsKeyword         Keyword
hi def link pbsStructure       Structure
hi def link pbsStorage         StorageClass
hi def link pbsBuiltinType     Type
hi def link pbsPrimitive       Type
hi def link pbsConstructor     Function
hi def link pbsBoolean         Boolean
hi def link pbsNone            Constant
hi def link pbsSelf            Special
hi def link pbsReserved        Error
hi def link pbsNumber          Number
hi def link pbsBounded         Number
hi def link pbsFloat           Float
hi def link pbsNumberError     Error
hi def link pbsString          String
hi def link pbsEscape          SpecialChar
hi def link pbsEscapeError     Error
hi def link pbsTodo            Todo
hi def link pbsComment         Comment
hi def link pbsDocComment      SpecialComment
hi def link pbsForeignComment  Comment
hi def link pbsForeignMark     Error
hi def link pbsForeignOperator Error
hi def link pbsForeignString   String

let b:current_syntax = "pbs"

let &cpo = s:cpo_save
unlet s:cpo_save
