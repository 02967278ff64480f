from .json_errors import describe_json_error as describe_json_error
from .models import (
    Article as Article,
    Chunk as Chunk,
    LoadFailure as LoadFailure,
    RawArticle as RawArticle,
    Removal as Removal,
    article_id_for as article_id_for,
    content_id as content_id,
    former_ids as former_ids,
    identity_of as identity_of,
)
from .redaction import (
    REDACTED as REDACTED,
    RedactSecretsFilter as RedactSecretsFilter,
    SecretRedaction as SecretRedaction,
    redact as redact,
    redact_everywhere as redact_everywhere,
    redact_settings as redact_settings,
)
from .settings import Settings as Settings, unknown_setting_warnings as unknown_setting_warnings
