#!/usr/bin/env bash
# diff.sh: runs the corpus of GNU parallel's documented usages (corpus.txt)
# with GNU parallel and with fanout, and reports every case where they differ.
#
#   conformance/diff.sh [options] FANOUT
#
# The corpus holds blocks in the shared conformance format, without expected
# output (the expectation is GNU parallel's own output):
#   ### name          a case; names are single words (letters, digits, -)
#   $ command line    run in order by bash in a fresh directory, "$P" is the runner
#   % stderr          compare stderr too (by default only stdout and the exit status)
#   # text            a comment (where in the manual the case comes from)
#
# Modes:
#   (default)     live: run each case with GNU parallel and with FANOUT, compare;
#                 when no `parallel` is on $PATH, falls back to --golden.
#   --golden      compare FANOUT with corpus.golden (GNU parallel's recorded output).
#   --record      run GNU parallel only and rewrite corpus.golden; FANOUT is not
#                 needed. With --twice it runs every case twice and reports the
#                 cases whose output differs between the runs (not deterministic).
#   --report-only exit 0 even when there are differences.
#   --only REGEX  run only the cases whose name matches REGEX.
#   -j N          run N cases at once (default 4).
#   -t SECONDS    the time limit of one case (default 60: a loaded machine is slow).
#   -v            show the full outputs of every differing case.
#   -q            print only DIFFER and FIXED lines, then the summary.
#
# Every differing case falls in one of three categories, printed one line each:
#   ALLOWED  the case is in allowed.txt: a documented, deliberate difference.
#   MISSING  fanout refuses with "... is not supported yet", or the case is in
#            missing.txt (a behaviour not done yet, with its root cause). Printed
#            and counted, but not a failure: it is the to-do list.
#   DIFFER   anything else: a regression or a new difference. The script exits 1.
# A case in missing.txt that matches now is printed as FIXED (remove it there).
# In live mode a case where GNU parallel's output differs from corpus.golden is
# printed as UNSTABLE (not deterministic, or the golden file is stale); it is not
# a failure by itself, and fanout matching either output is a match.
# The last line is "N/M cases match".
set -uo pipefail
# The whole script is one group, read before it runs: editing it mid-run is safe.
{
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus.txt golden=$here/corpus.golden
mode=live report_only=0 only='' jobs=4 verbose=0 quiet=0 twice=0
export CORPUS_TIMEOUT=${CORPUS_TIMEOUT:-60}

# canon FILE DIR: the file as compared: control characters made visible
# (cat -v), the case's directory replaced by @DIR@, and a last line without
# its newline marked, so that "a" and "a\n" differ.
canon() {
  [ -s "$1" ] || return 0
  cat -v -- "$1" | sed "s#$2#@DIR@#g"
  [ -n "$(tail -c1 -- "$1")" ] && echo '\ no newline at end'
  return 0
}

# run_one OUTDIR IDX TAG RUNNER: runs case IDX with RUNNER as $P and leaves
# OUTDIR/IDX.TAG: the exit status, then stdout, then stderr, canonical.
run_one() {
  local out=$1 idx=$2 tag=$3 runner=$4 dir code
  dir=$(mktemp -d)
  dir=$(cd "$dir" && pwd -P)
  cp "$out/$idx.sh" "$dir/.case.sh"
  (
    cd "$dir" || exit 99
    unset PARALLEL PARALLEL_SHELL
    mkdir .tmp && export P=$runner TMPDIR=$dir/.tmp LC_ALL=C
    timeout -k 2 "$CORPUS_TIMEOUT" bash .case.sh </dev/null >"$dir/.out" 2>"$dir/.err"
  )
  code=$?
  {
    echo "? $code"
    canon "$dir/.out" "$dir" | sed 's/^/> /'
    if [ -e "$out/$idx.stderr" ]; then canon "$dir/.err" "$dir" | sed 's/^/2> /'; fi
  } >"$out/$idx.$tag"
  # the raw stderr, for telling a refusal ("not supported yet") from a difference
  sed "s#$dir#@DIR@#g" "$dir/.err" | head -c 2000 >"$out/$idx.$tag.err"
  rm -rf "$dir"
}

while [ $# -gt 0 ]; do
  case $1 in
    --golden) mode=golden ;;
    --record) mode=record ;;
    --report-only) report_only=1 ;;
    --only) only=$2; shift ;;
    -j) jobs=$2; shift ;;
    -v) verbose=1 ;;
    -q) quiet=1 ;;
    -t) CORPUS_TIMEOUT=$2; shift ;;
    --twice) twice=1 ;;
    --one-case) shift; run_one "$@"; exit 0 ;; # internal, for xargs
    -*) echo "diff.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done

if [ "$mode" != record ]; then
  [ $# -ge 1 ] || { echo "usage: diff.sh [--golden|--record] [--report-only] [--only REGEX] [-j N] FANOUT" >&2; exit 2; }
  fanout=$1
  case $fanout in */*) fanout=$(cd "$(dirname "$fanout")" && pwd)/$(basename "$fanout") ;; *) fanout=$(command -v "$fanout") ;; esac
  [ -x "$fanout" ] || { echo "diff.sh: $1: not an executable" >&2; exit 2; }
fi
gnu=$(command -v parallel || true)
if [ "$mode" = live ] && [ -z "$gnu" ]; then
  echo "diff.sh: no GNU parallel on \$PATH; comparing with the recorded corpus.golden" >&2
  mode=golden
fi
if [ "$mode" != golden ] && [ -z "$gnu" ]; then echo "diff.sh: --record needs GNU parallel" >&2; exit 2; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split the corpus into one script per case: IDX.sh, IDX.name, IDX.stderr.
n=0 name=''
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    "### "*)
      name=${line#\#\#\# }
      if [ -n "$only" ] && ! [[ $name =~ $only ]]; then name=''; continue; fi
      n=$((n + 1)); printf '%s\n' "$name" >"$work/$n.name"; : >"$work/$n.sh" ;;
    "\$ "*) [ -n "$name" ] && printf '%s\n' "${line#\$ }" >>"$work/$n.sh" ;;
    "% stderr") [ -n "$name" ] && : >"$work/$n.stderr" ;;
  esac
done <"$corpus"
[ "$n" -gt 0 ] || { echo "diff.sh: no cases" >&2; exit 2; }

# The recorded expectations, by name: want[name] (all of corpus.golden).
declare -A want=()
cur=''
if [ -f "$golden" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "### "*) cur=${line#\#\#\# }; want[$cur]='' ;;
      "#"*) ;;
      *) [ -n "$cur" ] && want[$cur]+="$line"$'\n' ;;
    esac
  done <"$golden"
fi
for i in $(seq "$n"); do
  nm=$(cat "$work/$i.name")
  if [ -n "${want[$nm]+x}" ]; then printf '%s' "${want[$nm]}" >"$work/$i.gold"; else echo "? (not recorded)" >"$work/$i.gold"; fi
  if [ "$mode" = golden ]; then cp "$work/$i.gold" "$work/$i.gnu"; : >"$work/$i.gnu.err"; fi
done

self=$work/diff.sh
cp "$here/diff.sh" "$self"
{
  for i in $(seq "$n"); do
    case $mode in
      live) echo "$i gnu $gnu"; echo "$i fan $fanout" ;;
      golden) echo "$i fan $fanout" ;;
      record) echo "$i gnu $gnu"; if ((twice)); then echo "$i gnu2 $gnu"; fi ;;
    esac
  done
} | xargs -P "$jobs" -L1 bash "$self" --one-case "$work"

if [ "$mode" = record ]; then
  # The cases run now replace theirs; the others (with --only) stay as recorded.
  declare -A got=()
  flaky=0
  for i in $(seq "$n"); do
    nm=$(cat "$work/$i.name")
    if ((twice)) && ! cmp -s "$work/$i.gnu" "$work/$i.gnu2"; then
      echo "NOT DETERMINISTIC $nm" >&2; flaky=$((flaky + 1))
    fi
    got[$nm]=$(cat "$work/$i.gnu")$'\n'
  done
  {
    echo "# GNU parallel's output for corpus.txt, written by diff.sh --record; do not edit."
    echo "# Per case: ? exit status, > stdout lines, 2> stderr lines (where compared)."
    sed -n 's/^### //p' "$corpus" | while IFS= read -r nm; do
      if [ -n "${got[$nm]+x}" ]; then printf '### %s\n%s' "$nm" "${got[$nm]}"
      elif [ -n "${want[$nm]+x}" ]; then printf '### %s\n%s' "$nm" "${want[$nm]}"
      fi
    done
  } >"$golden.new"
  mv "$golden.new" "$golden"
  echo "recorded $n cases in $golden ($flaky not deterministic)"
  [ "$flaky" -eq 0 ]
  exit
fi

# refusal FILE: the root cause when fanout refused the case as not done yet:
# "X is not supported yet", "X is not supported: ... is planned", or a perl
# expression in a replacement string (which the README lists as not yet).
refusal() {
  local opt
  opt=$(sed -nE 's/^fanout: ([^ ]+) is not supported( yet|: .* is planned(;.*)?$).*/\1/p' "$1" | head -1)
  if [ -n "$opt" ]; then echo "$opt is not supported yet"; return; fi
  if grep -q 'perl expressions are not supported' "$1"; then echo "{= perl =} is not supported yet"; fi
}

# listed FILE NAME: the reason given for NAME in FILE, if listed.
listed() { awk -v n="$2" '$1 == n { $1 = ""; sub(/^ +/, ""); print; found = 1; exit } END { exit !found }' "$1" 2>/dev/null; }

match=0 allowed=0 missing=0 differ=0 fixed=0
declare -A causes=()
for i in $(seq "$n"); do
  nm=$(cat "$work/$i.name")
  if [ "$mode" = live ] && ! cmp -s "$work/$i.gnu" "$work/$i.gold"; then
    echo "UNSTABLE $nm: GNU parallel's output differs from corpus.golden"
  fi
  # GNU parallel's output now, or as recorded: where they differ, either will do.
  if cmp -s "$work/$i.gnu" "$work/$i.fan" || cmp -s "$work/$i.gold" "$work/$i.fan"; then
    match=$((match + 1))
    if why=$(listed "$here/missing.txt" "$nm"); then echo "FIXED $nm: matches now; remove it from missing.txt"; fixed=$((fixed + 1)); fi
    continue
  fi
  detail=$(diff "$work/$i.gnu" "$work/$i.fan" | grep '^[<>]' | head -4 | tr '\n' ' ' | cut -c1-200)
  if why=$(listed "$here/allowed.txt" "$nm"); then
    ((quiet)) || echo "ALLOWED $nm: $why"; allowed=$((allowed + 1))
  elif why=$(refusal "$work/$i.fan.err") && [ -n "$why" ]; then
    ((quiet)) || echo "MISSING $nm: $why"; missing=$((missing + 1)); causes[$why]+=" $nm"
  elif why=$(listed "$here/missing.txt" "$nm"); then
    ((quiet)) || echo "MISSING $nm: $why"; missing=$((missing + 1)); causes[$why]+=" $nm"
  else
    echo "DIFFER $nm: (< gnu, > fanout) $detail"; differ=$((differ + 1))
  fi
  if [ "$verbose" = 1 ]; then
    echo "--- $nm: commands"; sed 's/^/    /' "$work/$i.sh"
    echo "--- GNU parallel"; sed 's/^/    /' "$work/$i.gnu"
    echo "--- fanout"; sed 's/^/    /' "$work/$i.fan"; sed 's/^/    2> /' "$work/$i.fan.err"
  fi
done

if [ "$missing" -gt 0 ]; then
  echo "missing, by root cause:"
  for why in "${!causes[@]}"; do
    set -- ${causes[$why]}
    printf '  %3d  %s:%s\n' $# "$why" "${causes[$why]}"
  done | sort -k1,1nr -k2
fi
echo "$allowed allowed, $missing missing, $differ differ, $fixed fixed ($mode)"
echo "$match/$n cases match"
[ "$differ" -eq 0 ] || [ "$report_only" = 1 ]
exit
}
