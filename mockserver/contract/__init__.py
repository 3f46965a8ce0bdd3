"""Reading the contract (openapi.yaml): the document, its operations, and the protobuf view of
their requests. No web framework here."""
