package cli

// Version is printed by --version.
var Version = "fanout 0.1.0"

// Usage is printed by --help.
const Usage = `usage: fanout [options] [command [arguments]] (::: values | :::: files)...
       ... | fanout [options] [command [arguments]]

Runs the command once per input, at most N at a time. Without {} in the
command the inputs are appended; without a command each input is a command.

Inputs
  ::: values            values given on the command line (several: every combination)
  :::: files            values read from files, - for standard input
  :::+ / ::::+          pair this source with the previous one
  -a, --arg-file FILE   read values from FILE
  --link                pair all sources, shorter ones wrapping around
  -0, --null            values end with NUL
  -d, --delimiter D     values end with D (\n, \t, \0, \xHH escapes)
  -C, --colsep REGEX    split each value into columns {1} {2} ...
  --trim n|l|r|lr       remove blanks around values (default with --colsep: lr)

Replacement strings
  {} {.} {/} {//} {/.}  value; without extension; basename; dirname; basename without extension
  {n} {n.} {n/} ...     the nth value (or column), with the same modifiers; {-n} from the end
  {#} {%}               job sequence number; job slot
  -I STR                use STR instead of {}

Jobs
  -j, --jobs N          run N at once: N, N% of the cores, +N, -N (default: one per core)
  -n, --max-args N      up to N values per job
  -N, --max-replace-args N
                        exactly N values per job ({1}..{N}); -N0 none
  -X                    as many values per job as fit, repeating the word around {}
  -m                    as many values per job as fit
  --timeout SECS|N%     terminate jobs that run longer (N% of the median runtime)
  --termseq SEQ         signals for termination (default TERM,200,TERM,100,TERM,50,KILL,25)
  --retries N           run a failing job up to N times
  --delay SECS          wait between job starts
  --halt WHEN,WHY=N     stop early: never; now|soon,fail|success|done=N or =N%

Output
  --group               each job's output whole when it ends (default)
  --line-buffer, --lb   whole lines as jobs print them
  -u, --ungroup         bytes as they come
  -k, --keep-order      output in input order
  --tag                 put the values before each output line
  --tagstring STR       put STR (with replacement strings) before each output line
  --results DIR|F.json  keep each job's output in DIR/1/value/... or as JSON lines
  --tmpdir DIR          where large output waits (default $TMPDIR)
  -v, --verbose         print each command before its output
  --dry-run             print the commands instead of running them

Job log and resuming
  --joblog FILE         record each finished job (GNU parallel's format)
  --resume              skip jobs the job log has
  --resume-failed       skip jobs the job log has as succeeded; rerun failed ones
  --retry-failed        rerun the failed jobs of the job log, ignoring the input

  -V, --version         print the version
  -h, --help            print this help

Exit status: 0 all jobs succeeded; 1-100 that many failed; 101 more than 100
failed; 128+N stopped by signal N; 255 any other error.
Shell lines run with $PARALLEL_SHELL, else /bin/sh. $PARALLEL holds default options.
`
