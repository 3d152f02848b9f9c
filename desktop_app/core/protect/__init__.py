"""Turning a user's file or record into DataProtector's format: serialization, encryption, checksums."""
