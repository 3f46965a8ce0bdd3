"""`python -m contract_tests`: the same as the `contract-tests` command."""

import sys

from contract_tests.cli import main

if __name__ == "__main__":
    sys.exit(main())
