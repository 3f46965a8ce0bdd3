"""The validating proxy (`mockserver proxy --target URL`): passes every request to a real server
and its answer back unchanged, judging both against the contract with the mock's own router and
validator, and can record what it saw as a scenario of the mock."""
