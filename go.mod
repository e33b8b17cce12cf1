module github.com/fanoutdev/fanout

go 1.26.0

require golang.org/x/sys v0.50.0

require github.com/creack/pty v1.1.24

require (
	github.com/rogpeppe/go-internal v1.16.0
	golang.org/x/tools v0.26.0 // indirect
)
