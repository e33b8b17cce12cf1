package cli

// refusal is an option of GNU parallel that fanout knows by name and
// refuses with a reason, rather than calling it unknown: a script written
// for GNU parallel learns why it cannot run, and a misspelling of an
// accepted option is not mistaken for one of these.
type refusal struct {
	names  string // its spellings, as in flagSpec: "--pipe --spreadstdin"
	reason string // one line: why, and what to do instead
}

// Reasons shared by many refusals.
const (
	whyNotYet   = "not supported yet"
	whyRemote   = "fanout runs jobs on this machine only; scale-out over NATS is planned instead"
	whyRetired  = "retired in GNU parallel too"
	whyInternal = "internal to GNU parallel"
)

// refusals are GNU parallel 20221122's options that fanout does not
// accept, one a line, sorted by name, so that implementing one is
// deleting its line. The parser reports them as "--x is not supported:
// reason" (exit status 255); TestGNUOptionsAreKnown checks that every
// option of GNU parallel is accepted or listed here, and never both.
var refusals = []refusal{
	{"-B", whyRetired + " (use --basefile)"},
	{"-H", whyRetired + " (use --halt)"},
	{"-T", whyRetired + " (use --tty)"},
	{"-U", whyRetired + " (use --extensionreplace)"},
	{"-W", whyRetired + " (use --workdir)"},
	{"-Y", whyRetired + " (use --shebang)"},
	{"-g", whyRetired + " (use --group)"},
	{"--_parset", whyInternal},
	{"--_pipe-means-argfiles", whyInternal},
	{"--_test", whyInternal},
	{"--basefile --bf", whyRemote},
	{"--bug", "GNU parallel's bug report template; fanout has none"},
	{"--cleanup", whyRemote},
	{"-M --controlmaster", whyRemote},
	{"--ctrl-c --ctrlc", whyRetired},
	{"-D --debug", "GNU parallel's own debugging output"},
	{"--embed", "embeds GNU parallel's own source in a script"},
	{"--filter-hosts --filterhosts --filter-host", whyRemote},
	{"--hgrp --hostgrp --hostgroup --hostgroups", whyRemote},
	{"-p --interactive", whyNotYet},
	{"--latest-line --latestline --ll", whyNotYet},
	{"--linkinputsource --xapplyinputsource", whyInternal + " (use :::+ or ::::+)"},
	{"--no-ctrl-c --no-ctrlc --noctrlc", whyRetired},
	{"--no-keep-order --nokeeporder --nok --no-k", whyNotYet},
	{"--nonall", whyRemote},
	{"--number-of-cores --numberofcores", whyNotYet},
	{"--number-of-cpus --numberofcpus", whyNotYet},
	{"--number-of-sockets --numberofsockets", whyNotYet},
	{"--number-of-threads --numberofthreads", whyNotYet},
	{"--onall", whyRemote},
	{"-o --open-tty", whyNotYet},
	{"--return", whyRemote},
	{"--rsync-opts --rsyncopts", whyRemote},
	{"--session", "only for GNU parallel's env_parallel"},
	{"--shebang --hashbang", whyNotYet},
	{"--sql", whyRetired + " (use --sql-master)"},
	{"--sql-and-worker --sqlandworker", "the SQL job queue is GNU parallel's own; scale-out over NATS is planned instead"},
	{"--sql-master --sqlmaster", "the SQL job queue is GNU parallel's own; scale-out over NATS is planned instead"},
	{"--sql-worker --sqlworker", "the SQL job queue is GNU parallel's own; scale-out over NATS is planned instead"},
	{"--ssh", whyRemote},
	{"--ssh-delay --sshdelay", whyRemote},
	{"-S --sshlogin", whyRemote},
	{"--sshloginfile --slf", whyRemote},
	{"--tmux", whyNotYet},
	{"--tmux-pane --tmuxpane", whyNotYet},
	{"--tollef", whyRetired},
	{"--transfer", whyRemote},
	{"--transfer-file --transferfile --transfer-files --transferfiles --tf", whyRemote},
	{"--trc", whyRemote},
	{"--tty", whyNotYet},
	{"--use-cores-instead-of-threads --usecoresinsteadofthreads", whyNotYet},
	{"--use-cpus-instead-of-cores --usecpusinsteadofcores", whyNotYet},
	{"--use-sockets-instead-of-threads --usesocketsinsteadofthreads", whyNotYet},
}
