"""The spec-review tools behind `contract-tests lint|fixtures|diff|compare`."""
