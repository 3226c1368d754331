" PBS buffer settings: `//` line comments (`///` documents the next declaration), four
" spaces of indentation, as the examples and `prometeu fmt` write them.
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

setlocal comments=:///,:// commentstring=//\ %s
setlocal formatoptions-=t formatoptions+=croql
setlocal expandtab shiftwidth=4 softtabstop=4 tabstop=4
setlocal cindent cinoptions=L0,(s,Ws,m1 cinkeys-=0#
setlocal suffixesadd=.pbs

let b:undo_ftplugin = "setlocal comments< commentstring< formatoptions< expandtab< shiftwidth< softtabstop< tabstop< cindent< cinoptions< cinkeys< suffixesadd<"
