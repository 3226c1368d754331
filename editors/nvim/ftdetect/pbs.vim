" PBS (Prometeu Base Script) sources: *.pbs.
autocmd BufRead,BufNewFile *.pbs setfiletype pbs
