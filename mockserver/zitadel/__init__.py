"""ZITADEL's rules for every call, whatever the operation: routing, decoding, authentication and
authorization, validation, error bodies, protojson. No web framework here."""
