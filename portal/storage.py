from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files served by WhiteNoise.

    A name missing from the manifest (a run before ``collectstatic``) falls back
    to its plain name rather than turning a page into a 500.
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
