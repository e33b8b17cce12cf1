package cli

// aliases are GNU parallel's further spellings of options that fanout
// accepts, one a line: the alias, then a name in flags it stands for.
// --help shows only the names in flags; the man page and the shell
// completions list these too. Scripts written for GNU parallel use them.
var aliases = map[string]string{
	"--argfile":              "--arg-file",
	"--argfilesep":           "--arg-file-sep",
	"--argsep":               "--arg-sep",
	"--col-sep":              "--colsep",
	"--ctag-string":          "--ctagstring",
	"--dr":                   "--dry-run",
	"--haltonerror":          "--halt",
	"--keeporder":            "--keep-order",
	"--line-buffered":        "--line-buffer",
	"--linebuffer":           "--line-buffer",
	"--linebuffered":         "--line-buffer",
	"--maxargs":              "--max-args",
	"--maxchars":             "--max-chars",
	"--maxlinelengthallowed": "--max-line-length-allowed",
	"--maxlines":             "--max-lines",
	"--maxprocs":             "--max-procs",
	"--maxreplaceargs":       "--max-replace-args",
	"--nn":                   "--will-cite",
	"--nonotice":             "--will-cite",
	"--norunifempty":         "--no-run-if-empty",
	"--processslotvar":       "--process-slot-var",
	"--result":               "--results",
	"--resumefailed":         "--resume-failed",
	"--retryfailed":          "--retry-failed",
	"--shellcompletion":      "--completion",
	"--showlimits":           "--show-limits",
	"--totaljobs":            "--total-jobs",
	"--willcite":             "--will-cite",
}
