"""zitadel"""
