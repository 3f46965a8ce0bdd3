"""The contract suite: the tests `contract-tests run` and `pytest contract_tests` run against a target."""
