"""Check a release's text or PDF offline: `verify_release FILE [--signature SIG] [--keys KEYS]`.

With a signature (a .sig file, a file holding {"key_id", "value"}, or a signature block at the
end of the text; for FILE.pdf, FILE.pdf.sig beside it is used when present) and a keys file
(/.well-known/pressroom-keys.json saved), it needs no database. Without --keys, our own keys
are used; without a signature, the file is compared with our signed releases, as the
verification page does. Exit status 0: ours; 1: altered or not ours.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publishing import signing


def _read_signature(text: str) -> tuple[str, str]:
    """(key_id, value) from a .sig file's content: base64, or JSON {key_id, value}."""
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
            return str(data.get("key_id", "")), str(data["value"])
        except (ValueError, KeyError, AttributeError) as exc:
            raise CommandError("The signature file is neither base64 nor {key_id, value}.") from exc
    return "", text


class Command(BaseCommand):
    help = "Check that a release text (.txt) or PDF was signed by us."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A canonical text (.txt) or a PDF.")
        parser.add_argument("--signature", help="A signature file (base64), or the base64 itself.")
        parser.add_argument("--keys", help="A saved pressroom-keys.json: check without a database.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        is_pdf = data.startswith(b"%PDF-")
        key_id, value = self._signature(options.get("signature"), path, is_pdf)
        if not is_pdf:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path} is neither a PDF nor UTF-8 text.") from exc
            body, block_key, block_value = signing.split_signed(text)
            if block_value and not value:
                key_id, value = block_key, block_value
            data = signing.as_canonical(body).encode("utf-8") if block_value else data
        if value:
            return self._check_signature(data, key_id, value, options.get("keys"), is_pdf)
        if options.get("keys"):
            raise CommandError("No signature: give --signature, or a text with a signature block.")
        return self._check_against_releases(data, is_pdf)

    def _signature(self, given: str | None, path: Path, is_pdf: bool) -> tuple[str, str]:
        if given:
            candidate = Path(given)
            if candidate.exists():
                return _read_signature(candidate.read_text(encoding="utf-8"))
            return _read_signature(given)
        beside = path.with_name(path.name + ".sig")
        if is_pdf and beside.exists():
            return _read_signature(beside.read_text(encoding="utf-8"))
        return "", ""

    def _keys(self, keys_file: str | None) -> list[signing.PublicKey]:
        if not keys_file:
            return signing.published_keys()
        try:
            document = json.loads(Path(keys_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the keys file {keys_file}.") from exc
        keys = signing.keys_from_document(document)
        if not keys:
            raise CommandError(f"{keys_file} holds no Ed25519 key.")
        return keys

    def _check_signature(self, data, key_id, value, keys_file, is_pdf) -> None:
        try:
            key = signing.verify_bytes(data, value, self._keys(keys_file), key_id)
        except signing.SignatureError as exc:
            raise CommandError(f"NOT VALID: {exc} The file is not what we signed.") from exc
        self.stdout.write(f"VALID: signed with our key {signing.grouped(key.key_id)}.")
        if not is_pdf:
            header = signing.parse_header(data.decode("utf-8"))
            if header:
                self.stdout.write(
                    "Release {release}, language {language}, version {version}, "
                    "published {published}, status {status}.".format(
                        **{
                            k: header.get(k, "?")
                            for k in ("release", "language", "version", "published", "status")
                        }
                    )
                )

    def _check_against_releases(self, data: bytes, is_pdf: bool) -> None:
        from publishing import verification

        if is_pdf:
            outcome = verification.verify_pdf(data)
        else:
            outcome = verification.verify_text(data.decode("utf-8-sig"))
        if outcome.result == verification.OURS:
            self.stdout.write(
                f"OURS: release {outcome.slug} ({outcome.language}, version {outcome.version}), "
                f"published {signing._iso(outcome.published_at)}, status {outcome.status}."
            )
            return
        if outcome.result == verification.ALTERED:
            self.stdout.write(
                f"ALTERED from release {outcome.slug} ({outcome.language}, "
                f"version {outcome.version}); similarity {outcome.similarity:.0%}."
            )
            raise CommandError("The file differs from what we signed.")
        raise CommandError(f"NOT OURS: {outcome.message}")
